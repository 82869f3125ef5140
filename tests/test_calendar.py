"""The calendar: month grid and agenda of visits (and their timed programme), action items
due, agreement dates and round anniversaries; filters; htmx month moves; query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from agreements.models import Agreement
from common.partialdate import Precision
from delegations.models import DESCRIPTION_KEY, Visit
from partnerships.models import Partnership
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    EngagementFactory,
    PartnershipFactory,
    VisitFactory,
    viewer,
)
from workspace.calendar_events import by_day, events_between

pytestmark = pytest.mark.django_db

URL = reverse("workspace:calendar")
MAY = {"month": "2025-05"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def viewer_client(client):
    client.force_login(viewer())
    return client


def make_month(n: int = 1) -> None:
    """``n`` of every kind of event in May 2025."""
    for i in range(n):
        visit = VisitFactory(
            title=f"VISIT-{i}", start_date=dt.date(2025, 5, 11), end_date=dt.date(2025, 5, 13)
        )
        EngagementFactory(
            visit=visit, title=f"TALKS-{i}", date=dt.date(2025, 5, 12), time=dt.time(9, 30)
        )
        ActionItemFactory(visit=visit, description=f"DUE-{i}", due_on=dt.date(2025, 5, 20))
        AgreementFactory(
            partnership=visit.partnership,
            reference=f"EXP-{i}",
            status=Agreement.Status.IN_FORCE,
            valid_from=dt.date(2023, 1, 1),
            valid_until=dt.date(2025, 5, 31),
        )
        PartnershipFactory(established_on=dt.date(2015, 5, 8))


def test_the_month_view_shows_every_kind_of_event_on_its_day(viewer_client):
    make_month()
    text = viewer_client.get(URL, MAY).text
    for title in ("VISIT-0", "TALKS-0", "DUE-0", "EXP-0", "10 years"):
        assert title in text
    assert "May 2025" in text


def test_a_visit_shows_on_each_of_its_days():
    make_month()
    events = events_between(dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    visit = next(e for e in events if e.title == "VISIT-0")
    assert [visit.covers(dt.date(2025, 5, d)) for d in (10, 11, 12, 13, 14)] == [
        False,
        True,
        True,
        True,
        False,
    ]


def test_anniversaries_come_round_every_five_years_only():
    PartnershipFactory(established_on=dt.date(2015, 5, 8))  # 10 years in 2025
    PartnershipFactory(established_on=dt.date(2017, 5, 8))  # 8 years: none
    events = events_between(dt.date(2025, 5, 1), dt.date(2025, 5, 31), kinds=["anniversaries"])
    assert [(e.start, e.extra["years"]) for e in events] == [(dt.date(2025, 5, 8), 10)]


def test_an_agreement_signed_five_years_ago_has_its_anniversary():
    AgreementFactory(
        reference="SIGNED-2020",
        status=Agreement.Status.IN_FORCE,
        signed_on=dt.date(2020, 5, 3),
    )
    events = events_between(dt.date(2025, 5, 1), dt.date(2025, 5, 31), kinds=["anniversaries"])
    assert [e.title for e in events] == ["5 years: SIGNED-2020"]


def test_a_29_february_comes_round_on_the_28th_in_a_span_ending_that_day():
    """A range ending on 28 February of a common year still holds the anniversary of an
    agreement signed on 29 February (it falls on the 28th), as one that goes on does."""
    AgreementFactory(
        reference="LEAP-2004", status=Agreement.Status.IN_FORCE, signed_on=dt.date(2004, 2, 29)
    )
    for last in (dt.date(2029, 2, 28), dt.date(2029, 3, 31)):
        events = events_between(dt.date(2029, 2, 1), last, kinds=["anniversaries"])
        assert [(e.start, e.title) for e in events] == [
            (dt.date(2029, 2, 28), "25 years: LEAP-2004")
        ]


def test_a_cancelled_visit_and_a_done_item_are_left_out():
    VisitFactory(title="CANCELLED", start_date=dt.date(2025, 5, 5), status=Visit.Status.CANCELLED)
    ActionItemFactory(description="DONE", due_on=dt.date(2025, 5, 5), status="done")
    titles = {e.title for e in events_between(dt.date(2025, 5, 1), dt.date(2025, 5, 31))}
    assert not titles & {"CANCELLED", "DONE"}


def test_an_item_due_in_a_month_is_listed_under_the_month_not_on_a_day(viewer_client):
    ActionItemFactory(
        description="SOMETIME-IN-MAY", due_on=dt.date(2025, 5, 1), due_on_precision=Precision.MONTH
    )
    text = viewer_client.get(URL, MAY).text
    assert "This month, day not known" in text
    assert "SOMETIME-IN-MAY" in text


def test_the_agenda_lists_days_in_order(viewer_client):
    make_month()
    text = viewer_client.get(URL, {**MAY, "view": "agenda"}).text
    assert text.index("Sunday 11/05/2025") < text.index("Tuesday 20/05/2025")
    assert text.index("TALKS-0") < text.index("DUE-0")


def test_the_calendar_filters_by_partnership_and_kind(viewer_client):
    make_month(2)
    visit = Visit.objects.get(title="VISIT-0")
    text = viewer_client.get(URL, {**MAY, "partnership": visit.partnership_id}).text
    assert "VISIT-0" in text
    assert "VISIT-1" not in text
    text = viewer_client.get(URL, {**MAY, "kind": "actions"}).text
    assert "DUE-0" in text
    assert "VISIT-0" not in text


def test_month_links_work_without_javascript_and_keep_the_filters(viewer_client):
    text = viewer_client.get(URL, {**MAY, "kind": "visits"}).text
    assert 'href="?month=2025-04&amp;kind=visits"' in text
    assert 'href="?month=2025-06&amp;kind=visits"' in text


def test_htmx_month_move_answers_the_calendar_only(viewer_client):
    make_month()
    response = viewer_client.get(
        URL, {"month": "2025-05"}, headers={"HX-Request": "true", "HX-Target": "calendar-body"}
    )
    assert response.text.lstrip().startswith('<section id="calendar-body"')
    assert "VISIT-0" in response.text


def test_a_bad_month_shows_this_month(viewer_client):
    assert viewer_client.get(URL, {"month": "2025-13"}).status_code == 200


def test_an_account_without_a_role_may_not_see_the_calendar(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_the_demo_calendar_shows_the_may_2025_visit(viewer_client, demo):
    text = viewer_client.get(URL, MAY).text
    assert "Minsk" in text


@pytest.mark.parametrize("n", [1, 5])
def test_the_calendar_runs_a_fixed_number_of_queries(viewer_client, django_assert_num_queries, n):
    make_month(n)
    # Expect 13: session, user, role; the first visits and agreement dates of each day
    # with each day's count, partnerships' anniversaries; the first programme items
    # (with their visits' partnerships: issue 16, read apart until the fourth round),
    # items due and agreements' anniversaries of each day with each day's count; the
    # partnership drop-down; the session save (3).
    with django_assert_num_queries(13):
        viewer_client.get(URL, MAY)


def test_event_texts_are_escaped_in_the_grid_and_the_agenda(viewer_client):
    """The events' <li> are written in Python (workspace/calendar_items.py), not by the
    template engine: every text from the record is escaped all the same."""
    visit = VisitFactory(
        title='<b>"Talks" & more</b>',
        place="<i>Hall</i>",
        start_date=dt.date(2025, 5, 11),
        end_date=dt.date(2025, 5, 12),
    )
    for view in ("month", "agenda"):
        text = viewer_client.get(URL, {**MAY, "view": view}).text
        assert "<b>" not in text
        assert "&lt;b&gt;&quot;Talks&quot; &amp; more&lt;/b&gt;" in text
        assert visit.get_absolute_url() in text
    agenda = viewer_client.get(URL, {**MAY, "view": "agenda"}).text
    assert "&lt;i&gt;Hall&lt;/i&gt;" in agenda
    assert "11/05–12/05/2025" in agenda
    assert visit.partnership.get_absolute_url() in agenda
    assert str(visit.partnership) in agenda


def test_a_month_grid_cell_shows_the_title_cut_and_whole_in_its_tooltip(viewer_client):
    title = "Hội đàm về hợp tác " + "phát triển đô thị bền vững " * 4
    EngagementFactory(
        visit=VisitFactory(start_date=dt.date(2025, 5, 11)),
        title=title,
        date=dt.date(2025, 5, 11),
        time=dt.time(14, 5),
    )
    text = viewer_client.get(URL, MAY).text
    assert f'title="{title.strip()}"' in text or f'title="{title}"' in text
    assert "<time>14:05</time>" in text
    assert "…</a>" in text


# Issue 16: a day cell shows a few events and "+N more"; the agenda comes in pages.


def busy_day(n: int, day: dt.date = dt.date(2025, 5, 12)) -> Visit:
    """A visit on ``day`` with ``n`` timed programme items and ``n`` items due that day."""
    visit = VisitFactory(title="BUSY-VISIT", start_date=day, end_date=day)
    for i in range(n):
        EngagementFactory(visit=visit, title=f"TALK-{i:02d}", date=day, time=dt.time(8 + i % 10))
        ActionItemFactory(visit=visit, description=f"TASK-{i:02d}", due_on=day)
    return visit


def test_a_busy_day_cell_shows_four_events_visits_first_and_a_link_to_the_rest(viewer_client):
    busy_day(5)
    text = viewer_client.get(URL, MAY).text
    cell = text[text.index("BUSY-VISIT") - 1500 : text.index('class="more-events"') + 400]
    assert cell.count('class="calendar-event') == 4
    assert cell.index("BUSY-VISIT") < cell.index("TALK-00")
    assert "TASK-00" not in cell  # items due come last: not among the first four
    assert 'aria-label="7 more events on 12 May"' in text
    assert "+7 more" in text
    assert 'href="?month=2025-05&amp;view=agenda&amp;day=2025-05-12#day-2025-05-12"' in text


def test_the_more_link_opens_the_agenda_at_that_day_without_javascript(viewer_client):
    busy_day(5)
    VisitFactory(title="EARLIER", start_date=dt.date(2025, 5, 2), end_date=dt.date(2025, 5, 2))
    text = viewer_client.get(URL, {**MAY, "view": "agenda", "day": "2025-05-12"}).text
    assert 'id="day-2025-05-12"' in text
    assert "EARLIER" not in text
    for title in ("BUSY-VISIT", "TALK-04", "TASK-04"):
        assert title in text
    assert 'rel="first"' in text  # back to the month's first page


def test_the_more_link_keeps_the_filters(viewer_client):
    visit = busy_day(5)
    text = viewer_client.get(URL, {**MAY, "partnership": visit.partnership_id}).text
    assert f"partnership={visit.partnership_id}&amp;day=2025-05-12" in text


def agenda_titles(client, params: dict[str, str]) -> list[str]:
    """Every event title of a month's agenda, following its "next" links."""
    import re

    titles: list[str] = []
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items())
    for _page in range(50):
        text = client.get(URL + query.replace("&amp;", "&")).text
        titles += re.findall(r'<a href="/(?:visits|actions)/\d+/">([^<]+)</a>', text)
        found = re.search(r'<a role="button"[^>]* href="(\?[^"]+)"[^>]*rel="next"', text)
        if not found:
            return titles
        query = found.group(1)
    raise AssertionError("the agenda's pages do not end")


def test_the_agenda_comes_in_pages_that_show_every_event_once(viewer_client, monkeypatch):
    from workspace import calendar_events

    monkeypatch.setattr(calendar_events, "AGENDA_PAGE", 4)
    busy_day(3, dt.date(2025, 5, 12))  # 7 events: more than a page, cut
    busy_day(1, dt.date(2025, 5, 20))
    VisitFactory(title="ON-THE-2ND", start_date=dt.date(2025, 5, 2), end_date=dt.date(2025, 5, 2))
    first = viewer_client.get(URL, {**MAY, "view": "agenda"}).text
    assert 'rel="next"' in first
    titles = agenda_titles(viewer_client, {**MAY, "view": "agenda"})
    expected = [e.title for e in events_between(dt.date(2025, 5, 1), dt.date(2025, 5, 31))]
    assert sorted(titles) == sorted(expected)
    assert titles[0] == "ON-THE-2ND"


def test_a_day_with_more_events_than_a_page_continues_on_the_next(viewer_client, monkeypatch):
    from workspace import calendar_events

    monkeypatch.setattr(calendar_events, "AGENDA_PAGE", 4)
    busy_day(3)
    page = viewer_client.get(URL, {**MAY, "view": "agenda", "day": "2025-05-12"}).text
    assert 'href="?month=2025-05&amp;view=agenda&amp;day=2025-05-12&amp;skip=4"' in page
    rest = viewer_client.get(URL, {**MAY, "view": "agenda", "day": "2025-05-12", "skip": "4"}).text
    assert "(continued)" in rest
    assert rest.count('class="calendar-event') == 3


def test_a_cut_day_reads_only_the_programme_items_its_pages_show(django_assert_num_queries):
    """Issue 16, eighth round: on a day with more events than a page, the timed
    programme items come after the day's other events (but for any at midnight: they
    sort by title among them), so a page reads only as many as it shows after those;
    every page shows what the whole day sorted shows, in the same order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workspace.calendar_events import _agenda_order, agenda_page, month_end

    day, month = dt.date(2025, 5, 12), dt.date(2025, 5, 1)
    visit = busy_day(3, day)  # a visit, 3 items due and 3 programme items (08:00-10:00)
    for _ in range(4):  # ties on time and title: in the order of their uid
        EngagementFactory(visit=visit, title="SAME-TALK", date=day, time=dt.time(9))
    EngagementFactory(visit=visit, title="AAA-AT-MIDNIGHT", date=day, time=dt.time(0))
    VisitFactory(title="ZZZ-VISIT", start_date=day, end_date=day)
    expected = [
        event.uid
        for _day, events in sorted(by_day(events_between(month, month_end(month)), month,
                                          month_end(month)).items())
        for event in sorted(events, key=_agenda_order)
    ]  # fmt: skip
    shown: list[str] = []
    first, skip = month, 0
    checked = False
    while True:
        with CaptureQueriesContext(connection) as ctx:
            page = agenda_page(month, first, skip, limit=4)
        shown += [event.uid for _day, events in page.days for event in events]
        if page.days and page.days[0][0] == day and not page.skipped:
            # The midnight item, the two visits and an item due: none after midnight read.
            (programme,) = [q["sql"] for q in ctx.captured_queries if '"time" =' in q["sql"]]
            assert "UNION" not in programme
            assert '"time" >' not in programme
            checked = True
        if page.next_day is None:
            break
        first, skip = page.next_day, page.next_skip
    assert checked
    assert shown == expected
    assert shown.index("engagement-" + str(visit.engagements.get(time=dt.time(0)).pk)) == 0


def test_month_links_start_the_next_month_at_its_first_page(viewer_client):
    text = viewer_client.get(URL, {**MAY, "view": "agenda", "day": "2025-05-12", "skip": "4"}).text
    assert 'href="?month=2025-06&amp;view=agenda"' in text


def test_a_day_outside_the_month_shows_the_month_from_its_start(viewer_client):
    VisitFactory(title="ON-THE-2ND", start_date=dt.date(2025, 5, 2))
    text = viewer_client.get(URL, {**MAY, "view": "agenda", "day": "2025-07-01"}).text
    assert "ON-THE-2ND" in text


def test_the_month_counts_every_event_of_each_day():
    from workspace.calendar_events import by_day, month_days

    make_month(3)
    busy_day(6)
    first, last = dt.date(2025, 4, 28), dt.date(2025, 6, 8)
    days = month_days(first, last, month=dt.date(2025, 5, 1))
    every = by_day(events_between(first, last), first, last)
    assert days.totals == {day: len(events) for day, events in every.items()}
    assert all(len(events) <= 4 for events in days.shown.values())
    assert days.more(dt.date(2025, 5, 12)) == len(every[dt.date(2025, 5, 12)]) - 4


def test_the_month_read_by_its_compiled_sql_is_the_same_for_each_partnership_filter():
    """Issue 16: the page's queries are compiled once per process, days and partnership
    filter (``calendar_events._compiled``); a month read again by that SQL is the month
    read first, and a filter never reuses another's SQL."""
    from workspace import calendar_events
    from workspace.calendar_events import month_days

    make_month(2)
    busy = busy_day(6)
    other = VisitFactory(title="OTHER-VISIT", start_date=dt.date(2025, 5, 12)).partnership
    first, last, month = dt.date(2025, 4, 28), dt.date(2025, 6, 8), dt.date(2025, 5, 1)

    def read(partnership: Partnership | None) -> tuple[object, ...]:
        days = month_days(first, last, month=month, partnership=partnership)
        return days.shown, days.totals, days.undated, days.undated_more

    expected = {}
    for partnership in (None, busy.partnership, other):
        calendar_events._COMPILED.clear()
        expected[partnership] = read(partnership)
    assert expected[busy.partnership] != expected[other]
    calendar_events._COMPILED.clear()
    for partnership in (None, busy.partnership, other, None, other, busy.partnership):
        assert read(partnership) == expected[partnership]


def test_the_programme_of_a_cancelled_visit_is_left_out():
    visit = VisitFactory(start_date=dt.date(2025, 5, 5), status=Visit.Status.CANCELLED)
    EngagementFactory(visit=visit, title="CANCELLED-TALK", date=visit.start_date, time=dt.time(9))
    assert not events_between(dt.date(2025, 5, 1), dt.date(2025, 5, 31))


def test_a_programme_item_outside_its_visits_days_shows_with_its_partnership():
    visit = VisitFactory(start_date=dt.date(2025, 3, 5))
    EngagementFactory(visit=visit, title="LATE-TALK", date=dt.date(2025, 5, 5), time=dt.time(9))
    events = events_between(dt.date(2025, 5, 1), dt.date(2025, 5, 31), kinds=["visits"])
    (event,) = [e for e in events if e.badge == "programme"]
    assert event.title == "LATE-TALK"
    assert event.partnership.pk == visit.partnership_id


def test_the_items_known_to_the_month_only_are_cut_with_a_link_to_the_rest(viewer_client):
    for i in range(12):
        ActionItemFactory(
            description=f"MONTHLY-{i:02d}",
            due_on=dt.date(2025, 5, 1),
            due_on_precision=Precision.MONTH,
        )
    for view in ("month", "agenda"):
        text = viewer_client.get(URL, {**MAY, "view": view}).text
        assert text.count("MONTHLY-") == 10
        assert "2 more items due this month" in text
        assert "due_from=01%2F05%2F2025&amp;due_until=31%2F05%2F2025" in text


@pytest.mark.parametrize("n", [1, 5])
def test_the_agenda_runs_a_fixed_number_of_queries(viewer_client, django_assert_num_queries, n):
    make_month(n)
    busy_day(n)
    # Expect 18: session, user, role; each day's visits and agreement dates counted
    # (with the visits known to the month only), partnerships' anniversaries; each
    # day's programme items, items due and agreements' anniversaries counted; the
    # page's days' visits, agreement dates, programme items, items due and agreements'
    # anniversaries; the partnership drop-down; the session save (3).
    with django_assert_num_queries(18):
        viewer_client.get(URL, {**MAY, "view": "agenda"})


def test_a_day_with_many_visits_shows_four_and_counts_the_rest(viewer_client):
    """Issue 16: the visits (and agreement dates) are read a few per day too."""
    for i in range(6):
        VisitFactory(title=f"CROWD-{i}", start_date=dt.date(2025, 5, 14), end_date=None)
    text = viewer_client.get(URL, MAY).text
    assert text.count("CROWD-") == 4 * 2  # each in the link text and its tooltip
    assert 'aria-label="2 more events on 14 May"' in text
    agenda = viewer_client.get(URL, {**MAY, "view": "agenda"}).text
    assert all(f"CROWD-{i}" in agenda for i in range(6))


def test_anniversaries_known_to_the_month_only_are_cut_with_their_count(viewer_client):
    for i in range(12):
        AgreementFactory(
            reference=f"MONTH-SIGNED-{i:02d}",
            signed_on=dt.date(2015, 5, 1),
            signed_on_precision=Precision.MONTH,
            valid_from=None,
            valid_until=None,
        )
    for view in ("month", "agenda"):
        text = viewer_client.get(URL, {**MAY, "view": view}).text
        assert text.count("MONTH-SIGNED-") == 10
        assert "and 2 more anniversaries this month" in text


def test_the_per_day_reads_in_python_equal_postgresqls(monkeypatch):
    """SQLite (the first run) spreads visits and agreement dates over days in Python; on
    PostgreSQL the same rows come ranked from SQL: both give the same days, rows, order
    and counts."""
    from django.db import connection
    from django.db.models import Q

    from workspace import calendar_events as ce

    assert connection.vendor == "postgresql"
    partnership = PartnershipFactory()
    for n, (start, end) in enumerate(
        [((2025, 6, 2), (2025, 6, 4)), ((2025, 6, 3), None), ((2025, 6, 3), (2025, 6, 3)),
         ((2025, 5, 30), (2025, 6, 3)), ((2025, 6, 3), (2025, 6, 9))]
    ):  # fmt: skip
        VisitFactory(
            partnership=partnership, title=f"Visit {n}", start_date=dt.date(*start),
            end_date=dt.date(*end) if end else None,
        )  # fmt: skip
    for n in range(2):
        VisitFactory(
            partnership=partnership, title=f"Month {n}", start_date=dt.date(2025, 6, 1),
            start_date_precision=Precision.MONTH, end_date=None,
        )  # fmt: skip
    for n, (valid_from, valid_until) in enumerate(
        [((2025, 6, 3), (2025, 6, 3)), ((2020, 1, 1), (2025, 6, 3)), ((2025, 6, 10), None)]
    ):
        AgreementFactory(
            partnership=partnership, reference=f"R{n}", status=Agreement.Status.IN_FORCE,
            valid_from=dt.date(*valid_from),
            valid_until=dt.date(*valid_until) if valid_until else None,
        )  # fmt: skip
    first, last, month = dt.date(2025, 5, 26), dt.date(2025, 7, 6), dt.date(2025, 6, 1)
    scope = Q(partnership=partnership)
    for per_day in (2, None):
        in_sql = ce.visits_per_day(first, last, scope, month=month, per_day=per_day, undated=1)
        monkeypatch.setattr(connection, "vendor", "sqlite")
        in_python = ce.visits_per_day(first, last, scope, month=month, per_day=per_day, undated=1)
        dates_python = ce.agreement_dates_per_day(first, last, scope, per_day=per_day)
        monkeypatch.undo()
        dates_sql = ce.agreement_dates_per_day(first, last, scope, per_day=per_day)
        assert in_python == in_sql
        assert dates_python == dates_sql
    assert in_sql.totals[dt.date(2025, 6, 3)] == 5
    assert in_sql.totals[None] == 2
    assert dates_sql.totals[dt.date(2025, 6, 3)] == 3


def test_28_february_of_a_common_year_counts_the_29th_s_anniversaries_too():
    """In a common year the anniversaries of agreements signed on 29 February fall on the
    28th, with those signed on the 28th: the day's count covers both (it came from one of
    them only, and "+N more" was wrong)."""
    from django.db import connection

    from workspace.calendar_events import month_days

    for n in range(3):
        for day in (28, 29):
            AgreementFactory(
                reference=f"FEB{day}-{n}",
                status=Agreement.Status.IN_FORCE,
                signed_on=dt.date(2004, 2, day),
                valid_from=None,
                valid_until=None,
            )
    first, last, month = dt.date(2029, 1, 29), dt.date(2029, 3, 11), dt.date(2029, 2, 1)
    every = by_day(events_between(first, last), first, last)
    assert len(every[dt.date(2029, 2, 28)]) == 6
    for vendor in ("postgresql", "sqlite"):  # the LATERAL reads, the ORM's windows
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(connection, "vendor", vendor)
            days = month_days(first, last, month=month)
        assert days.totals == {day: len(events) for day, events in every.items()}, vendor
        assert [e.title for e in days.shown[dt.date(2029, 2, 28)]] == [
            "25 years: FEB28-0", "25 years: FEB28-1", "25 years: FEB28-2", "25 years: FEB29-0"
        ]  # fmt: skip
        assert days.more(dt.date(2029, 2, 28)) == 2


def read_both_ways(first, last, month, partnership=None, **patched):
    """``month_days`` on PostgreSQL's path (each day's first read by index) and on
    SQLite's (the ORM's windows), each compiled afresh: ``{vendor: (shown, totals,
    undated, undated_more)}``. ``patched``: attributes of calendar_events replaced
    meanwhile."""
    from django.db import connection

    from workspace import calendar_events
    from workspace.calendar_events import month_days

    read = {}
    for vendor in ("postgresql", "sqlite"):
        calendar_events._COMPILED.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(connection, "vendor", vendor)
            for name, value in patched.items():
                patch.setattr(calendar_events, name, value)
            days = month_days(first, last, month=month, partnership=partnership)
        read[vendor] = (days.shown, days.totals, days.undated, days.undated_more)
    return read


def test_the_first_events_of_each_day_read_by_index_equal_the_ranked_reads():
    """Issue 16: on PostgreSQL a month's visits, programme items, items due and
    agreements' anniversaries are counted per day over their indexes and only each day's
    first read (a LATERAL query per day); elsewhere (SQLite) the ORM (or Python, for the
    visits) ranks every row of the span. Both give the same days, events, order and counts, with and without
    a partnership filter."""

    make_month(3)
    busy = busy_day(6)
    busy_day(3, dt.date(2025, 5, 31))
    for i in range(12):
        ActionItemFactory(
            description=f"MONTHLY-{i:02d}",
            due_on=dt.date(2025, 5, 1),
            due_on_precision=Precision.MONTH,
        )
        AgreementFactory(
            reference=f"SIGNED-{i:02d}",
            status=Agreement.Status.IN_FORCE,
            signed_on=dt.date(2015 - 5 * (i % 3), 5, 1 if i % 4 == 0 else 12 + i % 2),
            signed_on_precision=Precision.MONTH if i % 4 == 0 else Precision.DAY,
        )
    # Descriptions longer than the index's key (``DESCRIPTION_KEY`` characters) and equal
    # over it: the day's first are still the first by the whole text, not by id.
    shared = "Chuẩn bị nội dung làm việc với đoàn đại biểu thành phố kết nghĩa về hợp tác "
    assert len(shared) > DESCRIPTION_KEY
    for tail in "FCAEDB":
        ActionItemFactory(description=shared + tail, due_on=dt.date(2025, 5, 20))
    # Visits over several days (one of 20 days: the longest bounds each day's read),
    # some started before the span, titles equal on a day, cancelled ones and visits
    # known to the month (more than are shown) or the year only.
    for i in range(14):
        start = dt.date(2025, 5, 21) + dt.timedelta(days=2 * i - 12 * (i == 0))
        VisitFactory(
            **({"partnership": busy.partnership} if i % 3 == 0 else {}),
            title=f"TOUR-{i % 5}",
            start_date=start,
            end_date=start + dt.timedelta(days=20 if i == 2 else i % 6),
            status=Visit.Status.CANCELLED if i % 7 == 6 else Visit.Status.PLANNED,
        )
        VisitFactory(
            **({"partnership": busy.partnership} if i % 2 else {}),
            title=f"SOMETIME-{i % 4}",
            start_date=dt.date(2025, 5 if i % 5 else 6, 1),
            start_date_precision=Precision.MONTH,
            end_date=None,
        )
    VisitFactory(title="BEFORE", start_date=dt.date(2025, 4, 15), end_date=dt.date(2025, 5, 3))
    VisitFactory(
        title="SOMEYEAR", start_date=dt.date(2025, 1, 1), start_date_precision=Precision.YEAR
    )
    first, last, month = dt.date(2025, 4, 28), dt.date(2025, 6, 8), dt.date(2025, 5, 1)
    for partnership in (None, busy.partnership):
        read = read_both_ways(first, last, month, partnership)
        assert read["postgresql"] == read["sqlite"]
        assert read["postgresql"][1][dt.date(2025, 5, 12)] > 4
        if partnership is None:
            assert [e.title[-1] for e in read["postgresql"][0][dt.date(2025, 5, 20)]] == list(
                "ABCD"
            )


def test_a_span_over_two_years_reads_the_same_anniversaries_and_dates_by_index():
    """Issue 16: over a span of two years (December's grid runs into January) the
    agreements' anniversaries are counted one year's range at a time (UNION ALL, each
    range index-only) and the agreement dates' partnerships read for the rows kept only;
    the days, events, order and counts equal the ORM's ranked reads (SQLite's path)."""

    partnership = PartnershipFactory()
    for i in range(7):
        for signed in (dt.date(2015 - 5 * (i % 2), 12, 31), dt.date(2016 - 5 * (i % 2), 1, 2)):
            AgreementFactory(
                partnership=partnership if i % 3 else PartnershipFactory(),
                reference=f"Y{signed.year}-{i}",
                status=Agreement.Status.IN_FORCE,
                signed_on=signed,
                signed_on_precision=Precision.DAY,
            )
        AgreementFactory(
            partnership=partnership if i % 2 else PartnershipFactory(),
            reference=f"D-{6 - i}",
            status=Agreement.Status.IN_FORCE,
            valid_from=dt.date(2025, 12, 31),
            valid_until=dt.date(2026, 1, 2) if i % 2 else dt.date(2025, 12, 31),
        )
    AgreementFactory(
        reference="MONTH-1",
        status=Agreement.Status.IN_FORCE,
        signed_on=dt.date(2015, 12, 1),
        signed_on_precision=Precision.MONTH,
    )
    first, last, month = dt.date(2025, 12, 1), dt.date(2026, 1, 4), dt.date(2025, 12, 1)
    for scope in (None, partnership):
        read = read_both_ways(first, last, month, scope)
        assert read["postgresql"] == read["sqlite"]
        shown, totals = read["postgresql"][0], read["postgresql"][1]
        if scope is None:
            # On 31 December 7 anniversaries, 7 agreements in force and 4 expiring; on
            # 2 January 7 anniversaries and 3 expiring; 4 shown a day.
            assert totals[dt.date(2025, 12, 31)] == 18
            assert totals[dt.date(2026, 1, 2)] == 10
            assert len(shown[dt.date(2026, 1, 2)]) == 4
            assert read["postgresql"][2]  # the month-known anniversary


def test_a_day_full_of_visits_counts_its_agreement_dates_and_anniversaries_without_making_them():
    """Issue 16: a day cell already holding four visits shows nothing that comes after
    visits in a cell (agreement dates, anniversaries), so those are counted, not made
    (at scale 4 nearly every day is full of visits); a day not full still shows them."""
    from django.db import connection

    from workspace import calendar_events
    from workspace.calendar_events import month_days

    full, other = dt.date(2025, 5, 12), dt.date(2025, 5, 20)
    for i in range(4):
        VisitFactory(title=f"VISIT-{i}", start_date=full, end_date=full)
    for day in (full, other):
        AgreementFactory(
            reference=f"FROM-{day.day}",
            status=Agreement.Status.IN_FORCE,
            valid_from=day,
            valid_until=dt.date(2027, 1, 1),
        )
        AgreementFactory(
            reference=f"SIGNED-{day.day}",
            status=Agreement.Status.IN_FORCE,
            signed_on=day.replace(year=2015),
            signed_on_precision=Precision.DAY,
        )
    first, last, month = dt.date(2025, 4, 28), dt.date(2025, 6, 8), dt.date(2025, 5, 1)
    made: list[str] = []
    real = calendar_events._agreement_anniversary_events

    def recording(rows, *args, **kwargs):
        rows = list(rows)
        made.extend(row[1] for row in rows)
        return real(rows, *args, **kwargs)

    for vendor in ("postgresql", "sqlite"):
        made.clear()
        calendar_events._COMPILED.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(connection, "vendor", vendor)
            patch.setattr(calendar_events, "_agreement_anniversary_events", recording)
            days = month_days(first, last, month=month)
        assert [e.title for e in days.shown[full]] == [f"VISIT-{i}" for i in range(4)], vendor
        assert days.totals[full] == 6, vendor
        assert days.more(full) == 2, vendor
        assert "SIGNED-20" in made, vendor
        assert "SIGNED-12" not in made, vendor  # counted above, not made
        titles = [e.title for e in days.shown[other]]
        assert any(t.startswith("FROM-20") for t in titles), vendor
        assert any("SIGNED-20" in t for t in titles), vendor


@pytest.mark.parametrize(
    ("full", "other"),
    [
        (dt.date(2025, 5, 12), dt.date(2025, 5, 20)),
        # 28 February of a common year: the anniversaries of the 29th fall on it too.
        (dt.date(2025, 2, 28), dt.date(2025, 2, 20)),
    ],
)
def test_a_full_day_s_later_events_are_counted_in_the_database_not_read(full, other):
    """Issue 16: on PostgreSQL the programme items, items due, agreement dates and
    agreements' anniversaries of a day whose cell is already full of visits are counted
    in the database but none of them read (at scale 4 nearly every day is full: reading
    and joining a few of each for every day grew with the record); a day not full reads
    its first as before. The days, events and counts equal the ORM's ranked reads."""

    from workspace import calendar_events

    for i in range(4):
        VisitFactory(title=f"VISIT-{i}", start_date=full, end_date=full)
    signed_on = [full.replace(year=2015)]
    if full == dt.date(2025, 2, 28):
        signed_on.append(dt.date(2020, 2, 29))
    for day in (full, other):
        tag = f"{day.month}-{day.day}"
        visit = VisitFactory(
            title=f"LATER-{tag}",
            start_date=day - dt.timedelta(days=30),
            end_date=day - dt.timedelta(days=29),
        )
        for i in range(2):
            EngagementFactory(visit=visit, title=f"PROG-{tag}-{i}", date=day, time=dt.time(9 + i))
            ActionItemFactory(visit=visit, description=f"DUE-{tag}-{i}", due_on=day)
        AgreementFactory(
            reference=f"FROM-{tag}",
            status=Agreement.Status.IN_FORCE,
            valid_from=day,
            valid_until=dt.date(2027, 1, 1),
        )
        for n, signed in enumerate(signed_on if day == full else [day.replace(year=2015)]):
            AgreementFactory(
                reference=f"SIGNED-{tag}-{n}",
                status=Agreement.Status.IN_FORCE,
                signed_on=signed,
                signed_on_precision=Precision.DAY,
            )
    first, last = (
        full.replace(day=1) - dt.timedelta(days=7),
        full.replace(day=28) + dt.timedelta(days=7),
    )
    month = full.replace(day=1)
    returned: list[tuple] = []
    real = calendar_events._raw

    def recording(sql, params):
        rows = real(sql, params)
        returned.extend(rows)
        return rows

    read = read_both_ways(first, last, month, _raw=recording)
    assert read["postgresql"] == read["sqlite"]
    shown, totals = read["postgresql"][:2]
    assert [e.title for e in shown[full]] == [f"VISIT-{i}" for i in range(4)]
    # Four visits, two programme items, two items due, one agreement in force and its
    # anniversaries (two on 28 February: the 28th's and the 29th's).
    assert totals[full] == 4 + 2 + 2 + 1 + len(signed_on)
    text = repr(returned)
    tag, other_tag = f"{full.month}-{full.day}", f"{other.month}-{other.day}"
    for kind in ("PROG", "DUE", "SIGNED"):
        assert f"{kind}-{tag}" not in text, kind  # counted, not read
    # The agreement dates are ranked over the span's few: the full day's comes for its
    # count only, its partnership's names not looked up.
    (counted,) = [row for row in returned if f"FROM-{tag}" in repr(row)]
    assert counted[4:6] == (None, None)
    for kind in ("PROG", "DUE", "FROM", "SIGNED"):
        assert f"{kind}-{other_tag}" in text, kind  # a day not full: read and shown
    assert len(shown[other]) == 4
    assert totals[other] == 2 + 2 + 1 + 1


def test_the_first_items_due_shown_are_the_first_in_code_points_whatever_the_collation():
    """Issue 16: a day's first items due (month grid) and the month's first items known
    to the month only (grid and agenda) are read from the database in the order Python
    shows them in (code points), not the database's collation: under a linguistic one
    (here ``en-x-icu`` on the column; production may run ``en_US.UTF-8``) "b" comes
    before "C" and a description's first 64 characters order apart from its whole text,
    so the first few read were not the first few shown. Descriptions sharing more than
    ``DESCRIPTION_KEY`` characters, differing after them and within them by case."""
    from django.db import connection

    from workspace import calendar_events
    from workspace.calendar_events import PER_DAY, UNDATED_SHOWN, agenda_page, month_days

    with connection.cursor() as cursor:
        cursor.execute(
            'ALTER TABLE delegations_actionitem ALTER COLUMN description TYPE text COLLATE "en-x-icu"'
        )
    shared = "Chuẩn bị nội dung làm việc với đoàn đại biểu thành phố kết nghĩa về hợp tác "
    assert len(shared) > DESCRIPTION_KEY
    texts = [
        start + shared + tail for start in ("x", "Y") for tail in ("b", "C", "d", "E", "f", "G")
    ]
    for text in texts:
        ActionItemFactory(description=text, due_on=dt.date(2025, 5, 20))
        ActionItemFactory(
            description=text, due_on=dt.date(2025, 5, 1), due_on_precision=Precision.MONTH
        )
    in_code_points = sorted(texts)
    with connection.cursor() as cursor:  # the database's order differs: the test's point
        cursor.execute(
            "SELECT description FROM delegations_actionitem WHERE due_on = %s"
            " ORDER BY description LIMIT %s",
            [dt.date(2025, 5, 20), PER_DAY],
        )
        assert [row[0] for row in cursor.fetchall()] != in_code_points[:PER_DAY]
    month = dt.date(2025, 5, 1)
    calendar_events._COMPILED.clear()
    days = month_days(dt.date(2025, 4, 28), dt.date(2025, 6, 8), month=month, kinds=["actions"])
    assert [e.title for e in days.shown[dt.date(2025, 5, 20)]] == in_code_points[:PER_DAY]
    assert [e.title for e in days.undated] == in_code_points[:UNDATED_SHOWN]
    page = agenda_page(month, month, kinds=["actions"])
    assert [e.title for e in page.undated] == in_code_points[:UNDATED_SHOWN]
    assert page.undated_more == {"actions": len(texts) - UNDATED_SHOWN}
