"""One calendar event as the ``<li>`` the month grid and the agenda list.

Written in Python rather than included as a template: a month at scale shows ~5,000
events, and Django's ``{% include %}`` with a dozen variable look-ups per event cost
most of the calendar's time when it is not cached (about 0.6 ms an event). The markup is
the same as the template's was, escaped the same way (``html.escape``, which ``django.utils.html.escape`` wraps);
tests/test_calendar.py checks it.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from common.text import truncate_at_word
from workspace.calendar_events import Event

COMPACT_TITLE = 60  # characters of a title in the month grid's cell


def event_item(event: Event, *, compact: bool) -> SafeString:
    """``event`` as an ``<li>``; ``compact``: the month grid's short form (title cut,
    the full title in ``title``, the partner city under it)."""
    time = f"<time>{event.time:%H:%M}</time>" if event.time else ""
    if compact:
        link = (
            f'<a href="{escape(event.url)}" title="{escape(event.title)}">'
            f"{escape(truncate_at_word(event.title, COMPACT_TITLE))}</a>"
        )
        meta = f'<small class="muted">{escape(event.partnership.partner_city)}</small>'
    else:
        link = f'<a href="{escape(event.url)}">{escape(event.title)}</a>'
        place = f" · {escape(event.place)}" if event.place else ""
        days = (
            f" · {event.start:%d/%m}–{event.end:%d/%m/%Y}"
            if event.end and event.end != event.start
            else ""
        )
        meta = (
            f'<div class="item-meta"><a href="{escape(event.partnership.get_absolute_url())}">'
            f"{escape(str(event.partnership))}</a>{place}{days}</div>"
        )
    return mark_safe(  # noqa: S308 (every text from the record is escaped above)
        f'<li class="calendar-event event-{escape(event.kind)}">\n'
        f'  <span class="badge badge-{escape(event.badge)}">{escape(event.label)}</span>\n'
        f"  {time}\n"
        f"  {link}\n"
        f"  {meta}\n"
        "</li>\n"
    )
