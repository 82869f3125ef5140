"""Who may do what: anonymous → login, viewer → read-only (403 on changes), editor → edit,
administrator → delete; deleting a record others depend on is refused with an explanation."""

import pytest
from django.urls import reverse

from agreements.models import Agreement
from delegations.models import ActionItem, Visit
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    UserFactory,
    VisitFactory,
    administrator,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def records():
    item = ActionItemFactory()
    agreement = AgreementFactory(partnership=item.partnership)
    return {"agreement": agreement, "visit": item.visit, "item": item}


def read_urls(r):
    return [
        reverse("agreements:agreement_list"),
        reverse("agreements:agreement_detail", args=[r["agreement"].pk]),
        reverse("delegations:visit_list"),
        reverse("delegations:visit_detail", args=[r["visit"].pk]),
        reverse("delegations:actionitem_list"),
        reverse("delegations:actionitem_detail", args=[r["item"].pk]),
    ]


def edit_urls(r):
    return [
        reverse("agreements:agreement_create"),
        reverse("agreements:agreement_edit", args=[r["agreement"].pk]),
        reverse("delegations:visit_create"),
        reverse("delegations:visit_edit", args=[r["visit"].pk]),
        reverse("delegations:actionitem_create"),
        reverse("delegations:actionitem_edit", args=[r["item"].pk]),
    ]


def delete_urls(r):
    return [
        reverse("agreements:agreement_delete", args=[r["agreement"].pk]),
        reverse("delegations:visit_delete", args=[r["visit"].pk]),
        reverse("delegations:actionitem_delete", args=[r["item"].pk]),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_page(client, records):
    urls = read_urls(records) + edit_urls(records) + delete_urls(records)
    urls.append(reverse("delegations:actionitem_status", args=[records["item"].pk]))
    for url in urls:
        method = client.post if url.endswith("/status/") else client.get
        response = method(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_a_user_without_a_role_is_forbidden_to_read(client, records):
    client.force_login(UserFactory())
    for url in read_urls(records):
        assert client.get(url).status_code == 403, url


def test_a_viewer_reads_every_page(client, records):
    client.force_login(viewer())
    for url in read_urls(records):
        assert client.get(url).status_code == 200, url


def test_a_viewer_sees_no_edit_or_delete_buttons(client, records):
    client.force_login(viewer())
    text = client.get(reverse("agreements:agreement_detail", args=[records["agreement"].pk])).text
    assert reverse("agreements:agreement_edit", args=[records["agreement"].pk]) not in text
    assert reverse("agreements:agreement_delete", args=[records["agreement"].pk]) not in text


def test_a_viewer_is_forbidden_to_open_or_post_any_form(client, records):
    client.force_login(viewer())
    for url in edit_urls(records) + delete_urls(records):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_a_viewer_cannot_change_an_action_item_status(client, records):
    item = records["item"]
    client.force_login(viewer())
    response = client.post(
        reverse("delegations:actionitem_status", args=[item.pk]),
        {f"item{item.pk}-status": "done", f"item{item.pk}-version": item.version},
    )
    item.refresh_from_db()
    assert response.status_code == 403
    assert item.status == "agreed"


def test_an_editor_opens_every_form(client, records):
    client.force_login(editor())
    for url in edit_urls(records):
        assert client.get(url).status_code == 200, url


def test_an_editor_cannot_delete(client, records):
    client.force_login(editor())
    for url in delete_urls(records):
        assert client.post(url).status_code == 403, url
    assert Visit.objects.exists()
    assert Agreement.objects.exists()
    assert ActionItem.objects.exists()


def test_an_administrator_sees_the_delete_button(client, records):
    client.force_login(administrator())
    text = client.get(reverse("delegations:visit_detail", args=[records["visit"].pk])).text
    assert reverse("delegations:visit_delete", args=[records["visit"].pk]) in text


def test_an_administrator_deletes_an_action_item(client, records):
    client.force_login(administrator())
    response = client.post(reverse("delegations:actionitem_delete", args=[records["item"].pk]))
    assert response.status_code == 302
    assert not ActionItem.objects.exists()


def test_deleting_a_visit_with_action_items_is_refused_and_names_them(client, records):
    client.force_login(administrator())
    response = client.post(reverse("delegations:visit_delete", args=[records["visit"].pk]))
    assert response.status_code == 409
    assert "cannot be deleted" in response.text
    assert records["item"].description in response.text
    assert Visit.objects.filter(pk=records["visit"].pk).exists()


def test_deleting_an_agreement_that_another_renews_is_refused(client):
    first = AgreementFactory()
    AgreementFactory(
        partnership=first.partnership, parent=first, parent_relation="renews", reference="RENEWAL-1"
    )
    client.force_login(administrator())
    response = client.post(reverse("agreements:agreement_delete", args=[first.pk]))
    assert response.status_code == 409
    assert "RENEWAL-1" in response.text


def test_deleting_a_visit_nobody_depends_on_takes_its_programme_with_it(client):
    visit = VisitFactory()
    client.force_login(administrator())
    response = client.post(reverse("delegations:visit_delete", args=[visit.pk]))
    assert response.status_code == 302
    assert not Visit.objects.exists()


def test_the_delete_page_asks_before_deleting(client, records):
    client.force_login(administrator())
    response = client.get(reverse("agreements:agreement_delete", args=[records["agreement"].pk]))
    assert response.status_code == 200
    assert Agreement.objects.exists()


def test_every_demo_agreement_visit_and_action_item_page_opens_for_the_demo_viewer(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo-viewer"))
    urls = [a.get_absolute_url() for a in Agreement.objects.all()]
    urls += [v.get_absolute_url() for v in Visit.objects.all()]
    urls += [i.get_absolute_url() for i in ActionItem.objects.all()]
    assert urls
    for url in urls:
        assert client.get(url).status_code == 200, url
