"""Quick-add of a person or an organisation from inside a form that picks one (issue 14,
"Forms"): without JavaScript the half-filled form is kept in the session while the record
is created, and comes back with it picked; with htmx the create form opens in a dialog
and its answer names the record to put in the box (tests/browser/test_quick_add_browser.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from partnerships.models import Organisation, Person
from tests.factories import PartnershipFactory, VisitFactory, editor, viewer
from tests.test_agreement_pages import form_data

pytestmark = pytest.mark.django_db

# The person's page has its positions' rows: none here.
NO_POSITIONS = {"positions-TOTAL_FORMS": "0", "positions-INITIAL_FORMS": "0"}


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def test_a_picker_of_people_offers_a_new_person_button(client: Client) -> None:
    visit = VisitFactory()
    client.force_login(editor())
    html = client.get(reverse("delegations:visit_part_new", args=[visit.pk, "people"])).text
    assert 'name="quick_add" value="people:person"' in html
    assert f'hx-get="{reverse("partnerships:person_create")}?dialog=id_person"' in html


def test_without_javascript_an_agreement_form_keeps_its_text_and_gets_the_new_signatory(
    client: Client,
) -> None:
    client.force_login(editor())
    partnership = PartnershipFactory()
    data = form_data(
        partnership=partnership.pk,
        title="Biên bản ghi nhớ đang soạn",
        **{
            "signatories-TOTAL_FORMS": "1",
            "signatories-0-person": "",
            "signatories-0-role": "signatory",
            "quick_add": "people:signatories-0-person",
        },
    )
    create = reverse("agreements:agreement_create")
    response = client.post(create, data)
    # Nothing saved yet: to the new person's page, the form kept.
    assert response.status_code == 302
    to_person = response["Location"]
    assert to_person.startswith(reverse("partnerships:person_create") + "?pick_for=")
    saved = client.post(to_person, {"full_name": "Trần Sỹ Thanh", "country": "VN", **NO_POSITIONS})
    person = Person.objects.get(full_name="Trần Sỹ Thanh")
    assert person.history.count() == 1  # recorded as anywhere, with its history
    assert saved.status_code == 302
    assert saved["Location"].startswith(create + "?restore=")
    back = client.get(saved["Location"])
    assert back.status_code == 200
    html = back.text
    assert 'value="Biên bản ghi nhớ đang soạn"' in html
    assert f'value="Trần Sỹ Thanh (#{person.pk})"' in html
    assert "This field is required" not in html
    # The restored form is kept once only.
    assert 'value="Biên bản ghi nhớ đang soạn"' not in client.get(saved["Location"]).text


def test_without_javascript_a_visit_row_comes_back_with_the_new_person(client: Client) -> None:
    visit = VisitFactory()
    client.force_login(editor())
    url = reverse("delegations:visit_part_new", args=[visit.pk, "people"])
    response = client.post(
        url,
        {
            "side": "home",
            "person": "",
            "role": "member",
            "phone": "+84 904",
            "quick_add": "people:person",
        },
    )
    assert response.status_code == 302
    saved = client.post(
        response["Location"], {"full_name": "Lê Văn Hải", "country": "VN", **NO_POSITIONS}
    )
    back = client.get(saved["Location"]).text
    person = Person.objects.get(full_name="Lê Văn Hải")
    assert f'value="Lê Văn Hải (#{person.pk})"' in back
    assert 'value="+84 904"' in back
    assert not visit.participants.exists()  # the row is saved by its own Save


def test_an_organisation_is_added_from_a_person_s_positions(client: Client) -> None:
    client.force_login(editor())
    response = client.post(
        reverse("partnerships:person_create"),
        {
            "full_name": "Nguyễn Văn A",
            "country": "VN",
            "positions-TOTAL_FORMS": "1",
            "positions-INITIAL_FORMS": "0",
            "positions-0-title": "Giám đốc",
            "quick_add": "organisations:positions-0-organisation",
        },
    )
    assert response["Location"].startswith(reverse("partnerships:organisation_create"))
    saved = client.post(
        response["Location"], {"name": "Sở Ngoại vụ", "kind": "department", "country": "VN"}
    )
    organisation = Organisation.objects.get(name="Sở Ngoại vụ")
    back = client.get(saved["Location"]).text
    assert f'value="Sở Ngoại vụ (#{organisation.pk})"' in back
    assert 'value="Giám đốc"' in back
    assert not Person.objects.exists()


def test_in_the_dialog_the_create_form_is_short_and_its_answer_picks_the_record(
    client: Client,
) -> None:
    client.force_login(editor())
    url = reverse("partnerships:person_create") + "?dialog=id_signatories-0-person"
    htmx = {"HX-Request": "true"}
    form = client.get(url, headers=htmx).text
    assert 'id="quick-add-form"' in form
    assert 'name="full_name"' in form
    assert 'name="biography"' not in form
    invalid = client.post(url, {"full_name": ""}, headers=htmx)
    assert invalid.status_code == 200
    assert 'id="quick-add-form"' in invalid.text
    saved = client.post(url, {"full_name": "Trần Sỹ Thanh", "country": "VN"}, headers=htmx)
    person = Person.objects.get()
    assert saved.status_code == 204
    assert json.loads(saved["HX-Trigger"]) == {
        "quickAdded": {"input": "id_signatories-0-person", "label": f"Trần Sỹ Thanh (#{person.pk})"}
    }


def test_a_viewer_cannot_quick_add(client: Client) -> None:
    client.force_login(viewer())
    url = reverse("partnerships:person_create") + "?dialog=id_person"
    response = client.post(url, {"full_name": "X", "country": "VN"}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert not Person.objects.exists()
