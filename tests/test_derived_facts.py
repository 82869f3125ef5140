"""Derived facts on their boundary dates."""

import datetime as dt

import pytest

from agreements.models import Agreement
from common.partialdate import PartialDate, Precision
from delegations.models import ActionItem
from delegations.partnership_visits import dormant as dormant_partnerships
from partnerships.models import Partnership, Position, next_round_anniversary
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    PartnershipFactory,
    PersonFactory,
    PositionFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def programme():
    return AgreementFactory(valid_from=D(2024, 1, 1), valid_until=D(2026, 12, 31))


def test_an_agreement_is_in_force_on_its_first_and_last_day(programme):
    assert programme in Agreement.objects.in_force(on=D(2024, 1, 1))
    assert programme in Agreement.objects.in_force(on=D(2026, 12, 31))
    assert programme.is_in_force(on=D(2026, 12, 31))


def test_an_agreement_is_not_in_force_the_day_before_or_after(programme):
    assert programme not in Agreement.objects.in_force(on=D(2023, 12, 31))
    assert programme not in Agreement.objects.in_force(on=D(2027, 1, 1))
    assert not programme.is_in_force(on=D(2027, 1, 1))


def test_a_draft_is_never_in_force():
    draft = AgreementFactory(status=Agreement.Status.DRAFT)
    assert draft not in Agreement.objects.in_force(on=D(2025, 1, 1))


def test_an_agreement_without_end_stays_in_force():
    friendship = AgreementFactory(
        signed_on=D(2004, 1, 1),
        signed_on_precision=Precision.YEAR,
        valid_from=None,
        valid_until=None,
    )
    assert friendship in Agreement.objects.in_force(on=D(2025, 5, 12))
    assert friendship not in Agreement.objects.in_force(on=D(2003, 12, 31))


def test_expiring_within_counts_the_last_day_of_the_window(programme):
    on = D(2026, 12, 31) - dt.timedelta(days=180)
    assert programme in Agreement.objects.expiring_within(days=180, on=on)
    assert programme not in Agreement.objects.expiring_within(days=179, on=on)


def test_an_expired_agreement_is_not_expiring(programme):
    assert programme not in Agreement.objects.expiring_within(days=180, on=D(2027, 1, 1))


def test_an_expired_mou_without_successor_is_flagged():
    mou = AgreementFactory(
        status=Agreement.Status.EXPIRED, valid_from=D(2017, 1, 1), valid_until=D(2020, 12, 31)
    )
    assert mou in Agreement.objects.expired_without_successor(on=D(2021, 1, 1))
    assert mou not in Agreement.objects.expired_without_successor(on=D(2020, 12, 31))


def test_a_signed_renewal_is_a_successor():
    mou = AgreementFactory(valid_from=D(2017, 1, 1), valid_until=D(2020, 12, 31))
    AgreementFactory(partnership=mou.partnership, parent=mou, parent_relation="renews")
    assert mou not in Agreement.objects.expired_without_successor(on=D(2025, 1, 1))


def test_a_draft_renewal_is_not_yet_a_successor():
    mou = AgreementFactory(valid_from=D(2017, 1, 1), valid_until=D(2020, 12, 31))
    AgreementFactory(
        partnership=mou.partnership, parent=mou, parent_relation="renews", status="draft"
    )
    assert mou in Agreement.objects.expired_without_successor(on=D(2025, 1, 1))


def test_an_implementing_programme_is_not_a_successor():
    mou = AgreementFactory(valid_from=D(2017, 1, 1), valid_until=D(2020, 12, 31))
    AgreementFactory(partnership=mou.partnership, parent=mou, parent_relation="implements")
    assert mou in Agreement.objects.expired_without_successor(on=D(2025, 1, 1))


def test_lineage_runs_from_the_oldest_agreement():
    founding = AgreementFactory(reference="A-2004")
    programme = AgreementFactory(
        reference="A-2024",
        partnership=founding.partnership,
        parent=founding,
        parent_relation="implements",
    )
    assert [a.reference for a in programme.lineage()] == ["A-2004", "A-2024"]


def test_a_position_is_held_on_its_first_and_last_day():
    position = PositionFactory(start=D(2020, 7, 1), end=D(2025, 6, 30))
    assert position in Position.objects.held_on(D(2020, 7, 1))
    assert position in Position.objects.held_on(D(2025, 6, 30))
    assert position not in Position.objects.held_on(D(2020, 6, 30))
    assert position not in Position.objects.held_on(D(2025, 7, 1))


def test_a_position_ending_in_a_known_year_covers_that_whole_year():
    position = PositionFactory(start=D(2020, 1, 1), end=D(2024, 1, 1), end_precision=Precision.YEAR)
    assert position in Position.objects.held_on(D(2024, 12, 31))
    assert position not in Position.objects.held_on(D(2025, 1, 1))


def test_a_position_ending_in_a_known_month_covers_that_whole_month():
    position = PositionFactory(
        start=D(2020, 1, 1), end=D(2024, 2, 1), end_precision=Precision.MONTH
    )
    assert position in Position.objects.held_on(D(2024, 2, 29))
    assert position not in Position.objects.held_on(D(2024, 3, 1))


def test_a_record_made_in_2023_shows_who_held_the_office_then():
    person = PersonFactory(full_name="Trần Sỹ Thanh")
    old = PositionFactory(
        person=person, title="Phó Chủ tịch", start=D(2015, 1, 1), end=D(2022, 6, 30)
    )
    new = PositionFactory(person=person, title="Chủ tịch", start=D(2022, 7, 1))
    assert person.position_on(D(2021, 1, 1)) == old
    assert person.position_on(D(2023, 12, 7)) == new


@pytest.mark.parametrize(
    ("since", "on", "expected"),
    [
        (PartialDate(D(1994, 1, 1), Precision.YEAR), D(2024, 5, 16), (30, "2024")),
        (PartialDate(D(1994, 1, 1), Precision.YEAR), D(2024, 12, 31), (30, "2024")),
        (PartialDate(D(1994, 1, 1), Precision.YEAR), D(2025, 1, 1), (35, "2029")),
        (PartialDate(D(2004, 6, 15)), D(2024, 6, 15), (20, "15/06/2024")),
        (PartialDate(D(2004, 6, 15)), D(2024, 6, 16), (25, "15/06/2029")),
        (PartialDate(D(2023, 12, 1), Precision.MONTH), D(2028, 12, 31), (5, "12/2028")),
    ],
)
def test_the_next_round_anniversary(since, on, expected):
    anniversary = next_round_anniversary(since, on)
    assert anniversary is not None
    years, when = anniversary
    assert (years, str(when)) == expected


def test_a_partnership_without_a_visit_for_three_years_is_dormant():
    quiet = PartnershipFactory()
    VisitFactory(partnership=quiet, start_date=D(2022, 11, 22), end_date=D(2022, 11, 22))
    busy = PartnershipFactory()
    VisitFactory(partnership=busy, start_date=D(2022, 11, 23), end_date=D(2022, 11, 23))
    dormant = dormant_partnerships(Partnership.objects.all(), years=3, on=D(2025, 11, 23))
    assert quiet in dormant
    assert busy not in dormant


def test_an_action_item_due_in_a_month_is_overdue_only_after_that_month():
    item = ActionItemFactory(due_on=D(2025, 9, 1), due_on_precision=Precision.MONTH)
    assert item not in ActionItem.objects.overdue(on=D(2025, 9, 30))
    assert item in ActionItem.objects.overdue(on=D(2025, 10, 1))
    assert item.is_overdue(on=D(2025, 10, 1))


def test_a_done_action_item_is_never_overdue():
    item = ActionItemFactory(due_on=D(2025, 9, 1), status=ActionItem.Status.DONE)
    assert item not in ActionItem.objects.overdue(on=D(2026, 1, 1))


def test_due_within_includes_the_last_day_of_the_window():
    item = ActionItemFactory(due_on=D(2025, 10, 31))
    assert item in ActionItem.objects.due_within(days=30, on=D(2025, 10, 1))
    assert item not in ActionItem.objects.due_within(days=29, on=D(2025, 10, 1))
