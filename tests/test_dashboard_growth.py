"""Issue 16: the dashboard's sections read a bounded part of the archive, with the same
rows as the rules they stand for (round anniversaries, the partnerships visited last)."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from agreements import models as agreement_models
from agreements.models import Agreement
from common.partialdate import Precision
from delegations.models import Visit
from delegations.partnership_visits import latest_visited
from partnerships.models import Partnership
from tests.factories import AgreementFactory, PartnershipFactory, VisitFactory
from workspace import dashboard_sections as overview

pytestmark = pytest.mark.django_db

PRECISIONS = (Precision.DAY, Precision.MONTH, Precision.YEAR)


def _dates(count: int, start_year: int) -> list[tuple[dt.date, Precision]]:
    """``count`` dates over 30 years, every precision, 1 January and month starts included."""
    out = []
    for i, precision in zip(range(count), itertools.cycle(PRECISIONS), strict=False):
        year = start_year + (i * 7) % 30
        month = 1 + (i * 5) % 12
        day = 1 if precision != Precision.DAY else 1 + (i * 11) % 28
        if precision == Precision.YEAR:
            month = 1
        out.append((dt.date(year, month, day), precision))
    return out


def _shape(rows: list[overview.Anniversary]) -> list[tuple[int, int | None, int, dt.date]]:
    return [
        (row.partnership.pk, row.agreement.pk if row.agreement else None, row.years, row.when.date)
        for row in rows
    ]


@pytest.fixture
def archive() -> None:
    for established, precision in _dates(40, 1990):
        PartnershipFactory(established_on=established, established_on_precision=precision)
    for signed, precision in _dates(90, 1993):
        AgreementFactory(
            signed_on=signed, signed_on_precision=precision, status=Agreement.Status.IN_FORCE
        )
    AgreementFactory(signed_on=dt.date(2001, 3, 4), status=Agreement.Status.DRAFT)  # not signed


@pytest.mark.parametrize(
    "on",
    [
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 29),
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 17),
        dt.date(2025, 12, 31),
        dt.date(2026, 7, 1),
        dt.date(2027, 11, 30),
    ],
)
def test_indexed_anniversaries_are_the_first_of_the_full_rule(archive, on):
    everything, total, capped = overview.anniversary_rows(on)
    assert total > 10  # the fixture gives each day more than a section's worth
    first, counted, first_capped = overview.anniversary_rows(on, limit=10)
    assert _shape(first) == _shape(everything[:10])
    assert (counted, first_capped) == (total, False)
    assert not capped


def test_indexed_anniversaries_count_up_to_the_cap(archive):
    on = dt.date(2025, 3, 17)
    everything, _total, _capped = overview.anniversary_rows(on)
    rows, total, capped = overview.anniversary_rows(on, limit=3, cap=5)
    assert _shape(rows) == _shape(everything[:3])
    assert (total, capped) == (5, True)


def test_the_indexes_conditions_follow_the_model():
    assert tuple(Agreement.CONCLUDED) == agreement_models._CONCLUDED


def test_latest_visited_partnerships_are_the_sections_first_rows():
    today = timezone.localdate()
    for i in range(14):
        partnership = PartnershipFactory()
        for start in (
            today - dt.timedelta(days=10 * ((i + 1) // 2)),
            today - dt.timedelta(days=400 + i),
        ):
            VisitFactory(partnership=partnership, start_date=start, end_date=start)
    ended = PartnershipFactory(status=Partnership.Status.ENDED)
    soon = today + dt.timedelta(days=3)
    VisitFactory(partnership=ended, start_date=soon, end_date=soon)
    cancelled = PartnershipFactory()
    VisitFactory(
        partnership=cancelled,
        start_date=soon,
        end_date=soon,
        status=Visit.Status.CANCELLED,
    )
    active = Partnership.objects.exclude(status=Partnership.Status.ENDED)
    expected = list(overview._querysets(today)["partnerships"][:10])
    # Pairs of partnerships share a date: the tenth is tied with the eleventh, both read.
    for batch in (1, 3, 100):
        found = latest_visited(active, 10, batch=batch)
        assert len(found) == 10 + 1
        assert {p.pk for p in expected} <= set(found)
        assert ended.pk not in found
        assert cancelled.pk not in found
    group = overview.sections(today)["partnerships"]
    assert group.rows == expected
    assert (group.total, group.capped) == (active.count(), False)
