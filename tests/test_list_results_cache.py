"""The lists' results and the dashboard's sections, cached as HTML per data version
(issue 16: the lists near the logged-in floor).

A cached answer must be the page as it would be rendered afresh, and a change to the
record must show at once. Outside a transaction (``transaction=True``): inside one the
data version is not known and nothing is cached.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.functional import empty

from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonFactory,
    VisitFactory,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db(transaction=True)

CACHED_LISTS = {
    "partnerships:partnership_list": "partnership-results",
    "partnerships:person_list": "person-results",
    "partnerships:organisation_list": "organisation-results",
    "agreements:agreement_list": "agreement-results",
    "delegations:visit_list": "visit-results",
}


def results(html: str, results_id: str) -> str:
    """The results' <div> (count, table, pagination): what is cached."""
    start = html.index(f'<div id="{results_id}"')
    end = html.index("\n  </div>", start)
    return html[start:end]


def without_csrf(html: str) -> str:
    """A page without its CSRF tokens (masked afresh on every request)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def some_records():
    partnership = PartnershipFactory()
    for n in range(3):
        AgreementFactory(partnership=partnership, title=f"Thỏa thuận số {n}")
        VisitFactory(partnership=partnership, title=f"Chuyến thăm số {n}")
    ActionItemFactory(partnership=partnership)
    PersonFactory(full_name="Nguyễn Văn Thử")
    OrganisationFactory(name="Sở Ngoại vụ thử")
    return partnership


@pytest.mark.parametrize("url_name", CACHED_LISTS)
def test_a_cached_list_is_the_list_rendered_afresh_and_reads_no_row(client, url_name):
    some_records()
    client.force_login(editor())
    url = reverse(url_name)
    with CaptureQueriesContext(connection) as fresh:
        first = client.get(url)
    with CaptureQueriesContext(connection) as cached:
        again = client.get(url)
    assert first.status_code == again.status_code == 200
    assert without_csrf(again.content.decode()) == without_csrf(first.content.decode())
    assert first.context["results_key"]
    # Neither the count nor the page's rows are read from a cached list.
    assert len(cached) < len(fresh)
    assert again.context["page_obj"]._wrapped is empty  # never read


@pytest.mark.parametrize("url_name", CACHED_LISTS)
def test_the_htmx_partial_of_a_cached_list_is_the_same_results(client, url_name):
    some_records()
    client.force_login(viewer())
    results_id = CACHED_LISTS[url_name]
    page = client.get(reverse(url_name)).content.decode()
    partial = client.get(reverse(url_name), headers={"HX-Request": "true"}).content.decode()
    assert results(partial, results_id) == results(page, results_id)


def test_a_change_shows_in_a_cached_list_at_once(client):
    partnership = some_records()
    client.force_login(viewer())
    url = reverse("agreements:agreement_list")
    assert "Thỏa thuận số 1" in client.get(url).content.decode()
    agreement = partnership.agreements.get(title="Thỏa thuận số 1")
    agreement.title = "Thỏa thuận đã đổi tên"
    agreement.save()
    html = client.get(url).content.decode()
    assert "Thỏa thuận đã đổi tên" in html
    assert "Thỏa thuận số 1" not in html
    # A partnership's change shows in the lists that name it.
    partnership.partner_city.name = "Thành phố đổi tên"
    partnership.partner_city.save()
    assert "Thành phố đổi tên" in client.get(url).content.decode()


def test_the_key_tells_apart_languages_roles_and_queries(client):
    some_records()
    client.force_login(viewer())
    url = reverse("partnerships:partnership_list")
    keys = {client.get(url).context["results_key"]}
    keys.add(client.get(url + "?sort=-established").context["results_key"])
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        english = client.get(url)
    keys.add(english.context["results_key"])
    client.force_login(editor())
    keys.add(client.get(url).context["results_key"])
    assert len(keys) == 4


def test_the_action_items_list_is_not_cached(client):
    """Its rows carry the editor's own forms (status, selection, CSRF token)."""
    some_records()
    client.force_login(editor())
    response = client.get(reverse("delegations:actionitem_list"))
    assert not response.context.get("results_key")


def test_the_dashboard_sections_are_served_as_html_until_a_change(client):
    from tests.test_dashboard import make_attention

    client.force_login(viewer())
    make_attention(1)
    first = client.get(reverse("dashboard"))
    again = client.get(reverse("dashboard"))
    assert without_csrf(again.content.decode()) == without_csrf(first.content.decode())
    assert again.context["sections"]._wrapped is empty  # never read
    make_attention(2)
    changed = client.get(reverse("dashboard"))
    assert changed.context["sections_key"] != first.context["sections_key"]
