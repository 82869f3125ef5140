"""Action items: list (filters, htmx), page, create, edit, inline status change + progress notes."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from delegations.models import ActionItem, ProgressUpdate
from tests.factories import (
    ActionItemFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    VisitFactory,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


def status_post(item, **overrides):
    prefix = f"item{item.pk}"
    data = {
        f"{prefix}-status": "in_progress",
        f"{prefix}-note": "",
        f"{prefix}-version": item.version,
    }
    data.update({f"{prefix}-{k}": v for k, v in overrides.items()})
    return data


def test_the_action_item_list_shows_items_to_a_viewer_without_the_status_form(client):
    ActionItemFactory(description="Trao đổi đoàn nghệ thuật")
    client.force_login(viewer())
    text = client.get(reverse("delegations:actionitem_list")).text
    assert "Trao đổi đoàn nghệ thuật" in text
    assert "actionitem-status" in text
    assert "/status/" not in text


def test_the_action_item_list_shows_the_inline_status_form_to_an_editor(client):
    item = ActionItemFactory()
    client.force_login(editor())
    text = client.get(reverse("delegations:actionitem_list")).text
    assert reverse("delegations:actionitem_status", args=[item.pk]) in text


def test_the_action_item_list_filters_overdue_items(client):
    today = timezone.localdate()
    ActionItemFactory(description="LATE", due_on=today - dt.timedelta(days=3))
    ActionItemFactory(description="LATER", due_on=today + dt.timedelta(days=90))
    client.force_login(viewer())
    text = client.get(reverse("delegations:actionitem_list"), {"due": "overdue"}).text
    assert "LATE" in text
    assert "LATER" not in text


def test_the_action_item_list_filters_items_due_soon_and_by_owner(client):
    today = timezone.localdate()
    owner = OrganisationFactory()
    ActionItemFactory(
        description="SOON", due_on=today + dt.timedelta(days=5), owner_organisation=owner
    )
    ActionItemFactory(description="OTHER", due_on=today + dt.timedelta(days=5))
    client.force_login(viewer())
    text = client.get(
        reverse("delegations:actionitem_list"), {"due": "due_soon", "owner_organisation": owner.pk}
    ).text
    assert "SOON" in text
    assert "OTHER" not in text


def test_the_action_item_list_filters_open_items(client):
    ActionItemFactory(description="OPEN-ONE", status="agreed")
    ActionItemFactory(description="DONE-ONE", status="done")
    client.force_login(viewer())
    text = client.get(reverse("delegations:actionitem_list"), {"status": "open"}).text
    assert "OPEN-ONE" in text
    assert "DONE-ONE" not in text


def test_the_action_item_list_answers_htmx_with_the_results_partial_only(client):
    ActionItemFactory(description="Trao đổi đoàn nghệ thuật")
    client.force_login(viewer())
    response = client.get(
        reverse("delegations:actionitem_list"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="actionitem-results",
    )
    assert "Trao đổi đoàn nghệ thuật" in response.text
    assert "<html" not in response.text


@pytest.mark.parametrize("n", [2, 12])
def test_the_action_item_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    visit = VisitFactory()
    ActionItemFactory.create_batch(n, visit=visit, owner_organisation=OrganisationFactory())
    client.force_login(editor())
    # Expect 16: session, user, role, count, filter drop-downs (partnerships, home
    # cities, owner organisations, fields), the page of items with everything they
    # show (one join, their assignees' names included), the session save (3); the page is read with its
    # joins planned as written (common/join_planning.py): inside the test's transaction
    # a savepoint, the setting, its reset and the release (4; 1 statement in production).
    with django_assert_num_queries(16):
        client.get(reverse("delegations:actionitem_list"))


@pytest.mark.parametrize("n", [1, 6])
def test_the_action_item_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    item = ActionItemFactory()
    ProgressUpdateFactory.create_batch(n, action_item=item, author=editor())
    item.assignees.add(*[editor() for _ in range(n)])
    client.force_login(viewer())
    # Expect 16: session, user, role; the item with its assignees' names (in the order
    # assigned); its updates, their authors; history: rows, assignees, updates, names;
    # the session save (3); the item is read with its ten tables' joins planned as written
    # (common/join_planning.py): inside the test's transaction a savepoint, the setting,
    # its reset and the release (4; 1 statement in production).
    with django_assert_num_queries(16):
        client.get(reverse("delegations:actionitem_detail", args=[item.pk]))


def test_an_editor_creates_an_action_item_due_in_a_month(client):
    visit = VisitFactory()
    client.force_login(editor())
    response = client.post(
        reverse("delegations:actionitem_create"),
        {
            "description": "Tổ chức Ngày Văn hóa",
            "partnership": visit.partnership_id,
            "visit": visit.pk,
            "due_on": "09/2025",
            "status": "agreed",
            "priority": "2",
        },
    )
    assert response.status_code == 302, response.text
    item = ActionItem.objects.get()
    assert (item.due_on, item.due_on_precision) == (dt.date(2025, 9, 1), "month")


def test_an_action_item_without_a_visit_or_agreement_is_refused_next_to_the_field(client):
    visit = VisitFactory()
    client.force_login(editor())
    response = client.post(
        reverse("delegations:actionitem_create"),
        {
            "description": "X",
            "partnership": visit.partnership_id,
            "status": "agreed",
            "priority": "2",
        },
    )
    assert response.status_code == 422
    assert 'id="id_visit_error"' in response.text


def test_an_editor_changes_the_status_inline_with_htmx_and_gets_the_updated_block(client):
    item = ActionItemFactory()
    user = editor()
    client.force_login(user)
    response = client.post(
        reverse("delegations:actionitem_status", args=[item.pk]),
        status_post(item, status="done", note="Đã tổ chức xong"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"actionitem-status-{item.pk}",
    )
    item.refresh_from_db()
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'id="actionitem-status-{item.pk}"' in response.text
    assert item.status == "done"
    assert item.version == 2
    update = ProgressUpdate.objects.get()
    assert (update.author, update.status_after, update.note) == (user, "done", "Đã tổ chức xong")


def test_a_plain_status_change_redirects_back_to_the_list(client):
    item = ActionItemFactory()
    client.force_login(editor())
    data = status_post(item, status="done")
    data["next"] = reverse("delegations:actionitem_list") + "?status=open"
    response = client.post(reverse("delegations:actionitem_status", args=[item.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("delegations:actionitem_list") + "?status=open"


def test_opening_the_status_url_goes_to_the_item_instead_of_405(client):
    """A reload on the status URL (issue 14, finding 1) lands on the item's page."""
    item = ActionItemFactory()
    client.force_login(viewer())
    response = client.get(reverse("delegations:actionitem_status", args=[item.pk]))
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()


def test_the_inline_status_form_does_not_push_its_url(client):
    """The list's results push their URL (filters, pages); the status form inside must not."""
    item = ActionItemFactory()
    client.force_login(editor())
    text = client.get(reverse("delegations:actionitem_list")).text
    form = text[text.index(f'hx-target="#actionitem-status-{item.pk}"') :]
    assert 'hx-push-url="false"' in form[: form.index(">")]


def test_a_status_change_never_redirects_to_another_site(client):
    item = ActionItemFactory()
    client.force_login(editor())
    data = status_post(item, status="done")
    data["next"] = "https://evil.example/"
    response = client.post(reverse("delegations:actionitem_status", args=[item.pk]), data)
    assert response["Location"] == item.get_absolute_url()


def test_a_progress_note_without_a_status_change_is_recorded(client):
    item = ActionItemFactory(status="in_progress")
    client.force_login(editor())
    client.post(
        reverse("delegations:actionitem_status", args=[item.pk]),
        status_post(item, status="in_progress", note="Đã gửi công hàm", date="02/10/2025"),
    )
    update = ProgressUpdate.objects.get()
    assert (update.date, update.status_after) == (dt.date(2025, 10, 2), "")


def test_an_empty_status_change_is_refused_with_an_explanation(client):
    item = ActionItemFactory(status="agreed")
    client.force_login(editor())
    response = client.post(
        reverse("delegations:actionitem_status", args=[item.pk]),
        status_post(item, status="agreed"),
        HTTP_HX_REQUEST="true",
    )
    assert "Change the status or write a progress note." in response.text
    assert not ProgressUpdate.objects.exists()


def test_the_action_item_page_shows_progress_notes_newest_first(client):
    item = ActionItemFactory()
    ProgressUpdateFactory(action_item=item, note="FIRST", date=dt.date(2025, 1, 1))
    ProgressUpdateFactory(action_item=item, note="SECOND", date=dt.date(2025, 2, 1))
    client.force_login(viewer())
    text = client.get(reverse("delegations:actionitem_detail", args=[item.pk])).text
    assert text.index("SECOND") < text.index("FIRST")


def test_the_action_item_form_offers_only_the_partnerships_visits(client):
    mine, other = VisitFactory(title="MINE"), VisitFactory(title="OTHER")
    client.force_login(editor())
    response = client.get(
        reverse("delegations:actionitem_create"), {"partnership": mine.partnership_id}
    )
    assert "MINE" in response.text
    assert "OTHER" not in response.text
    assert other.pk


def test_changing_the_partnership_re_renders_the_form_without_saving_or_errors(client):
    visit = VisitFactory(title="MINE")
    client.force_login(editor())
    response = client.post(
        reverse("delegations:actionitem_create"),
        {"partnership": visit.partnership_id, "refresh": "partnership"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="record-form",
    )
    assert response.status_code == 200
    assert "MINE" in response.text
    assert 'class="error"' not in response.text
    assert not ActionItem.objects.exists()


def test_a_status_change_on_an_item_breaking_a_rule_outside_the_form_says_why_instead_of_500(
    client,
):
    """An item whose visit belongs to another partnership (an old record, or one the admin
    made): the model's rule names "visit", a field the status form does not show."""
    visit = VisitFactory()
    item = ActionItemFactory(visit=visit)
    ActionItem.objects.filter(pk=item.pk).update(partnership=ActionItemFactory().partnership)
    item.refresh_from_db()
    assert visit.partnership_id != item.partnership_id
    client.force_login(editor())
    response = client.post(
        reverse("delegations:actionitem_status", args=[item.pk]),
        status_post(item, status="done"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"actionitem-status-{item.pk}",
    )
    assert response.status_code == 200
    assert "The visit belongs to another partnership." in response.text
    item.refresh_from_db()
    assert item.status != "done"
