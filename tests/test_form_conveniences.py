"""Forms staff like (issue 14, finding 8 and "Forms"): checkbox groups for many-to-many
choices, the agreement's parties narrowed to its partnership, "Save and add another"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agreements.forms import AgreementForm
from agreements.models import Agreement
from delegations.models import ActionItem
from partnerships.models import Organisation
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    CityFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonFactory,
    VisitFactory,
    editor,
    viewer,
)
from tests.test_agreement_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def test_the_agreement_form_offers_parties_and_fields_as_checkboxes(client: Client) -> None:
    partnership = PartnershipFactory()
    OrganisationFactory(city=partnership.partner_city, country="BY")
    client.force_login(editor())
    html = client.get(reverse("agreements:agreement_create"), {"partnership": partnership.pk}).text
    assert '<select name="parties"' not in html
    assert "multiple" not in html.split('id="id_parties"')[1].split("</fieldset>")[0]
    assert 'type="checkbox" name="parties"' in html
    assert '<fieldset class="choice-group"><legend>Parties</legend>' in html


def test_an_agreement_s_parties_are_those_of_its_two_cities_and_countries() -> None:
    partnership = PartnershipFactory()
    of_partner_city = OrganisationFactory(city=partnership.partner_city, country="BY")
    of_home_city = OrganisationFactory(city=partnership.home_city, country="VN")
    ministry = OrganisationFactory(city=None, country="VN")
    elsewhere = OrganisationFactory(city=CityFactory(country="BY"), country="BY")
    foreign = OrganisationFactory(city=None, country="FR")
    form = AgreementForm(initial={"partnership": partnership.pk})
    offered = set(form.fields["parties"].queryset)  # type: ignore[attr-defined]
    assert offered == {of_partner_city, of_home_city, ministry}
    assert elsewhere not in offered
    assert foreign not in offered


def test_parties_already_chosen_stay_offered() -> None:
    agreement = AgreementFactory()
    outsider = OrganisationFactory(city=CityFactory(country="FR"), country="FR")
    agreement.parties.add(outsider)
    form = AgreementForm(instance=agreement)
    assert outsider in form.fields["parties"].queryset  # type: ignore[attr-defined]


def test_the_parties_are_found_in_one_query_however_many_organisations(
    django_assert_num_queries: Any,
) -> None:
    partnership = PartnershipFactory()
    OrganisationFactory.create_batch(30, city=CityFactory(country="FR"), country="FR")
    OrganisationFactory.create_batch(3, city=partnership.partner_city, country="BY")
    # Expect 2: the partnership's two cities and countries, then the organisations.
    with django_assert_num_queries(2):
        found = list(Organisation.objects.parties_for(partnership.pk))
    assert len(found) == 3


def test_a_party_outside_the_partnership_is_refused(client: Client) -> None:
    client.force_login(editor())
    outsider = OrganisationFactory(city=CityFactory(country="FR"), country="FR")
    response = client.post(reverse("agreements:agreement_create"), form_data(parties=[outsider.pk]))
    assert response.status_code == 422
    assert not Agreement.objects.exists()


def test_save_and_add_another_comes_back_to_a_blank_form(client: Client) -> None:
    client.force_login(editor())
    data = form_data()
    url = reverse("agreements:agreement_create") + f"?partnership={data['partnership']}"
    response = client.post(url, {**data, "then": "add_another"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert Agreement.objects.count() == 1
    page = client.get(url)
    assert "Fill in the next one." in page.text
    assert f'<option value="{data["partnership"]}" selected>' in page.text


@pytest.mark.parametrize(
    "name",
    [
        "agreements:agreement_create",
        "delegations:visit_create",
        "delegations:actionitem_create",
        "partnerships:person_create",
        "partnerships:organisation_create",
        "partnerships:city_create",
        "partnerships:partnership_create",
    ],
)
def test_every_new_record_form_offers_save_and_add_another(client: Client, name: str) -> None:
    client.force_login(editor())
    assert 'name="then" value="add_another"' in client.get(reverse(name)).text


def test_save_and_add_another_answers_htmx_with_a_redirect_to_the_form(client: Client) -> None:
    client.force_login(editor())
    data = form_data()
    url = reverse("agreements:agreement_create")
    response = client.post(url, {**data, "then": "add_another"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == url


def test_an_edit_form_offers_no_save_and_add_another(client: Client) -> None:
    agreement = AgreementFactory()
    client.force_login(editor())
    html = client.get(reverse("agreements:agreement_edit", args=[agreement.pk])).text
    assert 'value="add_another"' not in html


# ---- click-to-sort column headings ---------------------------------------------------

LISTS = [
    "agreements:agreement_list",
    "delegations:visit_list",
    "delegations:actionitem_list",
    "partnerships:partnership_list",
    "partnerships:person_list",
    "partnerships:organisation_list",
]


@pytest.mark.parametrize("name", LISTS)
def test_every_list_has_column_headings_that_sort_it(client: Client, name: str) -> None:
    ActionItemFactory(visit=VisitFactory(), description="x")
    AgreementFactory(title="x")
    PersonFactory(full_name="x")
    OrganisationFactory(name="x")
    client.force_login(editor())
    html = client.get(reverse(name), {"page": "1"}).text
    assert '<th scope="col" class="sortable"' in html
    # The heading drops the page (a new order starts on the first).
    link = html.split('class="sortable"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    assert link.startswith("?sort=")
    assert "page" not in link


def test_a_sorted_column_says_so_and_its_link_turns_the_order_round(client: Client) -> None:
    AgreementFactory(reference="B-2")
    AgreementFactory(reference="A-1")
    client.force_login(editor())
    response = client.get(reverse("agreements:agreement_list"), {"sort": "reference", "page": "1"})
    html = response.text
    assert html.index("A-1") < html.index("B-2")
    heading = html.split('aria-sort="ascending"', 1)[1].split("</th>", 1)[0]
    assert 'href="?sort=-reference"' in heading
    # The other filters ride along.
    filtered = client.get(reverse("agreements:agreement_list"), {"q": "1", "sort": "reference"})
    assert "q=1&amp;sort=-reference" in filtered.text
    # The filter form carries the order on (its sort control shows it).
    assert '<option value="reference" selected>' in html
    reversed_html = client.get(reverse("agreements:agreement_list"), {"sort": "-reference"}).text
    assert reversed_html.index("B-2") < reversed_html.index("A-1")
    assert 'aria-sort="descending"' in reversed_html


def test_the_default_order_shows_on_its_heading(client: Client) -> None:
    client.force_login(editor())
    AgreementFactory()
    html = client.get(reverse("agreements:agreement_list")).text
    # Newest signature first, the list's default.
    signed = html.split('aria-sort="descending"', 1)[1].split("</th>", 1)[0]
    assert "sort=signed" in signed


# ---- changing the status of many action items at once --------------------------------


def bulk_post(
    items: list[Any], status: str = "done", note: str = "", next_url: str = ""
) -> dict[str, Any]:
    return {
        "items": [f"{item.pk}:{item.version}" for item in items],
        "status": status,
        "note": note,
        "next": next_url or reverse("delegations:actionitem_list") + "?status=open",
    }


def test_an_editor_changes_the_status_of_several_items_each_in_its_history(client: Client) -> None:
    items = ActionItemFactory.create_batch(3)
    client.force_login(editor())
    response = client.post(
        reverse("delegations:actionitem_bulk_status"), bulk_post(items[:2], note="Đã xong")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("delegations:actionitem_list") + "?status=open"
    statuses = [ActionItem.objects.get(pk=item.pk).status for item in items]
    assert statuses == ["done", "done", "agreed"]
    for item in items[:2]:
        assert item.history.count() == 2  # created, then the change
        assert item.history.first().status == "done"
        assert item.updates.get().note == "Đã xong"
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert "2 action items changed." in messages


def test_an_item_saved_by_someone_else_meanwhile_is_left_and_named(client: Client) -> None:
    first, second = ActionItemFactory.create_batch(2)
    data = bulk_post([first, second])
    # Someone else changes the second after the list was loaded.
    second.refresh_from_db()
    second.description = "Đổi bởi người khác"
    second.version += 1
    second.save()
    client.force_login(editor())
    response = client.post(reverse("delegations:actionitem_bulk_status"), data, follow=True)
    assert ActionItem.objects.get(pk=first.pk).status == "done"
    assert ActionItem.objects.get(pk=second.pk).status == "agreed"
    text = " ".join(str(m) for m in response.context["messages"])
    assert "1 action item changed." in text
    assert "Đổi bởi người khác" in text


def test_a_row_changed_inline_on_the_list_then_changed_in_bulk_is_no_conflict(
    client: Client,
) -> None:
    item = ActionItemFactory()
    list_url = reverse("delegations:actionitem_list")
    client.force_login(editor())
    html = client.get(list_url).text
    assert f'name="version-{item.pk}" value="{item.version}"' in html
    # The inline change of the row's status, through htmx on the list.
    inline = client.post(
        reverse("delegations:actionitem_status", args=[item.pk]),
        {f"item{item.pk}-status": "in_progress", f"item{item.pk}-version": str(item.version)},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{list_url}"},
    ).text
    new_version = ActionItem.objects.get(pk=item.pk).version
    assert new_version == item.version + 1
    # The answer also moves the row's version for the bulk change on (out of band).
    oob = f'name="version-{item.pk}" value="{new_version}" form="bulk-status" hx-swap-oob="true"'
    assert oob in inline
    # The bulk form now sends the new version: a change, not a conflict.
    response = client.post(
        reverse("delegations:actionitem_bulk_status"),
        {
            "items": [str(item.pk)],
            f"version-{item.pk}": str(new_version),
            "status": "done",
            "note": "",
            "next": list_url,
        },
        follow=True,
    )
    assert ActionItem.objects.get(pk=item.pk).status == "done"
    assert [str(m) for m in response.context["messages"]] == ["1 action item changed."]


def test_an_inline_change_elsewhere_sends_no_out_of_band_version(client: Client) -> None:
    item = ActionItemFactory()
    client.force_login(editor())
    inline = client.post(
        reverse("delegations:actionitem_status", args=[item.pk]),
        {f"item{item.pk}-status": "in_progress", f"item{item.pk}-version": str(item.version)},
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://testserver{item.get_absolute_url()}",
        },
    ).text
    assert "hx-swap-oob" not in inline


def test_a_viewer_cannot_change_many_items(client: Client) -> None:
    item = ActionItemFactory()
    client.force_login(viewer())
    response = client.post(reverse("delegations:actionitem_bulk_status"), bulk_post([item]))
    assert response.status_code == 403
    assert ActionItem.objects.get(pk=item.pk).status == "agreed"


def test_nothing_selected_says_so_and_changes_nothing(client: Client) -> None:
    item = ActionItemFactory()
    client.force_login(editor())
    response = client.post(
        reverse("delegations:actionitem_bulk_status"),
        {**bulk_post([]), "items": ["x:y"]},
        follow=True,
    )
    assert ActionItem.objects.get(pk=item.pk).status == "agreed"
    assert "Select some action items" in " ".join(str(m) for m in response.context["messages"])


def test_the_list_offers_each_row_a_labelled_checkbox_for_editors_only(client: Client) -> None:
    item = ActionItemFactory()
    client.force_login(editor())
    html = client.get(reverse("delegations:actionitem_list")).text
    assert f'name="items" value="{item.pk}" form="bulk-status"' in html
    assert f'name="version-{item.pk}" value="{item.version}" form="bulk-status"' in html
    assert f'<label for="select-{item.pk}" class="visually-hidden">' in html
    assert 'id="bulk-status"' in html
    client.force_login(viewer())
    assert 'id="bulk-status"' not in client.get(reverse("delegations:actionitem_list")).text
