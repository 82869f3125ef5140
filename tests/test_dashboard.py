"""The dashboard: what needs attention, each list capped, with its "see all" page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from common.partialdate import PartialDate, Precision
from delegations.models import ActionItem, Visit
from partnerships.models import Partnership, next_round_anniversary
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    PartnershipFactory,
    VisitFactory,
    editor,
    viewer,
)
from workspace import dashboard_sections as overview

pytestmark = pytest.mark.django_db

URL = reverse("dashboard")
TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@pytest.fixture
def viewer_client(client):
    client.force_login(viewer())
    return client


def make_attention(n: int) -> None:
    """``n`` rows for every dashboard section."""
    for i in range(n):
        visit = VisitFactory(
            start_date=days(10 + i), end_date=days(12 + i), status=Visit.Status.PLANNED
        )
        ActionItemFactory(visit=visit, due_on=days(-5 - i))
        ActionItemFactory(visit=visit, due_on=days(5 + i))
        AgreementFactory(
            partnership=visit.partnership, valid_from=days(-400), valid_until=days(30 + i)
        )
        AgreementFactory(valid_from=days(-900), valid_until=days(-30 - i))
        PartnershipFactory(established_on=years_before(days(20 + i), 10))


# -- who may see it ------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_viewer_sees_the_dashboard(viewer_client):
    response = viewer_client.get(URL)
    assert response.status_code == 200
    assert "section-upcoming_visits" in response.content.decode()


def test_a_user_without_a_role_is_refused(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403


def test_viewer_cannot_post_to_the_dashboard(viewer_client):
    assert viewer_client.post(URL).status_code == 405


# -- what it shows --------------------------------------------------------------------------


def test_dashboard_links_every_partnership_page_latest_visit_first(viewer_client):
    quiet = PartnershipFactory()
    busy = VisitFactory(start_date=days(-10), end_date=None).partnership
    response = viewer_client.get(URL)
    assert response.context["sections"]["partnerships"].group.rows == [busy, quiet]
    html = response.content.decode()
    assert busy.get_absolute_url() in html
    assert quiet.get_absolute_url() in html


def test_a_partnership_with_only_undated_visits_has_visits(settings, viewer_client):
    """Issue 14, finding 3: TP HCM–Minsk has visits whose year the source does not give."""
    settings.LANGUAGE_CODE = "en"
    quiet = PartnershipFactory()
    undated = VisitFactory(start_date=None, end_date=None).partnership
    response = viewer_client.get(URL)
    rows = response.context["sections"]["partnerships"].group.rows
    assert rows == [undated, quiet]
    assert rows[0].has_visit
    assert not rows[1].has_visit
    html = response.content.decode()
    # Once in "our partnerships", once among the dormant (no visit known to be recent).
    assert html.count("visits recorded, dates not known") == 2
    assert html.count("no visit recorded") == 2


def test_dashboard_leaves_out_ended_partnerships(viewer_client):
    PartnershipFactory(status=Partnership.Status.ENDED)
    assert overview.sections()["partnerships"].rows == []


def test_dashboard_shows_an_upcoming_visit(viewer_client):
    VisitFactory(
        title="Đoàn sắp tới", start_date=days(3), end_date=days(4), status=Visit.Status.CONFIRMED
    )
    assert "Đoàn sắp tới" in viewer_client.get(URL).content.decode()


def test_dashboard_leaves_out_a_cancelled_visit(viewer_client):
    VisitFactory(title="Đoàn đã hủy", start_date=days(3), end_date=None, status="cancelled")
    assert "Đoàn đã hủy" not in viewer_client.get(URL).content.decode()


def test_overdue_and_due_soon_action_items_are_in_their_own_sections():
    ActionItemFactory(description="quá hạn", due_on=days(-1))
    ActionItemFactory(description="sắp đến hạn", due_on=days(20))
    ActionItemFactory(description="còn xa", due_on=days(60))
    ActionItemFactory(description="đã xong", due_on=days(-1), status=ActionItem.Status.DONE)
    sections = overview.sections()
    assert [i.description for i in sections["overdue"].rows] == ["quá hạn"]
    assert [i.description for i in sections["due_soon"].rows] == ["sắp đến hạn"]


def test_agreement_expiring_within_six_months_is_listed():
    AgreementFactory(reference="SOON", valid_from=days(-100), valid_until=days(150))
    AgreementFactory(reference="LATER", valid_from=days(-100), valid_until=days(250))
    assert [a.reference for a in overview.sections()["expiring"].rows] == ["SOON"]


def test_expired_agreement_without_successor_is_listed_and_renewed_one_is_not():
    renewed = AgreementFactory(
        reference="OLD-RENEWED", valid_from=days(-900), valid_until=days(-10)
    )
    AgreementFactory(
        reference="NEW",
        partnership=renewed.partnership,
        parent=renewed,
        parent_relation=Agreement.Relation.RENEWS,
        valid_from=days(-9),
        valid_until=days(700),
    )
    AgreementFactory(reference="OLD-ALONE", valid_from=days(-900), valid_until=days(-10))
    assert [a.reference for a in overview.sections()["expired"].rows] == ["OLD-ALONE"]


def test_hanoi_vientiane_mou_is_expired_without_successor(demo, viewer_client):
    html = viewer_client.get(URL).content.decode()
    assert "HN-VC-MOU-2017-2020" in html


def test_dormant_partnership_is_listed_with_its_last_visit(viewer_client):
    old = VisitFactory(start_date=days(-4 * 365), end_date=None).partnership
    VisitFactory(start_date=days(-30), end_date=None)
    rows = overview.sections()["dormant"].rows
    assert rows == [old]
    assert rows[0].last_visit_on == days(-4 * 365)


def test_partnership_ten_years_old_next_month_is_an_anniversary():
    founded = years_before(days(40), 10)
    partnership = PartnershipFactory(established_on=founded)
    PartnershipFactory(established_on=years_before(days(40), 8))
    rows = overview.sections()["anniversaries"].rows
    assert [(r.partnership, r.years) for r in rows] == [(partnership, 10)]


def test_agreement_signed_thirty_years_ago_is_an_anniversary():
    signed = years_before(days(100), 30)
    agreement = AgreementFactory(signed_on=signed, valid_from=None, valid_until=None)
    rows = overview.sections()["anniversaries"].rows
    assert [(r.agreement, r.years) for r in rows] == [(agreement, 30)]


def test_anniversaries_are_sorted_soonest_first():
    later = PartnershipFactory(established_on=years_before(days(200), 5))
    sooner = PartnershipFactory(established_on=years_before(days(20), 15))
    rows = overview.sections()["anniversaries"].rows
    assert [r.partnership for r in rows] == [sooner, later]


@pytest.mark.parametrize(
    ("established", "precision", "on", "expected"),
    [
        (dt.date(1994, 1, 1), Precision.YEAR, dt.date(2024, 6, 1), True),  # Hà Nội – Bắc Kinh, 30
        (dt.date(1994, 1, 1), Precision.YEAR, dt.date(2023, 6, 1), True),  # next year's, 30
        (dt.date(1994, 1, 1), Precision.YEAR, dt.date(2025, 6, 1), False),  # 31 and 35
        (dt.date(2004, 12, 1), Precision.MONTH, dt.date(2024, 12, 20), True),
        (dt.date(2004, 11, 1), Precision.MONTH, dt.date(2024, 12, 20), False),
        (dt.date(2004, 12, 19), Precision.DAY, dt.date(2024, 12, 20), False),
        (dt.date(2004, 12, 20), Precision.DAY, dt.date(2024, 12, 20), True),
        (dt.date(2005, 12, 20), Precision.DAY, dt.date(2024, 12, 20), True),  # 20 next year
        (dt.date(2005, 12, 21), Precision.DAY, dt.date(2024, 12, 20), False),
        (dt.date(2024, 3, 1), Precision.DAY, dt.date(2024, 12, 20), False),  # 0 years
    ],
)
def test_database_anniversary_rule_agrees_with_next_round_anniversary(
    established, precision, on, expected
):
    partnership = PartnershipFactory(established_on=established, established_on_precision=precision)
    in_db = Partnership.objects.round_anniversaries(on=on).filter(pk=partnership.pk).exists()
    anniversary = next_round_anniversary(PartialDate(established, precision), on)
    assert anniversary is not None
    _years, when = anniversary
    horizon = on.replace(year=on.year + 1)
    assert in_db is expected
    assert (when.date <= horizon) is expected


def test_each_section_is_capped_at_ten_with_a_see_all_link(viewer_client):
    for i in range(12):
        ActionItemFactory(due_on=days(-1 - i))
    group = overview.sections()["overdue"]
    assert len(group.rows) == 10
    assert group.total == 12
    html = viewer_client.get(URL).content.decode()
    assert reverse("workspace:dashboard_section", args=["overdue"]) in html


def test_a_section_counts_no_further_than_its_cap(viewer_client, monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(overview, "DASHBOARD_COUNT_CAP", 11)
    for i in range(13):
        ActionItemFactory(due_on=days(-1 - i))
    group = overview.sections()["overdue"]
    assert len(group.rows) == 10
    assert group.total == 11
    assert group.capped
    html = viewer_client.get(URL).content.decode()
    assert "11+</span>" in html
    assert "See all (more than 11)" in html


def test_the_dormant_partnerships_are_counted_with_their_rows(
    monkeypatch, django_assert_num_queries
):
    """Issue 16: the dormant section reads every dormant partnership to sort them by
    their last visit; the count comes with the rows (a window), not from a second query
    that probed every partnership's visits again. Capped as every section."""
    monkeypatch.setattr(overview, "DASHBOARD_COUNT_CAP", 11)
    for i in range(13):
        VisitFactory(start_date=days(-2000 - i), end_date=days(-1999 - i))
    # Expect 1: the rows, their last visits and the count in one query.
    with django_assert_num_queries(1):
        group = overview._sections(timezone.localdate(), ["dormant"])["dormant"]
        assert [row.last_visit_on for row in group.rows] == [days(-2012 + i) for i in range(10)]
    assert (group.total, group.capped) == (11, True)
    monkeypatch.setattr(overview, "DASHBOARD_COUNT_CAP", 13)
    group = overview._sections(timezone.localdate(), ["dormant"])["dormant"]
    assert (len(group.rows), group.total, group.capped) == (10, 13, False)


def test_see_all_page_lists_every_row_of_a_section(viewer_client):
    for i in range(12):
        ActionItemFactory(description=f"việc quá hạn {i}", due_on=days(-1 - i))
    response = viewer_client.get(reverse("workspace:dashboard_section", args=["overdue"]))
    assert response.content.decode().count("việc quá hạn") == 12


def test_see_all_page_of_an_unknown_section_is_not_found(viewer_client):
    url = reverse("workspace:dashboard_section", args=["nothing"])
    assert viewer_client.get(url).status_code == 404


def test_see_all_page_answers_htmx_with_its_partial(viewer_client):
    url = reverse("workspace:dashboard_section", args=["dormant"])
    response = viewer_client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="section-results")
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="section-results"')


def test_anniversary_see_all_page_renders(viewer_client):
    PartnershipFactory(established_on=years_before(days(40), 10))
    url = reverse("workspace:dashboard_section", args=["anniversaries"])
    assert "10" in viewer_client.get(url).content.decode()


def test_editor_sees_the_same_dashboard(client):
    client.force_login(editor())
    assert client.get(URL).status_code == 200


# -- query counts ----------------------------------------------------------------------------


def test_dashboard_query_count_does_not_grow_with_the_data(
    viewer_client, django_assert_num_queries
):
    make_attention(1)
    # Expect 3 (session, user, role) + 7 sections of one query each
    # (partnerships and the dormant ones with their last visit as a subquery; upcoming
    # visits and items due soon two: their first ids from the index alone, then their
    # rows, issue 16) + the
    # partnerships latest visited (one batch of visits, issue 16; fewer than ten
    # partnerships: the section is then read as before) + anniversaries (one query for
    # both models' ids, then the rows of each) + my work's card + 3 to save the session.
    # A section with more than ten rows adds its count. My work's card is read with its
    # joins as written (common/join_planning.py: inside the test's transaction a savepoint,
    # SET LOCAL, its reset and the release, 4).
    # (Inside the test's transaction the cache is not used: see test_freshness.py.)
    with django_assert_num_queries(23):
        viewer_client.get(URL)
    make_attention(2)
    with django_assert_num_queries(23):
        viewer_client.get(URL)


def test_see_all_page_query_count_does_not_grow(viewer_client, django_assert_num_queries):
    url = reverse("workspace:dashboard_section", args=["overdue"])
    make_attention(2)
    # Expect 8: session, user, role; the count and the page of rows; saving the session (3).
    with django_assert_num_queries(8):
        viewer_client.get(url)
    make_attention(5)
    with django_assert_num_queries(8):
        viewer_client.get(url)
