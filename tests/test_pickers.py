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
from partnerships.models import City, Organisation, Partnership, Person
from tests.factories import (
    AgreementFactory,
    CityFactory,
    HomeCityFactory,
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


# ---- cities: every city choice of a form is a picker ----------------------------------


def many_cities(n: int) -> None:
    City.objects.bulk_create(
        City(name=f"Thành phố {i}", name_en=f"Town {i}", country="BY") for i in range(n)
    )


@pytest.mark.parametrize(
    ("url_name", "field"),
    [
        ("partnerships:partnership_create", "partner_city"),
        ("partnerships:organisation_create", "city"),
    ],
)
def test_city_choices_of_forms_are_pickers_not_lists_of_every_city(
    client: Client, url_name: str, field: str
) -> None:
    many_cities(30)
    client.force_login(editor())
    html = client.get(reverse(url_name)).text
    box = html.split(f'name="{field}"', 1)[1].split(">", 1)[0]
    assert "/pick/" in box
    assert "cities/" in box
    assert "Thành phố 29" not in html  # no <option> of every city


@pytest.mark.parametrize("n", [10, 2000])
def test_the_partnership_and_organisation_forms_stay_fast_with_thousands_of_cities(
    client: Client, django_assert_num_queries: Any, n: int
) -> None:
    many_cities(n)
    HomeCityFactory()
    client.force_login(editor())
    # Expect 9: the session, the user, the role; the home cities, the focal offices and
    # the fields of cooperation (short lists); the session save (3), with 10 partner
    # cities as with 2,000.
    with django_assert_num_queries(9):
        client.get(reverse("partnerships:partnership_create"))
    # Expect 6: the session, the user, the role; the session save (3), with 10 cities as
    # with 2,000 (the city and the parent are typed-in pickers).
    with django_assert_num_queries(6):
        client.get(reverse("partnerships:organisation_create"))


@pytest.mark.parametrize("n", [10, 2000])
def test_partner_city_suggestions_are_bounded_and_leave_out_home_cities(
    client: Client, django_assert_num_queries: Any, n: int
) -> None:
    many_cities(n)
    home = HomeCityFactory(name="Thành phố Hà Nội")
    client.force_login(viewer())
    url = reverse("partnerships:pick", args=["partner-cities"])
    # Expect 7: the session, the user, the role, the first 20 cities matching, the
    # session save (3), with 10 cities as with 2,000.
    with django_assert_num_queries(7):
        response = client.get(url, {"partner_city": "thanh pho"})
    assert response.text.count("<option") == min(n, 20)
    assert f"(#{home.pk})" not in response.text


def test_without_javascript_a_partner_city_typed_by_name_is_picked(client: Client) -> None:
    minsk = CityFactory(name="Minsk", name_en="Minsk")
    CityFactory(name="Mátxcơva")
    home = HomeCityFactory()
    client.force_login(editor())
    data = {
        "home_city": home.pk,
        "partner_city": "minsk",
        "kind": "sister_city",
        "status": "active",
        "established_on": "2004",
        "summary": "",
    }
    response = client.post(reverse("partnerships:partnership_create"), data)
    assert response.status_code == 302
    assert Partnership.objects.get().partner_city == minsk


def test_a_home_city_cannot_be_typed_in_as_a_partner_city(client: Client) -> None:
    home = HomeCityFactory(name="Hà Nội")
    client.force_login(editor())
    data = {"home_city": home.pk, "partner_city": f"Hà Nội (#{home.pk})", "kind": "sister_city"}
    response = client.post(reverse("partnerships:partnership_create"), data)
    assert response.status_code == 422
    assert response.context["form"].errors["partner_city"]


def test_a_city_asked_for_in_the_address_shows_by_name(client: Client) -> None:
    minsk = CityFactory(name="Minsk")
    client.force_login(editor())
    html = client.get(reverse("partnerships:organisation_create"), {"city": minsk.pk}).text
    assert f'value="Minsk (#{minsk.pk})"' in html


def test_the_organisation_list_filters_by_a_city_typed_in(client: Client) -> None:
    minsk = CityFactory(name="Minsk")
    OrganisationFactory(name="Ủy ban Minsk", city=minsk)
    OrganisationFactory(name="Ủy ban khác", city=CityFactory(name="Gomel"))
    client.force_login(viewer())
    html = client.get(reverse("partnerships:organisation_list"), {"city": "minsk"}).text
    assert "Ủy ban Minsk" in html
    assert "Ủy ban khác" not in html


def organisation_data(organisation: Organisation, **changes: Any) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "kind": organisation.kind,
        "country": "VN",
        "version": organisation.version,
        **changes,
    }


@pytest.mark.parametrize("n", [10, 2000])
def test_the_organisation_form_shows_its_parent_by_name_not_a_list_of_every_organisation(
    client: Client, django_assert_num_queries: Any, n: int
) -> None:
    Organisation.objects.bulk_create(
        Organisation(name=f"Cơ quan số {i}", country="VN") for i in range(n)
    )
    parent = OrganisationFactory(name="UBND TP Hà Nội")
    unit = OrganisationFactory(name="Sở Ngoại vụ Hà Nội", parent=parent)
    client.force_login(editor())
    url = reverse("partnerships:organisation_edit", args=[unit.pk])
    # Expect 7: the session, the user, the role; the organisation with its city and
    # parent; the session save (3), with 10 organisations as with 2,000.
    with django_assert_num_queries(7):
        html = client.get(url).text
    box = html.split('name="parent"', 1)[1].split(">", 1)[0]
    assert f'value="UBND TP Hà Nội (#{parent.pk})"' in box
    assert "/pick/organisations/" in box
    assert "Cơ quan số 9" not in html  # no <option> of every organisation


def test_without_javascript_a_parent_typed_by_name_is_picked(client: Client) -> None:
    parent = OrganisationFactory(name="Ủy ban nhân dân Thành phố Hà Nội")
    unit = OrganisationFactory(name="Sở Ngoại vụ Hà Nội")
    client.force_login(editor())
    url = reverse("partnerships:organisation_edit", args=[unit.pk])
    response = client.post(url, organisation_data(unit, parent="uy ban nhan dan thanh pho"))
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.parent == parent
    # Picked from the suggestions ("Name (#id)"), and taken off again.
    other = OrganisationFactory(name="Bộ Ngoại giao")
    unit.refresh_from_db()
    client.post(url, organisation_data(unit, parent=f"Bộ Ngoại giao (#{other.pk})"))
    unit.refresh_from_db()
    assert unit.parent == other
    client.post(url, organisation_data(unit, parent=""))
    unit.refresh_from_db()
    assert unit.parent is None


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("Không có cơ quan này", "Nothing recorded is called"),
        ("Sở", "Several records match"),
        ("own", "An organisation cannot be part of itself."),
        ("own by name", "An organisation cannot be part of itself."),
    ],
)
def test_a_parent_that_names_none_several_or_itself_is_refused_next_to_the_field(
    client: Client, typed: str, error: str
) -> None:
    OrganisationFactory(name="Sở Tư pháp")
    unit = OrganisationFactory(name="Sở Ngoại vụ Hà Nội")
    if typed == "own":
        typed = f"Sở Ngoại vụ Hà Nội (#{unit.pk})"
    elif typed == "own by name":
        typed = "Sở Ngoại vụ Hà Nội"
    client.force_login(editor())
    url = reverse("partnerships:organisation_edit", args=[unit.pk])
    response = client.post(url, organisation_data(unit, parent=typed))
    assert response.status_code == 422
    field_error = response.text.split('id="id_parent_error"', 1)[1].split("</div>", 1)[0]
    assert error in field_error
    unit.refresh_from_db()
    assert unit.parent is None


def test_a_parent_already_under_the_organisation_is_refused_next_to_the_field(
    client: Client,
) -> None:
    """A part of B and B part of A: the chain would have no top. Refused, nothing saved."""
    ministry = OrganisationFactory(name="Bộ Ngoại giao")
    department = OrganisationFactory(name="Cục Lãnh sự", parent=ministry)
    office = OrganisationFactory(name="Phòng Hộ chiếu", parent=department)
    client.force_login(editor())
    url = reverse("partnerships:organisation_edit", args=[ministry.pk])
    response = client.post(
        url, organisation_data(ministry, parent=f"Phòng Hộ chiếu (#{office.pk})")
    )
    assert response.status_code == 422
    field_error = response.text.split('id="id_parent_error"', 1)[1].split("</div>", 1)[0]
    assert "is already part of this organisation" in field_error
    assert "Phòng Hộ chiếu" in field_error
    ministry.refresh_from_db()
    assert ministry.parent is None
    # A parent from another branch is still accepted.
    other = OrganisationFactory(name="Chính phủ")
    response = client.post(url, organisation_data(ministry, parent=f"Chính phủ (#{other.pk})"))
    ministry.refresh_from_db()
    assert ministry.parent == other
