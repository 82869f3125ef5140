"""The calendar: month grid and agenda of visits (and their timed programme), action items
due, agreement dates and round anniversaries; filters; htmx month moves; query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from agreements.models import Agreement
from common.partialdate import Precision
from delegations.models import Visit
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    EngagementFactory,
    PartnershipFactory,
    VisitFactory,
    viewer,
)
from workspace.calendar_events import events_between

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
    # Expect 13: session, user, role; the partnership drop-down; visits, programme
    # items, action items, agreement dates, partnerships' and agreements'
    # anniversaries; the session save (3).
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
