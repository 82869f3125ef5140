"""The lists' results and the dashboard's sections, cached as HTML per data version
(issue 16: the lists near the logged-in floor).

A cached answer must be the page as it would be rendered afresh, and a change to the
record must show at once. Outside a transaction (``transaction=True``): inside one the
data version is not known and nothing is cached.
"""

import re

import pytest
from django.db import connection
from django.template import Context as TemplateContext
from django.template import Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.functional import empty

from common.templatetags.fragments import csrf_placeholder
from delegations.models import ActionItem
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
    "delegations:actionitem_list": "actionitem-results",
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


def tokens_in(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html))


def status_form_of(item: ActionItem, html: str) -> dict[str, str]:
    """What a browser posts from the item's inline status form on the list (hidden fields
    as served, the status set to "done")."""
    start = html.index(f'<div id="actionitem-status-{item.pk}"')
    form = html[start : html.index("</form>", start)]
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return {**data, f"item{item.pk}-status": "done", f"item{item.pk}-note": ""}


def test_the_action_items_rows_cached_for_one_editor_post_with_the_next_editors_token(client):
    """The rows' status forms are cached for the role; each page carries its reader's
    own CSRF token (a placeholder in the cache), so a plain POST of a cached row works."""
    item = ActionItemFactory()
    url = reverse("delegations:actionitem_list")
    client.force_login(editor(username="lan"))
    first = client.get(url)
    other = Client(enforce_csrf_checks=True)
    other.force_login(editor(username="minh"))
    served = other.get(url)
    assert served.context["page_obj"]._wrapped is empty  # from the cache
    html = served.content.decode()
    assert csrf_placeholder() not in html
    assert csrf_placeholder() not in first.content.decode()
    (token,) = tokens_in(html)  # the bulk form's and every row's: the request's token
    assert token not in tokens_in(first.content.decode())
    response = other.post(
        reverse("delegations:actionitem_status", args=[item.pk]), status_form_of(item, html)
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"


def test_a_viewer_never_gets_the_status_forms_an_editor_cached(client):
    ActionItemFactory()
    url = reverse("delegations:actionitem_list")
    client.force_login(editor())
    editors = client.get(url)
    assert "status-change" in editors.content.decode()
    client.force_login(viewer())
    viewers = client.get(url)
    assert viewers.context["results_key"] != editors.context["results_key"]
    results = viewers.content.decode()
    assert "status-change" not in results
    assert "/status/" not in results
    assert 'form="bulk-status"' not in results


def test_the_assigned_to_me_filter_is_cached_per_user(client):
    item = ActionItemFactory()
    lan, minh = editor(username="lan"), editor(username="minh")
    item.assignees.add(lan)
    url = reverse("delegations:actionitem_list") + "?mine=on"
    client.force_login(lan)
    mine = client.get(url)
    assert item.get_absolute_url() in mine.content.decode()
    client.force_login(minh)
    theirs = client.get(url)
    assert item.get_absolute_url() not in theirs.content.decode()
    assert mine.context["results_key"] != theirs.context["results_key"]
    # Without the filter the results are the role's: one key for both.
    everyone = reverse("delegations:actionitem_list")
    client.force_login(lan)
    key = client.get(everyone).context["results_key"]
    client.force_login(minh)
    assert client.get(everyone).context["results_key"] == key
    assert f"user={minh.pk}" not in key


def test_a_status_change_shows_in_the_cached_action_items_list_at_once(client):
    item = ActionItemFactory()
    url = reverse("delegations:actionitem_list")
    client.force_login(editor())
    before = client.get(url).content.decode()
    client.post(
        reverse("delegations:actionitem_status", args=[item.pk]), status_form_of(item, before)
    )
    after = client.get(url)
    assert after.context["page_obj"]._wrapped is not empty  # read afresh
    new_version = f'name="item{item.pk}-version" value="{item.version + 1}"'
    assert new_version in after.content.decode()


def test_a_cached_fragment_rendered_without_a_request_leaves_no_placeholder():
    template = Template(
        "{% load fragments %}{% cached_fragment key %}<form>{% csrf_token %}</form>"
        "{% endcached_fragment %}"
    )
    for _ in range(2):  # rendered, then served from the cache
        html = template.render(TemplateContext({"key": "test-fragment-without-request"}))
        assert csrf_placeholder() not in html
        assert "<form>" in html


def test_a_fragment_cached_under_another_secret_key_is_not_served(settings):
    """The file cache outlives a restart with a new SECRET_KEY: a fragment holding the
    old placeholder would hand out forms with a token that is no token."""
    template = Template(
        "{% load fragments %}{% cached_fragment key %}<form>{% csrf_token %}</form>"
        "{% endcached_fragment %}"
    )
    context = {"key": "test-fragment-secret-key", "csrf_token": "the-requests-token"}
    template.render(TemplateContext(context))
    old = csrf_placeholder()
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    csrf_placeholder.cache_clear()
    try:
        html = template.render(TemplateContext(context))
    finally:
        csrf_placeholder.cache_clear()
    assert old not in html
    assert 'value="the-requests-token"' in html


@pytest.mark.parametrize("n", [1, 12])
def test_a_cached_action_items_list_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    ActionItemFactory.create_batch(n)
    client.force_login(editor())
    url = reverse("delegations:actionitem_list")
    client.get(url)
    # Expect 7: session, user, role, the data version (the results' key and the filter
    # drop-downs' cached choices), the session save (BEGIN, UPDATE, COMMIT); no count,
    # no row, no assignee, however many items.
    with django_assert_num_queries(7):
        client.get(url)


def test_the_dashboard_sections_are_served_as_html_until_a_change(client):
    from tests.test_dashboard import make_attention

    client.force_login(viewer())
    make_attention(1)
    first = client.get(reverse("dashboard"))
    again = client.get(reverse("dashboard"))
    assert without_csrf(again.content.decode()) == without_csrf(first.content.decode())
    assert all(s.group._wrapped is empty for s in again.context["sections"].values())  # not read
    make_attention(2)
    changed = client.get(reverse("dashboard"))
    keys = {key: s.fragment_key for key, s in first.context["sections"].items()}
    assert all(s.fragment_key != keys[key] for key, s in changed.context["sections"].items())


def test_renaming_an_owner_shows_in_the_cached_action_items_list_at_once(client):
    """The rows name the item's owner (organisation and person): renaming either makes
    a new key, whichever list is read."""
    organisation = OrganisationFactory(name="Sở Ngoại vụ cũ", abbreviation="")
    person = PersonFactory(full_name="Trần Văn Cũ")
    ActionItemFactory(owner_organisation=organisation, owner_person=person)
    client.force_login(viewer())
    url = reverse("delegations:actionitem_list")
    before = client.get(url).content.decode()
    assert "Sở Ngoại vụ cũ" in before
    assert "Trần Văn Cũ" in before
    organisation.name = "Sở Ngoại vụ mới"
    organisation.save()
    person.full_name = "Trần Văn Mới"
    person.save()
    after = client.get(url).content.decode()
    assert "Sở Ngoại vụ mới" in after
    assert "Trần Văn Mới" in after
    assert "Trần Văn Cũ" not in after


def test_renaming_an_assignee_shows_in_the_cached_action_items_list_at_once(client):
    """The rows name the staff an item is assigned to: their accounts are not part of
    the record, yet a change of name must make a new key."""
    item = ActionItemFactory()
    account = editor(username="lan", first_name="Lan", last_name="Cũ")
    item.assignees.add(account)
    client.force_login(viewer())
    url = reverse("delegations:actionitem_list")
    assert "Lan Cũ" in client.get(url).content.decode()
    account.last_name = "Mới"
    account.save()
    html = client.get(url).content.decode()
    assert "Lan Mới" in html
    assert "Lan Cũ" not in html
    account.delete()
    assert "Lan Mới" not in client.get(url).content.decode()


def test_logging_in_keeps_the_cached_lists(client):
    """A login saves the account's last login only: no name changes, the key stays."""
    ActionItemFactory()
    account = editor()
    client.force_login(account)
    url = reverse("delegations:actionitem_list")
    key = client.get(url).context["results_key"]
    client.logout()
    client.force_login(account)  # saves the last login (update_fields)
    account.refresh_from_db()
    assert account.last_login is not None
    assert client.get(url).context["results_key"] == key
