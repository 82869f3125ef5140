/*
 * Workspace behaviour on top of htmx. No inline scripts anywhere (strict CSP):
 * htmx's own settings are in <meta name="htmx-config"> in templates/base.html.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function showMessage(text, level) {
    var box = document.getElementById("messages");
    if (!box) { return; }
    var p = document.createElement("p");
    p.className = "message message-" + (level || "error");
    p.setAttribute("role", "alert");
    p.textContent = text;
    box.appendChild(p);
  }

  // The texts come translated from the server: data-* attributes on #messages.
  function messageFor(status) {
    var box = document.getElementById("messages");
    var texts = box ? box.dataset : {};
    if (status === 403) { return texts.forbidden || "Forbidden"; }
    if (status === 0) { return texts.offline || "Offline"; }
    return (texts.failed || "Error") + " (" + status + ")";
  }

  document.addEventListener("htmx:responseError", function (event) {
    showMessage(messageFor(event.detail.xhr.status));
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage(messageFor(0));
  });

  // A session that expired answers an htmx request with the login page: go there
  // as a whole page instead of swapping a login form into a list.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var url = event.detail.xhr.responseURL || "";
    if (url.indexOf("/accounts/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.assign(url);
    }
  });
})();

// Quick-add (common/quick_add.py): the "New person" button beside a picker fetches the
// create form into the dialog, which then opens; the record saved comes back as the
// "quickAdded" event (the box's id and the record's "Name (#id)"), put in that box.
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = document.getElementById("quick-add-dialog");
    if (dialog && event.detail.target.id === "quick-add-body" && !dialog.open) {
      dialog.showModal();
    }
  });

  document.addEventListener("quickAdded", function (event) {
    var dialog = document.getElementById("quick-add-dialog");
    var box = document.getElementById(event.detail.input);
    if (dialog && dialog.open) { dialog.close(); }
    if (box) {
      box.value = event.detail.label;
      box.dispatchEvent(new Event("change", {bubbles: true}));
      box.focus();
    }
  });
})();
