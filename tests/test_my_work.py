"""My work: action items assigned to staff accounts, the page, the dashboard card, the
list filter, the form and the history."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from delegations.models import ActionItem
from tests.factories import ActionItemFactory, VisitFactory, editor, viewer

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
URL = reverse("workspace:my_work")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_my_work_lists_my_open_items_overdue_first_then_by_due_date(client):
    me = editor()
    later = ActionItemFactory(description="LATER-ITEM", due_on=days(40))
    late = ActionItemFactory(description="LATE-ITEM", due_on=days(-3))
    soon = ActionItemFactory(description="SOON-ITEM", due_on=days(2))
    undated = ActionItemFactory(description="UNDATED-ITEM", due_on=None)
    done = ActionItemFactory(description="DONE-ITEM", status=ActionItem.Status.DONE)
    others = ActionItemFactory(description="OTHERS-ITEM", due_on=days(1))
    for item in (later, late, soon, undated, done):
        item.assignees.add(me)
    others.assignees.add(viewer())
    client.force_login(me)
    text = client.get(URL).text
    order = [text.index(d) for d in ("LATE-ITEM", "SOON-ITEM", "LATER-ITEM", "UNDATED-ITEM")]
    assert order == sorted(order)
    assert "DONE-ITEM" not in text
    assert "OTHERS-ITEM" not in text


def test_my_work_rows_carry_the_inline_status_change_for_an_editor(client):
    me = editor()
    item = ActionItemFactory()
    item.assignees.add(me)
    client.force_login(me)
    assert reverse("delegations:actionitem_status", args=[item.pk]) in client.get(URL).text


def test_my_work_filters_the_overdue_ones(client):
    me = viewer()
    for description, due in (("LATE-ITEM", days(-3)), ("SOON-ITEM", days(2))):
        ActionItemFactory(description=description, due_on=due).assignees.add(me)
    client.force_login(me)
    text = client.get(URL, {"due": "overdue"}).text
    assert "LATE-ITEM" in text
    assert "SOON-ITEM" not in text


def test_my_work_answers_htmx_with_the_results_only(client):
    me = viewer()
    ActionItemFactory(description="MINE").assignees.add(me)
    client.force_login(me)
    response = client.get(URL, headers={"HX-Request": "true", "HX-Target": "my-work-results"})
    assert "MINE" in response.text
    assert "<html" not in response.text


def test_the_dashboard_shows_my_work_card(client):
    me = viewer()
    ActionItemFactory(description="MY-CARD-ITEM", due_on=days(-1)).assignees.add(me)
    ActionItemFactory(description="NOT-MINE-ITEM", due_on=days(-1))
    client.force_login(me)
    text = client.get(reverse("dashboard")).text
    card = text[text.index('id="section-my_work"') :]
    card = card[: card.index("</article>")]
    assert "MY-CARD-ITEM" in card
    assert "NOT-MINE-ITEM" not in card
    assert "badge-overdue" in card


def test_the_action_item_list_filters_items_assigned_to_me(client):
    me = viewer()
    ActionItemFactory(description="MINE-ITEM").assignees.add(me)
    ActionItemFactory(description="NOT-MINE-ITEM")
    client.force_login(me)
    text = client.get(reverse("delegations:actionitem_list"), {"mine": "on"}).text
    assert "MINE-ITEM" in text
    assert "NOT-MINE-ITEM" not in text


def test_an_editor_assigns_an_item_on_its_form_and_history_records_it(client):
    me = editor(first_name="Lan", last_name="Nguyễn")
    colleague = editor(first_name="Minh", last_name="Trần")
    item = ActionItemFactory(visit=VisitFactory())
    client.force_login(me)
    form_page = client.get(reverse("delegations:actionitem_edit", args=[item.pk])).text
    assert "Minh Trần" in form_page
    data = {
        "description": item.description,
        "partnership": item.partnership_id,
        "visit": item.visit_id,
        "assignees": [colleague.pk, me.pk],
        "due_on": "",
        "status": item.status,
        "priority": item.priority,
        "version": item.version,
    }
    response = client.post(reverse("delegations:actionitem_edit", args=[item.pk]), data)
    assert response.status_code == 302, response.text
    assert set(item.assignees.all()) == {me, colleague}
    page = client.get(item.get_absolute_url()).text
    assert "Minh Trần" in page  # the facts
    history = page[page.index('class="history') :]
    assert "assigned to" in history.lower()
    assert colleague.username in history


def test_an_account_without_a_role_is_not_offered_for_assignment(client):
    from tests.factories import UserFactory

    UserFactory(username="no-role-account")
    client.force_login(editor())
    text = client.get(reverse("delegations:actionitem_create")).text
    assert "no-role-account" not in text


def test_the_demo_editor_has_work_assigned(client, demo):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="demo-editor"))
    text = client.get(URL).text
    assert "Diễn đàn kinh tế tại Minsk" in text


@pytest.mark.parametrize("n", [1, 8])
def test_my_work_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    me = editor()
    for item in ActionItemFactory.create_batch(n, visit=VisitFactory()):
        item.assignees.add(me)
    client.force_login(me)
    # Expect 8: session, user, role; the count, the page of items (one join); the
    # session save (3).
    with django_assert_num_queries(8):
        client.get(URL)


def test_my_work_column_headings_sort_the_list_and_turn_the_order_round(client):
    me = editor()
    for description, priority in (("LOW-ITEM", 1), ("HIGH-ITEM", 3), ("MID-ITEM", 2)):
        ActionItemFactory(description=description, priority=priority).assignees.add(me)
    client.force_login(me)
    text = client.get(URL).text
    # The default order (overdue first, then due date) shows on its heading.
    due = text.split('aria-sort="ascending"', 1)[1].split("</th>", 1)[0]
    assert "sort=-due" in due
    for key in ("sort=description", "sort=-priority", "sort=status"):
        assert f'href="?{key}"' in text
    by_priority = client.get(URL, {"sort": "-priority"}).text
    order = [by_priority.index(d) for d in ("HIGH-ITEM", "MID-ITEM", "LOW-ITEM")]
    assert order == sorted(order)
    reversed_ = client.get(URL, {"sort": "priority"}).text
    order = [reversed_.index(d) for d in ("LOW-ITEM", "MID-ITEM", "HIGH-ITEM")]
    assert order == sorted(order)
    by_name = client.get(URL, {"sort": "-description"}).text
    order = [by_name.index(d) for d in ("MID-ITEM", "LOW-ITEM", "HIGH-ITEM")]
    assert order == sorted(order)


@pytest.mark.parametrize("n", [1, 8])
def test_my_work_sorted_by_a_heading_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    me = editor()
    for item in ActionItemFactory.create_batch(n, visit=VisitFactory()):
        item.assignees.add(me)
    client.force_login(me)
    # Expect 8, as in the default order: the order is one ORDER BY, no query more.
    with django_assert_num_queries(8):
        client.get(URL, {"sort": "status"})
