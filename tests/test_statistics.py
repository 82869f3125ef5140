"""The statistics page: server-drawn SVG charts with their tables, filtered by home city and
period, one query per chart."""

import datetime as dt

import pytest
from django.urls import reverse

from agreements.models import Agreement
from delegations.models import ActionItem, Visit
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    HomeCityFactory,
    PartnershipFactory,
    ProgressUpdateFactory,
    VisitFactory,
    viewer,
)
from workspace.statistics import action_items_per_quarter, agreements_in_force

pytestmark = pytest.mark.django_db

URL = reverse("workspace:statistics")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def viewer_client(client):
    client.force_login(viewer())
    return client


def make_record(n: int = 1) -> None:
    for i in range(n):
        visit = VisitFactory(
            title=f"V{i}",
            direction=Visit.Direction.INCOMING,
            start_date=dt.date(2025, 5, 11),
            end_date=None,
            status=Visit.Status.COMPLETED,
        )
        AgreementFactory(
            partnership=visit.partnership,
            kind=Agreement.Kind.PROGRAMME,
            status=Agreement.Status.IN_FORCE,
            signed_on=dt.date(2023, 12, 7),
            valid_from=dt.date(2024, 1, 1),
            valid_until=dt.date(2026, 12, 31),
        )
        ActionItemFactory(visit=visit)


def table_row(text: str, chart_id: str, first_cell: str) -> str:
    section = text[text.index(f'id="{chart_id}-title"') :]
    row = section[section.index(f'<th scope="row">{first_cell}</th>') :]
    return row[: row.index("</tr>")]


def test_the_page_draws_every_chart_as_svg_with_its_table(viewer_client):
    make_record()
    text = viewer_client.get(URL, {"from_year": 2020, "until_year": 2025}).text
    assert text.count("<svg") == 6
    assert text.count('class="chart-data') == 6
    assert "<script" not in text.split("</head>", 1)[1]
    row = table_row(text, "chart-visits", "2025")
    assert ">1<" in row  # one incoming visit in 2025


def test_the_home_city_filter_keeps_that_citys_partnerships(viewer_client):
    make_record()
    elsewhere = HomeCityFactory(name="Elsewhere")
    text = viewer_client.get(
        URL, {"from_year": 2020, "until_year": 2025, "home_city": elsewhere.pk}
    ).text
    assert ">1<" not in table_row(text, "chart-visits", "2025")


def test_agreements_in_force_follow_their_validity():
    make_record()
    chart = agreements_in_force(None, [2023, 2024, 2025])
    assert list(chart.series[0].values) == [0, 1, 1]


def test_items_done_after_their_due_date_are_not_on_time():
    partnership = PartnershipFactory()
    visit = VisitFactory(partnership=partnership)
    late = ActionItemFactory(
        visit=visit, partnership=partnership, due_on=dt.date(2025, 1, 10), status="done"
    )
    ProgressUpdateFactory(action_item=late, date=dt.date(2025, 2, 1), status_after="done")
    timely = ActionItemFactory(
        visit=visit, partnership=partnership, due_on=dt.date(2025, 3, 10), status="done"
    )
    ProgressUpdateFactory(action_item=timely, date=dt.date(2025, 3, 1), status_after="done")
    flow, share = action_items_per_quarter(None, [2025])
    assert flow.series[1].values[0] == 2  # both done in 2025 Q1
    assert share.series[0].values[0] == 50
    assert ActionItem.objects.filter(status="done").count() == 2


def test_the_demo_statistics_show_the_may_2025_visits(viewer_client, demo):
    text = viewer_client.get(URL, {"from_year": 2016, "until_year": 2025}).text
    row = table_row(text, "chart-visits", "2025")
    assert ">0<" not in row.split("</td>")[-2]  # the 2025 total is not zero
    assert "Hà Nội – Minsk" in text  # among the most active partnerships


@pytest.mark.parametrize("n", [1, 5])
def test_the_statistics_run_a_fixed_number_of_queries(viewer_client, django_assert_num_queries, n):
    make_record(n)
    # Expect 12: session, user, role; the home-city drop-down; one query per chart
    # (visits, agreements signed, agreements in force, action items, top partnerships);
    # the session save.
    with django_assert_num_queries(12):
        viewer_client.get(URL)
