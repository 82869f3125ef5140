"""An end date not recorded is not "no end date" (issue 13 pt 9): visits and positions say
which, as agreements do; forms, pages and the brief keep them apart."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from common.models import EndKind
from delegations.brief import gather_brief
from delegations.models import Visit
from partnerships.models import Position
from tests.factories import (
    PositionFactory,
    VisitFactory,
    VisitParticipantFactory,
    editor,
    viewer,
)
from tests.test_visit_pages import visit_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def one_day_visit(**fields):
    return VisitFactory(start_date=dt.date(2025, 5, 11), end_date=None, **fields)


# --- visits ---------------------------------------------------------------------------
def test_a_visit_without_an_end_date_is_one_day_unless_its_end_is_not_recorded():
    one_day = one_day_visit()
    unknown = one_day_visit(end_date_kind=EndKind.NOT_RECORDED)
    assert not one_day.end_not_recorded
    assert unknown.end_not_recorded
    assert one_day.dates_label() == "11/05/2025"
    assert unknown.dates_label() == "11/05/2025 – ?"


def test_a_visit_with_an_end_date_cannot_say_its_end_is_not_recorded():
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(end_date=dt.date(2025, 5, 13), end_date_kind=EndKind.NOT_RECORDED)


def test_the_visit_form_records_an_end_not_recorded(client):
    visit = VisitFactory()
    client.force_login(editor())
    data = visit_data(visit.partnership, visit, end_date="", end_date_kind="not_recorded")
    response = client.post(reverse("delegations:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.end_date, visit.end_date_kind) == (None, EndKind.NOT_RECORDED)
    page = client.get(visit.get_absolute_url()).text
    assert "11/05/2025 – ? (end date not recorded)" in page


def test_an_end_date_typed_makes_the_visit_form_forget_not_recorded(client):
    visit = VisitFactory(end_date=None, end_date_kind=EndKind.NOT_RECORDED)
    client.force_login(editor())
    data = visit_data(visit.partnership, visit, end_date="13/05/2025", end_date_kind="not_recorded")
    response = client.post(reverse("delegations:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.end_date, visit.end_date_kind) == (dt.date(2025, 5, 13), EndKind.OPEN)


def test_a_client_that_does_not_send_the_choice_keeps_a_one_day_visit(client):
    visit = VisitFactory()
    client.force_login(editor())
    data = visit_data(visit.partnership, visit, end_date="")
    client.post(reverse("delegations:visit_edit", args=[visit.pk]), data)
    visit.refresh_from_db()
    assert visit.end_date_kind == EndKind.OPEN


@pytest.mark.parametrize(
    ("kind", "printed"),
    [
        (EndKind.NOT_RECORDED, "11/05/2025 – (end date not recorded)"),
        (EndKind.OPEN, "11/05/2025"),  # one day
    ],
)
def test_the_brief_prints_a_visit_end_not_recorded_as_such(kind, printed):
    visit = one_day_visit(end_date_kind=kind)
    assert gather_brief(visit.pk, lang="en", on=dt.date(2025, 5, 1)).dates == printed


# --- positions ------------------------------------------------------------------------
def test_a_position_without_an_end_is_still_held_unless_its_end_is_not_recorded():
    held = PositionFactory(end=None)
    unknown = PositionFactory(end=None, end_kind=EndKind.NOT_RECORDED)
    assert not held.end_not_recorded
    assert unknown.end_not_recorded
    # Not known to have ended: both still count among the positions held (the brief marks it).
    assert set(Position.objects.held_on(dt.date(2025, 5, 1))) == {held, unknown}


def test_a_position_with_an_end_date_cannot_say_its_end_is_not_recorded():
    with pytest.raises(IntegrityError), transaction.atomic():
        PositionFactory(end=dt.date(2024, 1, 1), end_kind=EndKind.NOT_RECORDED)


def test_the_person_page_says_a_position_end_is_not_recorded(client):
    position = PositionFactory(end=None, end_kind=EndKind.NOT_RECORDED, title="Chủ tịch")
    client.force_login(viewer())
    page = client.get(reverse("partnerships:person_detail", args=[position.person_id])).text
    assert "end date not recorded" in page


def test_the_person_form_records_a_position_end_not_recorded(client):
    position = PositionFactory(end=None, title="Chủ tịch")
    person = position.person
    client.force_login(editor())
    data = {
        "full_name": person.full_name,
        "country": person.country,
        "version": person.version,
        "positions-TOTAL_FORMS": "1",
        "positions-INITIAL_FORMS": "1",
        "positions-0-id": position.pk,
        "positions-0-person": person.pk,
        "positions-0-organisation": position.organisation_id,
        "positions-0-title": "Chủ tịch",
        "positions-0-start": "",
        "positions-0-end": "",
        "positions-0-end_kind": "not_recorded",
    }
    response = client.post(reverse("partnerships:person_edit", args=[person.pk]), data)
    assert response.status_code == 302, response.context["formsets"]["positions"].errors
    position.refresh_from_db()
    assert position.end_kind == EndKind.NOT_RECORDED


def test_the_brief_marks_a_position_whose_end_is_not_recorded():
    visit = VisitFactory()
    participant = VisitParticipantFactory(visit=visit)
    PositionFactory(person=participant.person, title="Chủ tịch", end_kind=EndKind.NOT_RECORDED)
    PositionFactory(person=participant.person, title="Phó Bí thư")
    brief = gather_brief(visit.pk, lang="vi", on=dt.date(2025, 5, 1))
    [person] = brief.our_side
    labels = [str(position) for position in person.positions_now]
    marked = [label for label in labels if label.endswith(")")]
    assert len(marked) == 1
    assert marked[0].startswith("Chủ tịch")
    assert Visit.objects.get(pk=visit.pk).end_date_kind == EndKind.OPEN
