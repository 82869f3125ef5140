"""The rules hold in PostgreSQL itself, not only in forms."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from agreements.models import Agreement
from common.partialdate import Precision
from delegations.models import ActionItem, Visit, VisitParticipant
from partnerships.models import Partnership, Position
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    CityFactory,
    HomeCityFactory,
    PartnershipFactory,
    PersonFactory,
    PositionFactory,
    VisitFactory,
    VisitParticipantFactory,
)

pytestmark = pytest.mark.django_db


def refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_a_visit_ending_before_it_starts_is_refused_by_the_database():
    visit = VisitFactory()
    refused(
        lambda: Visit.objects.filter(pk=visit.pk).update(
            start_date=dt.date(2025, 5, 13), end_date=dt.date(2025, 5, 11)
        )
    )


def test_a_visit_lasting_more_than_a_year_is_refused_by_the_database():
    visit = VisitFactory()
    refused(
        lambda: Visit.objects.filter(pk=visit.pk).update(
            start_date=dt.date(2025, 5, 11), end_date=dt.date(2205, 5, 13)
        )
    )


def test_a_visit_known_to_the_month_may_end_a_year_after_the_month_ends():
    visit = VisitFactory()
    month = Visit.objects.filter(pk=visit.pk)
    month.update(
        start_date=dt.date(2025, 5, 1),
        start_date_precision=Precision.MONTH,
        end_date=dt.date(2026, 6, 1),
    )
    refused(lambda: month.update(end_date=dt.date(2205, 5, 13)))


def test_a_visit_may_have_no_date_when_the_source_gives_none():
    visit = VisitFactory(start_date=None, end_date=None, date_note="17/11, year not given")
    assert visit.dates_label() == "17/11, year not given"


def test_an_agreement_valid_until_before_valid_from_is_refused():
    refused(
        lambda: AgreementFactory(valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2023, 12, 31))
    )


def test_agreement_references_are_unique():
    AgreementFactory(reference="HN-MSK-2004")
    refused(lambda: AgreementFactory(reference="HN-MSK-2004"))


def test_an_agreement_with_a_parent_must_say_how_it_relates():
    parent = AgreementFactory()
    refused(
        lambda: AgreementFactory(partnership=parent.partnership, parent=parent, parent_relation="")
    )


def test_a_month_precision_signature_cannot_invent_a_day():
    refused(
        lambda: AgreementFactory(
            signed_on=dt.date(2023, 12, 7), signed_on_precision=Precision.MONTH
        )
    )


def test_a_year_precision_signature_is_stored_on_the_first_of_january():
    agreement = AgreementFactory(signed_on=dt.date(2004, 1, 1), signed_on_precision=Precision.YEAR)
    agreement.refresh_from_db()
    assert str(agreement.signed) == "2004"


def test_a_partnership_joins_two_different_cities():
    city = HomeCityFactory()
    refused(lambda: PartnershipFactory(home_city=city, partner_city=city))


def test_a_pair_of_cities_has_one_partnership():
    p = PartnershipFactory()
    refused(lambda: PartnershipFactory(home_city=p.home_city, partner_city=p.partner_city))


def test_a_position_cannot_end_before_it_starts():
    refused(lambda: PositionFactory(start=dt.date(2024, 1, 1), end=dt.date(2023, 1, 1)))


def test_a_position_ending_in_the_year_it_started_is_accepted():
    position = PositionFactory(
        start=dt.date(2023, 12, 7), end=dt.date(2023, 1, 1), end_precision=Precision.YEAR
    )
    assert position.pk


def test_a_visit_has_at_most_one_head_of_delegation():
    visit = VisitFactory()
    VisitParticipantFactory(visit=visit, role=VisitParticipant.Role.HEAD)
    refused(lambda: VisitParticipantFactory(visit=visit, role=VisitParticipant.Role.HEAD))


def test_a_counterpart_cannot_be_a_member_of_the_delegation():
    refused(
        lambda: VisitParticipantFactory(
            side=VisitParticipant.Side.COUNTERPART, role=VisitParticipant.Role.MEMBER
        )
    )


def test_an_action_item_needs_a_visit_or_an_agreement_as_its_source():
    partnership = PartnershipFactory()
    refused(
        lambda: ActionItem.objects.create(partnership=partnership, description="Ký biên bản mới")
    )


def test_deleting_a_city_with_partnerships_is_refused():
    from django.db.models import ProtectedError

    partnership = PartnershipFactory()
    with pytest.raises(ProtectedError):
        partnership.partner_city.delete()


def test_deleting_a_partnership_with_agreements_is_refused():
    from django.db.models import ProtectedError

    agreement = AgreementFactory()
    with pytest.raises(ProtectedError):
        agreement.partnership.delete()


def test_every_save_is_recorded_in_history():
    item = ActionItemFactory()
    item.status = ActionItem.Status.DONE
    item.save()
    assert item.history.count() == 2
    assert item.history.first().status == ActionItem.Status.DONE


def test_position_and_partnership_models_accept_sound_records():
    person = PersonFactory()
    PositionFactory(person=person, start=dt.date(2020, 1, 1), start_precision=Precision.YEAR)
    PartnershipFactory(home_city=HomeCityFactory(), partner_city=CityFactory())
    assert Position.objects.count() == 1
    assert Partnership.objects.count() == 1
    assert Agreement.objects.count() == 0
