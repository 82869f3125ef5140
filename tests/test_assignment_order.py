"""An action item's assignees are listed in the order they were assigned (their links'
ids) wherever they are shown: the list, the item's page, its history; not in the order of
the accounts' ids or names, nor in whatever order the database returns them."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from delegations.models import ActionItem
from tests.factories import ActionItemFactory, VisitFactory, assign_on_the_form, editor, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def accounts():
    """Three accounts, their ids in the order Lan, Minh, An; their names sort An, Lan, Minh."""
    return {
        "lan": editor(username="lan", first_name="Lan", last_name="Nguyễn"),
        "minh": editor(username="minh", first_name="Minh", last_name="Trần"),
        "an": editor(username="an", first_name="An", last_name="Lê"),
    }


@pytest.fixture
def item(accounts):
    """Assigned Minh, then An, then Lan: neither their ids' order nor their names'."""
    item = ActionItemFactory(description="Trao đổi đoàn nghệ thuật")
    for username in ("minh", "an", "lan"):
        item.assignees.add(accounts[username])
    # Minh's link rewritten in place: PostgreSQL now stores it last, so a read with no
    # order of its own would likely name Minh last; the link keeps its id (the first).
    through = ActionItem.assignees.through
    through.objects.filter(user=accounts["minh"]).update(user=accounts["minh"])
    return item


IN_ORDER = "Minh Trần, An Lê, Lan Nguyễn"


def assigned_to(text: str) -> str:
    """The names after "Assigned to" on the item's page."""
    found = re.search(r"<dt>Assigned to</dt><dd>(.*?)</dd>", text)
    assert found, text
    return found[1]


def test_the_item_page_lists_the_assignees_in_the_order_they_were_assigned(client, item):
    client.force_login(viewer())
    text = client.get(reverse("delegations:actionitem_detail", args=[item.pk])).text
    assert assigned_to(text) == IN_ORDER


def test_the_item_page_shows_a_dash_when_nobody_is_assigned(client):
    client.force_login(viewer())
    item = ActionItemFactory()
    text = client.get(reverse("delegations:actionitem_detail", args=[item.pk])).text
    assert assigned_to(text) == "—"


def test_the_item_page_escapes_the_assignees_names(client):
    item = ActionItemFactory()
    item.assignees.add(editor(first_name="<b>Lan</b>"))
    client.force_login(viewer())
    text = client.get(reverse("delegations:actionitem_detail", args=[item.pk])).text
    assert assigned_to(text) == "&lt;b&gt;Lan&lt;/b&gt;"


def test_the_item_page_after_a_refused_status_change_lists_them_in_order(client, item):
    """A plain POST the form refuses answers the item's page (read without the names)."""
    client.force_login(editor())
    prefix = f"item{item.pk}"
    response = client.post(
        reverse("delegations:actionitem_status", args=[item.pk]),
        {f"{prefix}-status": "no-such-status", f"{prefix}-version": item.version},
    )
    assert response.status_code == 422
    assert assigned_to(response.text) == IN_ORDER


def test_the_list_names_the_assignees_in_the_order_they_were_assigned(client, item):
    client.force_login(viewer())
    text = client.get(reverse("delegations:actionitem_list")).text
    assert f"→ {IN_ORDER}</small>" in text


def test_the_assignees_include_lists_them_in_the_order_they_were_assigned(item):
    html = render_to_string("delegations/includes/assignees.html", {"item": item})
    assert f"→ {IN_ORDER}</small>" in html


def test_an_assignee_removed_and_assigned_again_comes_last(client, item, accounts):
    item.assignees.remove(accounts["minh"])
    item.assignees.add(accounts["minh"])
    client.force_login(viewer())
    text = client.get(reverse("delegations:actionitem_detail", args=[item.pk])).text
    assert assigned_to(text) == "An Lê, Lan Nguyễn, Minh Trần"


def test_an_edit_keeps_the_order_of_those_still_assigned_and_adds_the_new_last(
    client, item, accounts
):
    """The form's selection has no order: those kept keep their links, the new come last."""
    client.force_login(editor())
    assign_on_the_form(client, item, [accounts["lan"], accounts["an"]])  # Minh unassigned
    assign_on_the_form(client, item, list(accounts.values()))  # and assigned again
    text = client.get(reverse("delegations:actionitem_detail", args=[item.pk])).text
    assert assigned_to(text) == "An Lê, Lan Nguyễn, Minh Trần"


def test_the_history_names_the_assignees_in_the_order_they_were_assigned(client, accounts):
    item = ActionItemFactory(visit=VisitFactory())
    client.force_login(editor())
    assign_on_the_form(client, item, [accounts["an"]])
    assign_on_the_form(client, item, [accounts["an"], accounts["lan"]])
    text = client.get(reverse("delegations:actionitem_detail", args=[item.pk])).text
    assert '<td class="history-old">an</td><td class="history-new">an, lan</td>' in text
