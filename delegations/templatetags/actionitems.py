"""``{% load actionitems %}``: the inline status change of an action item, anywhere.

``{% actionitem_status %}`` renders an action item's status and, for editors, its inline
change form (includes/actionitem_status.html). A list shows 25 of them and the
partnership page 20: in the plain case (a fresh form, no errors, no conflict, no "saved"
message, no date field) the tag writes the HTML in Python, about ten times faster than
the template engine (issue 6: scale); everything else is rendered by
includes/actionitem_status_full.html. tests/test_actionitem_status_fast.py checks that
both write the same HTML. The plain case's form is built once per language and status
(``_blank_form``) with a placeholder prefix, not once per row (issue 16: 25 forms cost
about 7 ms a page); each row puts its own prefix and hidden values in.

``{% actionitem_status_form item as status_form %}`` builds the small form (no query).
"""

import functools

from django import template
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from common.concurrency import stamp
from common.escaping import escape as escape_text
from common.reversing import url_maker
from common.templatetags.workspace import can_edit
from delegations.forms import StatusForm
from delegations.models import ActionItem

register = template.Library()

FULL_TEMPLATE = "delegations/includes/actionitem_status_full.html"
# Anything of these in the context needs the full template.
SPECIAL = ("status_form", "conflict", "saved", "show_date")


@register.simple_tag
def actionitem_status_form(item: ActionItem) -> StatusForm:
    return StatusForm(instance=item, prefix=f"item{item.pk}")


@register.simple_tag(takes_context=True)
def actionitem_status(context: template.Context) -> SafeString:
    return status_html(context, context["item"])


def status_html(context: template.Context, item: ActionItem) -> SafeString:
    """What ``{% actionitem_status %}`` writes for ``item``."""
    if any(context.get(name) for name in SPECIAL):
        page = context.template  # the template being rendered: set while a tag runs
        if page is None:
            raise template.TemplateSyntaxError("{% actionitem_status %} is for templates only.")
        with context.push(item=item):
            return page.engine.get_template(FULL_TEMPLATE).render(context)
    return StatusCells(context).html(item)


class StatusCells:
    """The plain case's HTML, with what every row of a page shares worked out once: the
    user's role, the CSRF token, the address to come back to, the translated words, the
    status URL (one ``reverse`` per page, not per row: issue 16, the list's 25 rows).
    The list's rows (``{% actionitem_rows %}``) use one for the whole page."""

    def __init__(self, context: template.Context) -> None:
        user = context.get("user")
        self.editor = user is not None and can_edit(user)
        self.today = timezone.localdate()
        self.language = get_language()
        self.statuses = {value: escape(label) for value, label in ActionItem.Status.choices}
        self.overdue = escape(gettext("overdue"))
        if not self.editor:
            return
        request = context.get("request")
        self.token = escape(context.get("csrf_token") or (get_token(request) if request else ""))
        self.next_url = escape(
            context.get("next_url") or (request.get_full_path() if request else "")
        )
        self.url = url_maker("delegations:actionitem_status")  # one ``reverse`` a page
        self.update = escape(gettext("Update"))
        self.save = escape(gettext("Save"))

    def html(self, item: ActionItem) -> SafeString:
        status = item.status
        label: str | None = self.statuses.get(status)
        if label is None:  # not a choice: shown as it is, as get_status_display() does
            label = escape_text(status)
        badges = f'<span class="badge badge-{escape_text(status)}">{label}</span>'
        if item.is_overdue(self.today):
            badges += f'\n  <span class="badge badge-overdue">{self.overdue}</span>'
        change = self._change_form(item) if self.editor else ""
        return SafeString(
            f'<div id="actionitem-status-{item.pk}" class="actionitem-status">\n'
            f"  {badges}\n  {change}\n</div>"
        )

    def _change_form(self, item: ActionItem) -> str:
        pk = item.pk
        prefix = f"item{pk}"
        status_label, status, note_label, note = _blank_form(self.language, item.status)
        url = escape_text(self.url(pk))
        return (
            '<details class="status-change">\n'
            f"      <summary>{self.update}</summary>\n"
            f'      <form method="post" action="{url}"\n'
            f'            hx-post="{url}" hx-target="#actionitem-status-{pk}" hx-swap="outerHTML"\n'
            '            hx-push-url="false">\n'
            f'        <input type="hidden" name="csrfmiddlewaretoken" value="{self.token}">\n'
            f"        {_hidden(item, prefix)}\n"
            f'        <input type="hidden" name="next" value="{self.next_url}">\n'
            f"        <label>{escape(status_label)} {_with_prefix(status, prefix)}</label>\n"
            f"        <label>{escape(note_label)} {_with_prefix(note, prefix)}</label>\n"
            f'        <button type="submit" class="small">{self.save}</button>\n'
            "      </form>\n"
            "    </details>"
        )


PLACEHOLDER = "item0"  # no item has pk 0: the blank form's prefix, replaced per row


@functools.lru_cache(maxsize=64)
def _blank_form(language: str | None, status: str) -> tuple[str, str, str, str]:
    """The status drop-down and the note of a fresh form, with the placeholder prefix.

    ``(status label, status select, note label, note textarea)``, the same for every item
    of that status in that language: the form is built once, not once per row.
    """
    del language  # part of the cache key: the labels and choices are translated
    form = StatusForm(instance=ActionItem(status=status), prefix=PLACEHOLDER)
    return (
        str(form["status"].label),
        str(form["status"]),
        str(form["note"].label),
        str(form["note"]),
    )


def _hidden(item: ActionItem, prefix: str) -> str:
    """The hidden fields ``VersionedFormMixin`` adds, as Django's ``HiddenInput`` writes them."""
    return "".join(
        f'<input type="hidden" name="{prefix}-{name}" value="{escape_text(value)}" id="id_{prefix}-{name}">'
        for name, value in (("version", item.version), ("loaded_stamp", stamp(item)))
    )


def _with_prefix(html: str, prefix: str) -> SafeString:
    """The blank form's widget with the row's prefix: the placeholder only ever starts an
    attribute value (``name="item0-note"``, ``id="id_item0-note"``), never text."""
    return SafeString(
        html.replace(f'"{PLACEHOLDER}-', f'"{prefix}-').replace(
            f'"id_{PLACEHOLDER}-', f'"id_{prefix}-'
        )
    )
