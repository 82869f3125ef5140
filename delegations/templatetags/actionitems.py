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
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from common.concurrency import stamp
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
    """What ``{% actionitem_status %}`` writes for ``item`` (the list's rows call it too)."""
    if any(context.get(name) for name in SPECIAL):
        page = context.template  # the template being rendered: set while a tag runs
        if page is None:
            raise template.TemplateSyntaxError("{% actionitem_status %} is for templates only.")
        with context.push(item=item):
            return page.engine.get_template(FULL_TEMPLATE).render(context)
    badges = format_html(
        '<span class="badge badge-{}">{}</span>', item.status, item.get_status_display()
    )
    if item.is_overdue():
        badges += format_html('\n  <span class="badge badge-overdue">{}</span>', gettext("overdue"))
    change = ""
    user = context.get("user")
    if user is not None and can_edit(user):
        change = _change_form(context, item)
    return format_html(
        '<div id="actionitem-status-{}" class="actionitem-status">\n  {}\n  {}\n</div>',
        item.pk,
        badges,
        change,
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


def _hidden(item: ActionItem, prefix: str) -> SafeString:
    """The hidden fields ``VersionedFormMixin`` adds, as Django's ``HiddenInput`` writes them."""
    return format_html_join(
        "",
        '<input type="hidden" name="{0}-{1}" value="{2}" id="id_{0}-{1}">',
        ((prefix, "version", item.version), (prefix, "loaded_stamp", stamp(item))),
    )


def _with_prefix(html: str, prefix: str) -> SafeString:
    """The blank form's widget with the row's prefix: the placeholder only ever starts an
    attribute value (``name="item0-note"``, ``id="id_item0-note"``), never text."""
    return SafeString(
        html.replace(f'"{PLACEHOLDER}-', f'"{prefix}-').replace(
            f'"id_{PLACEHOLDER}-', f'"id_{prefix}-'
        )
    )


def _change_form(context: template.Context, item: ActionItem) -> SafeString:
    prefix = f"item{item.pk}"
    status_label, status, note_label, note = _blank_form(get_language(), item.status)
    request = context.get("request")
    url = reverse("delegations:actionitem_status", args=[item.pk])
    token = context.get("csrf_token") or (get_token(request) if request else "")
    next_url = context.get("next_url") or (request.get_full_path() if request else "")
    return format_html(
        '<details class="status-change">\n'
        "      <summary>{summary}</summary>\n"
        '      <form method="post" action="{url}"\n'
        '            hx-post="{url}" hx-target="#actionitem-status-{pk}" hx-swap="outerHTML"\n'
        '            hx-push-url="false">\n'
        '        <input type="hidden" name="csrfmiddlewaretoken" value="{token}">\n'
        "        {hidden}\n"
        '        <input type="hidden" name="next" value="{next_url}">\n'
        "        <label>{status_label} {status}</label>\n"
        "        <label>{note_label} {note}</label>\n"
        '        <button type="submit" class="small">{save}</button>\n'
        "      </form>\n"
        "    </details>",
        summary=gettext("Update"),
        url=url,
        pk=item.pk,
        token=token,
        hidden=_hidden(item, prefix),
        next_url=next_url,
        status_label=status_label,
        status=_with_prefix(status, prefix),
        note_label=note_label,
        note=_with_prefix(note, prefix),
        save=gettext("Save"),
    )
