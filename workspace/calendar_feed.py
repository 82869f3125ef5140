"""The personal iCal feed: the calendar's events (workspace/calendar_events.py) as an
``text/calendar`` document that Outlook, Thunderbird and phones subscribe to.

The URL carries a secret (``PersonalSettings.feed_token``) instead of a session: a
calendar application cannot sign in. The feed answers only while its account is active
and holds a role (what the account may read is the whole record; an account that loses
its role loses its feed); its owner may narrow it to "my partnerships", those they
follow and those of the action items assigned to them. Each event has a stable UID (``visit-12@…``), so an edited
visit replaces the subscriber's copy instead of adding another. Dates known only to the
month or year are left out: an all-day event on a day nobody knows would mislead.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from icalendar import Calendar
from icalendar import Event as ICalEvent

from common.permissions import can_read
from partnerships.models import Partnership
from workspace.calendar_events import Event, events_between
from workspace.models import PersonalSettings
from workspace.my_work import my_partnerships

UID_DOMAIN = "sister-cities.feed"
DAYS_BEFORE = 90
DAYS_AFTER = 400
TIMED_EVENT = dt.timedelta(hours=1)


def feed_events(
    on: dt.date | None = None, partnerships: QuerySet[Partnership] | None = None
) -> list[Event]:
    on = on or timezone.localdate()
    events = events_between(
        on - dt.timedelta(days=DAYS_BEFORE),
        on + dt.timedelta(days=DAYS_AFTER),
        partnerships=partnerships,
    )
    return [e for e in events if e.day_known]


def to_ical(event: Event, *, base_url: str, stamp: dt.datetime) -> ICalEvent:
    entry = ICalEvent()
    entry.add("uid", f"{event.uid}@{UID_DOMAIN}")
    entry.add("dtstamp", stamp)
    entry.add("summary", f"{event.label}: {event.title}")
    if event.time is not None:
        start = dt.datetime.combine(event.start, event.time, zoneinfo.ZoneInfo(settings.TIME_ZONE))
        entry.add("dtstart", start)
        entry.add("dtend", start + TIMED_EVENT)
    else:
        entry.add("dtstart", event.start)  # a date: an all-day event
        entry.add("dtend", event.last_day + dt.timedelta(days=1))  # the day after (exclusive)
    entry.add("url", base_url + event.url)
    entry.add("description", f"{event.partnership}\n{base_url}{event.url}")
    if event.place:
        entry.add("location", event.place)
    entry.add("categories", [event.kind])
    return entry


def build_feed(events: list[Event], *, base_url: str, name: str) -> bytes:
    feed = Calendar()
    feed.add("prodid", "-//Sister cities//calendar feed//VI")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().replace(microsecond=0)
    for event in events:
        feed.add_component(to_ical(event, base_url=base_url, stamp=stamp))
    return feed.to_ical()


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    found = (
        PersonalSettings.objects.select_related("user")
        .filter(feed_token=token, user__is_active=True)
        .exclude(feed_token="")
        .first()
    )
    if found is None or not can_read(found.user):
        raise Http404
    base_url = request.build_absolute_uri("/").rstrip("/")
    # "My partnerships" (issue 15): those followed and those of the items assigned.
    mine = found.feed_scope == PersonalSettings.FeedScope.MINE
    partnerships = my_partnerships(found.user) if mine else None
    body = build_feed(
        feed_events(partnerships=partnerships), base_url=base_url, name=_("Sister cities")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sister-cities.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
