"""A visit lasts at most a year: an end date years away is a typo (2205 for 2025)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from common.partialdate import Precision
from tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_visit_ending_years_later_says_how_long_it_would_last():
    visit = VisitFactory.build(start_date=dt.date(2025, 5, 11), end_date=dt.date(2205, 5, 13))

    with pytest.raises(ValidationError) as refused:
        visit.clean()

    assert refused.value.message_dict == {
        "end_date": [
            "The visit would last 65746 days: a visit lasts at most a year. Check the end date."
        ]
    }


def test_a_visit_of_366_days_after_its_first_is_accepted():
    visit = VisitFactory(start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 1, 1))

    visit.full_clean()  # the model's rule and the database constraint's check


def test_a_visit_of_367_days_after_its_first_is_refused():
    visit = VisitFactory.build(start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 1, 2))

    with pytest.raises(ValidationError, match="would last 368 days"):
        visit.clean()


@pytest.mark.parametrize(
    ("start", "precision", "end"),
    [
        # Known to the month: it may have begun on 31/05.
        (dt.date(2025, 5, 1), Precision.MONTH, dt.date(2026, 6, 1)),
        # Known to the year: it may have begun on 31/12.
        (dt.date(2025, 1, 1), Precision.YEAR, dt.date(2026, 12, 31)),
    ],
)
def test_a_visit_known_to_the_month_or_year_counts_from_the_last_day_it_may_have_begun(
    start, precision, end
):
    visit = VisitFactory(start_date=start, start_date_precision=precision, end_date=end)

    visit.full_clean()


def test_a_visit_known_to_the_month_ending_years_later_is_refused():
    visit = VisitFactory.build(
        start_date=dt.date(2025, 5, 1),
        start_date_precision=Precision.MONTH,
        end_date=dt.date(2205, 5, 13),
    )

    with pytest.raises(ValidationError, match="would last 65726 days"):
        visit.clean()


def test_the_length_is_written_in_the_interface_s_language():
    visit = VisitFactory.build(start_date=dt.date(2025, 5, 11), end_date=dt.date(2205, 5, 13))

    with translation.override("vi"):
        with pytest.raises(ValidationError) as refused:
            visit.clean()
        (message,) = refused.value.message_dict["end_date"]
    assert message == (
        "Chuyến thăm sẽ kéo dài 65746 ngày: một chuyến thăm dài tối đa một năm. "
        "Hãy kiểm tra ngày kết thúc."
    )
