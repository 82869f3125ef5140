"""The personal iCal feed: turned on, replaced and turned off from the settings page;
parsed with icalendar: stable UIDs, all-day events only for days known, scoped to
accounts that may read."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from common.partialdate import Precision
from tests.factories import ActionItemFactory, EngagementFactory, UserFactory, VisitFactory, viewer
from workspace.models import PersonalSettings

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SETTINGS_URL = reverse("workspace:personal_settings")
ACTION_URL = reverse("workspace:calendar_feed_action")


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def feed_url(user) -> str:
    return reverse("calendar_feed", args=[PersonalSettings.of(user).feed_token])


def parse(response) -> dict:
    """{UID: VEVENT} of a feed response."""
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def subscriber(client):
    user = viewer()
    client.force_login(user)
    client.post(ACTION_URL, {"action": "on"})
    client.logout()
    return user


def test_a_user_turns_the_feed_on_from_the_settings_page(client):
    user = viewer()
    client.force_login(user)
    assert "Turn my calendar feed on" in client.get(SETTINGS_URL).text
    response = client.post(ACTION_URL, {"action": "on"})
    assert response.status_code == 302
    token = PersonalSettings.of(user).feed_token
    assert len(token) >= 40
    assert token in client.get(SETTINGS_URL).text


def test_the_feed_needs_no_session_and_parses(client, subscriber):
    visit = VisitFactory(title="FEED-VISIT", start_date=days(3), end_date=days(5))
    events = parse(client.get(feed_url(subscriber)))
    event = events[f"visit-{visit.pk}@sister-cities.feed"]
    assert "FEED-VISIT" in str(event["SUMMARY"])
    assert event.decoded("DTSTART") == days(3)
    assert event.decoded("DTEND") == days(6)  # all-day events end the day after
    assert str(event["URL"]).endswith(visit.get_absolute_url())


def test_uids_stay_the_same_when_an_event_changes(client, subscriber):
    visit = VisitFactory(title="BEFORE", start_date=days(3), end_date=None)
    first = set(parse(client.get(feed_url(subscriber))))
    visit.title = "AFTER"
    visit.start_date = days(4)
    visit.save()
    second = parse(client.get(feed_url(subscriber)))
    assert set(second) == first
    assert "AFTER" in str(second[f"visit-{visit.pk}@sister-cities.feed"]["SUMMARY"])


def test_a_timed_programme_item_is_a_timed_event(client, subscriber):
    engagement = EngagementFactory(
        title="TIMED-TALKS",
        date=days(2),
        time=dt.time(9, 30),
        visit=VisitFactory(start_date=days(2), end_date=None),
    )
    event = parse(client.get(feed_url(subscriber)))[
        f"engagement-{engagement.pk}@sister-cities.feed"
    ]
    start = event.decoded("DTSTART")
    assert isinstance(start, dt.datetime)
    assert (start.hour, start.minute) == (9, 30)


def test_dates_without_a_day_are_left_out(client, subscriber):
    by_day = ActionItemFactory(description="DAY-KNOWN", due_on=days(10))
    by_month = ActionItemFactory(
        description="MONTH-ONLY",
        due_on=days(40).replace(day=1),
        due_on_precision=Precision.MONTH,
    )
    events = parse(client.get(feed_url(subscriber)))
    assert f"action-{by_day.pk}-due@sister-cities.feed" in events
    assert f"action-{by_month.pk}-due@sister-cities.feed" not in events


def test_replacing_the_address_retires_the_old_one(client, subscriber):
    old = feed_url(subscriber)
    client.force_login(subscriber)
    client.post(ACTION_URL, {"action": "regenerate"})
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(subscriber)).status_code == 200


def test_turning_the_feed_off_retires_the_address(client, subscriber):
    old = feed_url(subscriber)
    client.force_login(subscriber)
    client.post(ACTION_URL, {"action": "off"})
    client.logout()
    assert client.get(old).status_code == 404
    assert PersonalSettings.of(subscriber).feed_token == ""


def test_an_account_that_lost_its_role_or_was_deactivated_loses_its_feed(client, subscriber):
    url = feed_url(subscriber)
    subscriber.groups.clear()
    assert client.get(url).status_code == 404
    other = UserFactory(is_active=False)
    settings_row = PersonalSettings.of(other)
    settings_row.turn_feed_on()
    assert client.get(feed_url(other)).status_code == 404


def test_an_unknown_token_is_not_found(client):
    assert client.get(reverse("calendar_feed", args=["nope"])).status_code == 404


def test_the_demo_item_assigned_to_demo_editor_is_in_their_feed(client, demo):
    from django.contrib.auth.models import User

    from delegations.models import ActionItem

    editor_account = User.objects.get(username="demo-editor")
    item = ActionItem.objects.filter(assignees=editor_account).first()
    assert item is not None
    # The article gives the forum only a month: give it a day, as staff would once known.
    item.due_on, item.due_on_precision = days(20), Precision.DAY
    item.save()
    client.force_login(editor_account)
    assert item.description[:40] in client.get(reverse("workspace:my_work")).text
    client.post(ACTION_URL, {"action": "on"})
    events = parse(client.get(feed_url(editor_account)))
    assert f"action-{item.pk}-due@sister-cities.feed" in events


@pytest.mark.parametrize("n", [1, 5])
def test_the_feed_runs_a_fixed_number_of_queries(client, subscriber, django_assert_num_queries, n):
    for _ in range(n):
        VisitFactory(start_date=days(3), end_date=None)
        ActionItemFactory(due_on=days(4))
    url = feed_url(subscriber)
    # Expect 8: the settings row with its user, the role; visits, programme items,
    # action items, agreement dates, partnerships' and agreements' anniversaries.
    with django_assert_num_queries(8):
        client.get(url)


def test_the_feed_can_show_my_partnerships_only(client, subscriber):
    """Issue 15: those followed, and those of the items assigned, not the whole record."""
    from tests.factories import PartnershipFactory

    followed, assigned, other = PartnershipFactory.create_batch(3)
    followed.set_followed(subscriber, follow=True)
    item = ActionItemFactory(partnership=assigned, due_on=days(5))
    item.assignees.add(subscriber)
    visits = {
        p.pk: VisitFactory(partnership=p, start_date=days(3), end_date=None)
        for p in (followed, assigned, other)
    }
    everything = parse(client.get(feed_url(subscriber)))
    assert all(any(f"visit-{v.pk}@" in uid for uid in everything) for v in visits.values())
    client.force_login(subscriber)
    response = client.post(ACTION_URL, {"action": "mine"})
    assert response.status_code == 302
    assert "Show everything" in client.get(SETTINGS_URL).text
    client.logout()
    mine = parse(client.get(feed_url(subscriber)))
    assert any(f"visit-{visits[followed.pk].pk}@" in uid for uid in mine)
    assert any(f"visit-{visits[assigned.pk].pk}@" in uid for uid in mine)
    assert not any(f"visit-{visits[other.pk].pk}@" in uid for uid in mine)
    assert f"action-{item.pk}-due@sister-cities.feed" in mine
    client.force_login(subscriber)
    client.post(ACTION_URL, {"action": "all"})
    client.logout()
    assert len(parse(client.get(feed_url(subscriber)))) == len(everything)
