"""The statistics on a database other than PostgreSQL (a first run on SQLite) give the
same figures: workspace.statistics_portable, run here on the demo data and on data made
for the edge cases, against the PostgreSQL queries."""

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Agreement
from delegations.models import ActionItem
from partnerships.models import City
from tests.factories import ActionItemFactory, AgreementFactory, ProgressUpdateFactory
from workspace import statistics

pytestmark = pytest.mark.django_db


def figures(home_city, first, until):
    return [
        (list(chart.categories), [list(series.values) for series in chart.series])
        for chart in statistics.statistics_charts(home_city, first, until)
    ]


def edge_cases():
    # Valid from the first day of a year, until the last day of another; no start at all;
    # a done item with no note (its last change counts), one done late by a month's due date.
    AgreementFactory(
        status=Agreement.Status.IN_FORCE,
        signed_on=dt.date(2019, 12, 31),
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2024, 12, 31),
    )
    AgreementFactory(
        status=Agreement.Status.IN_FORCE, signed_on=None, valid_from=None, valid_until=None
    )
    ActionItemFactory(status=ActionItem.Status.DONE)
    late = ActionItemFactory(
        status=ActionItem.Status.DONE, due_on=dt.date(2025, 1, 1), due_on_precision="month"
    )
    ProgressUpdateFactory(action_item=late, date=dt.date(2025, 2, 1), status_after="done")


@pytest.mark.parametrize("home", [False, True])
def test_the_portable_counts_equal_postgresqls(demo, monkeypatch, home):
    edge_cases()
    home_city = City.objects.filter(home_partnerships__isnull=False).first() if home else None
    on_postgresql = figures(home_city, 2015, timezone.localdate().year)
    monkeypatch.setattr(statistics, "on_postgresql", lambda: False)
    portable = figures(home_city, 2015, timezone.localdate().year)
    assert portable == on_postgresql
    assert any(any(values) for _labels, serieses in portable for values in serieses)
