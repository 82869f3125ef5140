import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from common.partialdate import PartialDate, Precision, parse_partial_date
from common.text import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2004", PartialDate(dt.date(2004, 1, 1), Precision.YEAR)),
        ("12/2023", PartialDate(dt.date(2023, 12, 1), Precision.MONTH)),
        ("2023-12", PartialDate(dt.date(2023, 12, 1), Precision.MONTH)),
        ("07/12/2023", PartialDate(dt.date(2023, 12, 7), Precision.DAY)),
        ("7.12.2023", PartialDate(dt.date(2023, 12, 7), Precision.DAY)),
        ("2023-12-07", PartialDate(dt.date(2023, 12, 7), Precision.DAY)),
        (" 07/12/2023\xa0", PartialDate(dt.date(2023, 12, 7), Precision.DAY)),
    ],
)
def test_partial_dates_are_read_day_first_and_keep_their_precision(text, expected):
    assert parse_partial_date(text) == expected


def test_an_impossible_date_is_an_error_not_a_guess():
    with pytest.raises(ValidationError) as excinfo:
        parse_partial_date("31/02/2024")
    assert excinfo.value.code == "impossible_date"


def test_text_that_is_no_date_is_an_error():
    with pytest.raises(ValidationError) as excinfo:
        parse_partial_date("tháng mười hai")
    assert excinfo.value.code == "invalid_date"


def test_partial_dates_are_refused_where_a_day_is_needed():
    with pytest.raises(ValidationError):
        parse_partial_date("2004", allow_partial=False)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (PartialDate(dt.date(2004, 1, 1), Precision.YEAR), "2004"),
        (PartialDate(dt.date(2023, 12, 1), Precision.MONTH), "12/2023"),
        (PartialDate(dt.date(2023, 12, 7), Precision.DAY), "07/12/2023"),
    ],
)
def test_partial_dates_print_as_known(value, shown):
    assert str(value) == shown


def test_partial_dates_sort_by_their_first_day():
    dates = [
        PartialDate(dt.date(2023, 12, 7)),
        PartialDate(dt.date(2004, 1, 1), Precision.YEAR),
        PartialDate(dt.date(2023, 12, 1), Precision.MONTH),
    ]
    assert [str(d) for d in sorted(dates)] == ["2004", "12/2023", "07/12/2023"]


def test_a_month_precision_date_cannot_carry_an_invented_day():
    with pytest.raises(ValueError, match="on the 1st"):
        PartialDate(dt.date(2023, 12, 7), Precision.MONTH)


@pytest.mark.parametrize(
    ("precision", "start", "last"),
    [
        (Precision.YEAR, dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        (Precision.MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (Precision.MONTH, dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
        (Precision.DAY, dt.date(2023, 12, 7), dt.date(2023, 12, 7)),
    ],
)
def test_the_last_day_a_partial_date_stands_for(precision, start, last):
    assert PartialDate(start, precision).last_day() == last


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hà Nội", "ha noi"),
        ("Viêng Chăn", "vieng chan"),
        ("Nguyễn Mạnh Quyền", "nguyen manh quyen"),
        ("Đông Hồ", "dong ho"),
        ("  MINSK\xa0", "minsk"),
    ],
)
def test_folding_ignores_case_accents_spaces_and_folds_d_with_stroke(text, folded):
    assert fold(text) == folded
