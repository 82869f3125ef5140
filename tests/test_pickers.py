"""Pickers for people, organisations and cities (issue 14, "Forms"): a typed box with
suggestions fetched by htmx, bounded however many records there are, that works without
JavaScript (the name typed names one record, or the form says why not)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agreements.forms import SignatoryForm
from delegations.visit_parts import ParticipantRowForm
from partnerships.models import Person
from tests.factories import (
    AgreementFactory,
    OrganisationFactory,
    PersonFactory,
    SignatoryFactory,
    VisitFactory,
    VisitParticipantFactory,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def many_people(n: int) -> None:
    Person.objects.bulk_create(
        Person(full_name=f"Nguyễn Văn Số {i}", country="VN") for i in range(n)
    )


@pytest.mark.parametrize("n", [10, 5000])
def test_suggestions_stay_bounded_with_thousands_of_people(
    client: Client, django_assert_num_queries: Any, n: int
) -> None:
    many_people(n)
    client.force_login(viewer())
    url = reverse("partnerships:pick", args=["people"])
    # Expect 7: the session, the user, the role, the first 20 people matching, the
    # session save (3), with 10 people as with 5,000.
    with django_assert_num_queries(7):
        response = client.get(url, {"participants-0-person": "nguyen van"})
    assert response.status_code == 200
    assert response.text.count("<option") == min(n, 20)


def test_a_suggestion_carries_the_record_s_id(client: Client) -> None:
    person = PersonFactory(full_name="Trần Sỹ Thanh")
    client.force_login(viewer())
    response = client.get(reverse("partnerships:pick", args=["people"]), {"x": "tran sy"})
    assert f'<option value="Trần Sỹ Thanh (#{person.pk})"></option>' in response.text


def test_an_unknown_kind_is_not_found(client: Client) -> None:
    client.force_login(viewer())
    assert client.get(reverse("partnerships:pick", args=["cats"]), {"x": "ab"}).status_code == 404


def signatory_data(person: str, organisation: str = "") -> dict[str, str]:
    return {
        "person": person,
        "role": "signatory",
        "position_title": "",
        "organisation": organisation,
    }


def test_a_suggestion_picked_names_its_record() -> None:
    person = PersonFactory(full_name="Trần Sỹ Thanh")
    PersonFactory(full_name="Trần Sỹ Thanh")  # a namesake: the id decides
    form = SignatoryForm(signatory_data(f"Trần Sỹ Thanh (#{person.pk})"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == person


def test_without_javascript_a_name_typed_in_full_picks_the_one_it_names() -> None:
    person = PersonFactory(full_name="Phạm Thị Hồng")
    PersonFactory(full_name="Phạm Thị Hồng Nhung")
    form = SignatoryForm(signatory_data("pham thi hong nhung"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] != person
    exact = SignatoryForm(signatory_data("Phạm Thị Hồng"))
    assert exact.is_valid(), exact.errors
    assert exact.cleaned_data["person"] == person


def test_a_name_that_matches_several_or_none_is_explained() -> None:
    PersonFactory(full_name="Lê Văn An")
    PersonFactory(full_name="Lê Văn Anh")
    several = SignatoryForm(signatory_data("le van"))
    assert not several.is_valid()
    assert "Several records match" in str(several.errors["person"])
    none = SignatoryForm(signatory_data("Không Ai Cả"))
    assert not none.is_valid()
    assert "Nothing recorded is called" in str(none.errors["person"])


def test_the_agreement_form_shows_its_signatories_as_names_not_a_list_of_everyone(
    client: Client,
) -> None:
    many_people(300)
    signatory = SignatoryFactory(agreement=AgreementFactory(), organisation=OrganisationFactory())
    client.force_login(editor())
    html = client.get(reverse("agreements:agreement_edit", args=[signatory.agreement.pk])).text
    assert f'value="{signatory.person} (#{signatory.person.pk})"' in html
    assert 'list="id_signatories-0-person-options"' in html
    assert '<select name="signatories-0-person"' not in html
    assert html.count("Nguyễn Văn Số") == 0


def test_a_visit_member_row_shows_its_person_by_name_not_a_list_of_everyone() -> None:
    many_people(300)
    participant = VisitParticipantFactory(visit=VisitFactory())
    form = ParticipantRowForm(instance=participant, visit=participant.visit)
    html = str(form["person"])
    assert f'value="{participant.person} (#{participant.person.pk})"' in html
    assert "<select" not in html
    assert "Nguyễn Văn Số" not in html
