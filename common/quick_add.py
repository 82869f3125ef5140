"""Quick-add: a new person or organisation recorded from inside another form, and picked.

Beside a picker box of people or organisations (common/autocomplete.py) stands a
"New person" button (``QUICK_ADD`` = ``"<kind>:<the box's name>"``).

* Without JavaScript it submits the half-filled form to its own view, which keeps what
  was typed in the session (``start``) and sends the browser to the kind's create page
  (``?pick_for=<token>``). Once the record is saved there (``finish``), the browser goes
  back to the form, which is shown again as it was, the new record in the box
  (``restored``), nothing saved yet.
* With htmx the button fetches the create form into the page's dialog
  (``#quick-add-body``, workspace/templates/base.html; ``?dialog=<the box's id>``); once
  saved the answer is 204 with the ``quickAdded`` event naming the box and the record's
  ``Name (#id)``, which static/js/app.js puts in the box before closing the dialog.

The record is saved by its own create view, so permissions and history are the same as
anywhere. A layer above registers the kinds (``register``): this module imports no app.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

QUICK_ADD = "quick_add"  # the button's name; its value "<kind>:<field's HTML name>"
PICK_FOR = "pick_for"  # the create page's parameter: the kept form's token
RESTORE = "restore"  # the form's parameter when it comes back
DIALOG = "dialog"  # the create form in the dialog: the id of the box to fill
DIALOG_TEMPLATE = "common/quick_add_dialog.html"
DIALOG_PARTIAL = "quick-add-form"
# The fields the dialog asks for (and any other required one): the rest can wait for
# the record's own page.
DIALOG_FIELDS = frozenset(
    {"full_name", "name_latin", "country", "name", "name_en", "abbreviation", "kind", "city"}
)
SESSION_PREFIX = "quick_add:"
KEPT_FORMS = 10  # at most this many half-filled forms kept per session

# kind → (create view's URL name, the button's label)
KINDS: dict[str, tuple[str, Any]] = {}


def register(kind: str, url_name: str, label: Any) -> None:
    KINDS[kind] = (url_name, label)


def button(kind: str, name: str, box_id: str) -> SafeString:
    """The "New …" button beside the picker box ``name`` (id ``box_id``)."""
    if kind not in KINDS:
        return SafeString("")
    url_name, label = KINDS[kind]
    return format_html(
        '<button type="submit" name="{}" value="{}:{}" formnovalidate class="quick-add secondary'
        ' outline" hx-get="{}?{}={}" hx-target="#quick-add-body" hx-swap="innerHTML"'
        ' hx-push-url="false">{}</button>',
        QUICK_ADD,
        kind,
        name,
        reverse(url_name),
        DIALOG,
        box_id,
        label,
    )


def start(request: HttpRequest) -> HttpResponse | None:
    """A POST of the quick-add button: keep the form, go to the kind's create page."""
    kind, _sep, field = str(request.POST.get(QUICK_ADD, "")).partition(":")
    if request.method != "POST" or kind not in KINDS or not field:
        return None
    data = {
        key: request.POST.getlist(key)
        for key in request.POST
        if key not in {QUICK_ADD, "csrfmiddlewaretoken"}
    }
    token = secrets.token_urlsafe(9)
    kept = [key for key in list(request.session.keys()) if key.startswith(SESSION_PREFIX)]
    for old in kept[: max(len(kept) - KEPT_FORMS + 1, 0)]:
        del request.session[old]
    request.session[SESSION_PREFIX + token] = {
        "data": data,
        "field": field,
        "back": request.get_full_path(),
    }
    return HttpResponseRedirect(f"{reverse(KINDS[kind][0])}?{PICK_FOR}={token}")


def finish(request: HttpRequest, record: Any) -> HttpResponse | None:
    """After the create page saved ``record``: back to the kept form, or (in the dialog)
    the event that picks it. None when the page was not asked for a quick-add."""
    label = f"{record} (#{record.pk})"
    box = request.GET.get(DIALOG, "")
    if box and in_dialog(request):
        response = HttpResponse(status=204)
        response["HX-Trigger"] = json.dumps({"quickAdded": {"input": box, "label": label}})
        return response
    key = SESSION_PREFIX + request.GET.get(PICK_FOR, "")
    kept = request.session.get(key)
    if not kept:
        return None
    kept["picked"] = label
    request.session[key] = kept
    back = kept["back"]
    joiner = "&" if "?" in back else "?"
    return HttpResponseRedirect(f"{back}{joiner}{RESTORE}={key.removeprefix(SESSION_PREFIX)}")


def in_dialog(request: HttpRequest) -> bool:
    """The create form asked for by the dialog (htmx; a plain request gets the page)."""
    return bool(request.GET.get(DIALOG)) and bool(getattr(request, "htmx", False))


def restored(request: HttpRequest) -> QueryDict | None:
    """The kept form's data with the new record in its box, once (a GET back from ``finish``)."""
    token = request.GET.get(RESTORE, "")
    if request.method != "GET" or not token:
        return None
    kept = request.session.pop(SESSION_PREFIX + token, None)
    if not kept or "picked" not in kept:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    data[kept["field"]] = kept["picked"]
    return data
