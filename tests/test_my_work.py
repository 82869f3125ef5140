"""My work: action items assigned to staff accounts, the page, the dashboard card, the
list filter, the form and the history."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from delegations.models import ActionItem
from tests.factories import ActionItemFactory, VisitFactory, assign_on_the_form, editor, viewer

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
    assign_on_the_form(client, item, [colleague, me])
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
    # Expect 11: session, user, role; the count, the page of items (joined to no other
    # record: the names it shows read by subqueries); my partnerships (those I follow or
    # have items in, in one query), their coming visits, their expiring agreements; the
    # session save (3).
    with django_assert_num_queries(11):
        client.get(URL)


def test_my_work_of_an_account_with_nothing_reads_neither_rows_nor_dates(
    client, django_assert_num_queries
):
    client.force_login(editor())
    # Expect 8: session, user, role; the count (no row: no page read); my partnerships
    # (none: no visit nor agreement to read); the session save (3).
    with django_assert_num_queries(8):
        text = client.get(URL).text
    assert "Nothing assigned to you is open." in text
    assert "You follow no partnership yet" in text


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
    # Expect 11, as in the default order: the order is one ORDER BY, no query more.
    with django_assert_num_queries(11):
        client.get(URL, {"sort": "status"})


# -- partnerships I follow (issue 15: reminders and My work beyond assigned items) ---------


def test_following_a_partnership_from_its_page_is_recorded_in_its_history(client):
    from partnerships.models import Partnership
    from tests.factories import PartnershipFactory

    me = viewer()  # following is personal: readers may follow too
    partnership = PartnershipFactory()
    client.force_login(me)
    page = client.get(partnership.get_absolute_url()).text
    assert "Follow this partnership" in page
    url = reverse("partnerships:partnership_follow", args=[partnership.pk])
    response = client.post(url, {"follow": "on"})
    assert response.status_code == 302
    assert list(Partnership.objects.followed_by(me)) == [partnership]
    page = client.get(partnership.get_absolute_url()).text
    assert "Stop following" in page
    assert me.get_username() in page.split('id="followers"', 1)[1].split("</article>", 1)[0]
    latest = partnership.history.latest()
    assert [f.user_id for f in latest.followers.all()] == [me.pk]
    client.post(url)  # without "follow": stop following
    assert not Partnership.objects.followed_by(me).exists()
    assert not partnership.history.latest().followers.exists()


def test_a_partnership_an_editor_made_me_follow_is_in_my_work(client):
    """Issue 15's gap: an editor adds a colleague (the desk officer) from the partnership's
    page; the colleague's My work then shows it as if they had followed it themselves."""
    from agreements.models import Agreement
    from tests.factories import AgreementFactory, PartnershipFactory

    desk_officer = viewer()
    minsk = PartnershipFactory()
    AgreementFactory(
        partnership=minsk,
        reference="EXPIRING-MINSK",
        status=Agreement.Status.IN_FORCE,
        valid_from=days(-400),
        valid_until=days(100),
    )
    client.force_login(editor())
    url = reverse("partnerships:partnership_followers", args=[minsk.pk])
    assert client.post(url, {"add": desk_officer.pk}).status_code == 302
    client.force_login(desk_officer)
    section = client.get(URL).text.split('id="my-partnerships"', 1)[1]
    assert str(minsk) in section.split('id="followed-partnerships"', 1)[1]
    assert "EXPIRING-MINSK" in section


def test_following_needs_a_post(client):
    from tests.factories import PartnershipFactory

    client.force_login(viewer())
    url = reverse("partnerships:partnership_follow", args=[PartnershipFactory().pk])
    assert client.get(url).status_code == 405


def test_my_settings_choose_the_partnerships_i_follow(client):
    from partnerships.models import Partnership
    from tests.factories import PartnershipFactory

    me = editor()
    first, second, third = PartnershipFactory.create_batch(3)
    first.set_followed(me, follow=True)
    client.force_login(me)
    settings_page = client.get(reverse("workspace:personal_settings")).text
    assert "Partnerships I follow" in settings_page
    response = client.post(
        reverse("workspace:followed_partnerships"), {"partnerships": [second.pk, third.pk]}
    )
    assert response.status_code == 302
    assert set(Partnership.objects.followed_by(me)) == {second, third}
    assert not first.history.latest().followers.exists()  # each change in its history
    assert [f.user_id for f in second.history.latest().followers.all()] == [me.pk]


def test_my_settings_refuse_an_unknown_partnership(client):
    from partnerships.models import Partnership

    me = editor()
    client.force_login(me)
    response = client.post(reverse("workspace:followed_partnerships"), {"partnerships": [999999]})
    assert response.status_code == 302
    assert not Partnership.objects.followed_by(me).exists()
    page = client.get(response["Location"]).text
    assert "Choose partnerships from the list." in page


def test_my_work_shows_what_is_coming_up_in_the_partnerships_i_follow(client):
    from agreements.models import Agreement
    from delegations.models import Visit
    from tests.factories import AgreementFactory, PartnershipFactory

    me = editor()
    followed, other = PartnershipFactory(), PartnershipFactory()
    followed.set_followed(me, follow=True)
    for partnership, suffix in ((followed, "MINE"), (other, "OTHER")):
        AgreementFactory(
            partnership=partnership,
            reference=f"EXPIRING-{suffix}",
            status=Agreement.Status.IN_FORCE,
            valid_from=days(-400),
            valid_until=days(100),
        )
        VisitFactory(
            partnership=partnership,
            title=f"VISIT-{suffix}",
            start_date=days(3),
            end_date=None,
            status=Visit.Status.PLANNED,
        )
    client.force_login(me)
    text = client.get(URL).text
    section = text.split('id="my-partnerships"', 1)[1]
    assert str(followed) in section.split('id="followed-partnerships"', 1)[1]
    assert "EXPIRING-MINE" in section
    assert "VISIT-MINE" in section
    assert "OTHER" not in section
    htmx = client.get(URL, headers={"HX-Request": "true", "HX-Target": "my-work-results"}).text
    assert "my-partnerships" not in htmx  # the filters swap the list only
