"""The followers block of a partnership's page (issue 15's gap): editors and administrators
add a colleague (the desk officer for Minsk) to the followers or take one off, by a plain
POST or swapped in place by htmx; each change is in the partnership's history; viewers
only see the list and follow or stop following themselves."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import translation

from partnerships.models import Partnership
from tests.factories import PartnershipFactory, UserFactory, administrator, editor, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # The pages speak the user's language (Vietnamese by default); these tests read English.
    settings.LANGUAGE_CODE = "en"


HTMX = {"HX-Request": "true", "HX-Target": "followers"}


def url(partnership: Partnership) -> str:
    return reverse("partnerships:partnership_followers", args=[partnership.pk])


def followers_block(html: str) -> str:
    return html.split('id="followers"', 1)[1].split("</article>", 1)[0]


@pytest.fixture
def minsk():
    return PartnershipFactory()


@pytest.fixture
def desk_officer():
    return viewer(username="desk-minsk", first_name="Lan", last_name="Nguyễn")


def test_an_editor_adds_a_colleague_as_a_follower_without_javascript(client, minsk, desk_officer):
    me = editor()
    client.force_login(me)
    response = client.post(url(minsk), {"add": desk_officer.pk})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{minsk.get_absolute_url()}#followers"
    assert list(Partnership.objects.followed_by(desk_officer)) == [minsk]
    latest = minsk.history.latest()
    assert [f.user_id for f in latest.followers.all()] == [desk_officer.pk]
    assert latest.history_user == me  # who made the change, in the history
    with translation.override("en"):
        page = client.get(response["Location"]).text
    assert "Lan Nguyễn" in followers_block(page)
    assert "Lan Nguyễn now follows this partnership." in page


def test_an_editor_adds_a_colleague_in_place_with_htmx(client, minsk, desk_officer):
    client.force_login(editor())
    with translation.override("en"):
        response = client.post(url(minsk), {"add": desk_officer.pk}, headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    assert response.text.lstrip().startswith('<article id="followers"')
    assert "<html" not in response.text
    assert "Lan Nguyễn" in response.text
    assert 'role="status"' in response.text
    assert "Lan Nguyễn now follows this partnership." in response.text
    # The account is now in the list, so no longer offered to add.
    offered = response.text.split('name="add"', 1)[1].split("</select>", 1)[0]
    assert f'value="{desk_officer.pk}"' not in offered
    assert "HX-Request" in response["Vary"]


def test_the_plain_page_and_the_htmx_answer_show_the_same_block(client, minsk, desk_officer):
    minsk.set_followed(desk_officer, follow=True)
    client.force_login(editor())
    page = client.get(minsk.get_absolute_url()).text
    other = viewer()
    response = client.post(url(minsk), {"add": other.pk}, headers=HTMX)
    assert other.get_username() in response.text
    assert followers_block(page).count('name="remove"') == 1
    assert followers_block(response.text).count('name="remove"') == 2


def test_an_administrator_takes_a_colleague_off_with_htmx(client, minsk, desk_officer):
    minsk.set_followed(desk_officer, follow=True)
    client.force_login(administrator())
    response = client.post(url(minsk), {"remove": desk_officer.pk}, headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    assert not Partnership.objects.followed_by(desk_officer).exists()
    assert not minsk.history.latest().followers.exists()
    assert 'name="remove"' not in followers_block(response.text)


def test_an_editor_takes_a_colleague_off_without_javascript(client, minsk, desk_officer):
    minsk.set_followed(desk_officer, follow=True)
    client.force_login(editor())
    response = client.post(url(minsk), {"remove": desk_officer.pk})
    assert response.status_code == HTTPStatus.FOUND
    assert not Partnership.objects.followed_by(desk_officer).exists()


def test_a_viewer_cannot_change_the_followers(client, minsk, desk_officer):
    me = viewer()
    minsk.set_followed(desk_officer, follow=True)
    client.force_login(me)
    assert client.post(url(minsk), {"add": me.pk}).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url(minsk), {"remove": desk_officer.pk}).status_code == 403
    assert list(minsk.followers.all()) == [desk_officer]
    block = followers_block(client.get(minsk.get_absolute_url()).text)
    assert "Lan Nguyễn" in block  # the list, but no form to change it
    assert 'name="add"' not in block
    assert 'name="remove"' not in block
    assert reverse("partnerships:partnership_follow", args=[minsk.pk]) in block


def test_the_followers_url_takes_posts_only(client, minsk):
    client.force_login(editor())
    assert client.get(url(minsk)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_only_active_staff_accounts_are_offered(client, minsk, desk_officer):
    no_role = UserFactory(username="no-role-account")
    gone = editor(username="gone-account", is_active=False)
    client.force_login(editor())
    page = client.get(minsk.get_absolute_url()).text
    offered = page.split('name="add"', 1)[1].split("</select>", 1)[0]
    assert f'value="{desk_officer.pk}"' in offered
    assert f'value="{no_role.pk}"' not in offered
    assert f'value="{gone.pk}"' not in offered


@pytest.mark.parametrize("who", ["no role", "inactive"])
def test_an_account_that_is_not_active_staff_is_refused_next_to_the_field(client, minsk, who):
    account = UserFactory() if who == "no role" else editor(is_active=False)
    client.force_login(editor())
    with translation.override("en"):
        response = client.post(url(minsk), {"add": account.pk}, headers=HTMX)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.text.lstrip().startswith('<article id="followers"')
    assert 'id="id_add_error"' in response.text
    assert not minsk.followers.exists()


def test_an_empty_post_without_javascript_shows_the_page_with_the_error(client, minsk):
    client.force_login(editor())
    with translation.override("en"):
        response = client.post(url(minsk), {})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "<html" in response.text
    block = followers_block(response.text)
    assert 'id="id_add_error"' in block
    assert "Choose a staff account to add." in block


def test_taking_off_someone_who_does_not_follow_is_refused(client, minsk, desk_officer):
    client.force_login(editor())
    response = client.post(url(minsk), {"remove": desk_officer.pk}, headers=HTMX)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not minsk.history.filter(history_type="~").exists()


def test_a_follower_deactivated_since_can_still_be_taken_off(client, minsk, desk_officer):
    minsk.set_followed(desk_officer, follow=True)
    desk_officer.is_active = False
    desk_officer.save()
    client.force_login(editor())
    response = client.post(url(minsk), {"remove": desk_officer.pk}, headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    assert not minsk.followers.exists()


# -- queries ------------------------------------------------------------------------------


def with_followers(n: int) -> Partnership:
    partnership = PartnershipFactory()
    for account in [viewer() for _ in range(n)]:
        partnership.set_followed(account, follow=True)
    editor()  # one more staff account to offer
    return partnership


@pytest.mark.parametrize("n", [1, 6])
def test_an_editors_partnership_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    partnership = with_followers(n)
    client.force_login(editor())
    # Expect 20 (the record sections are not cached inside a test's transaction): session,
    # user, role (3); the partnership, its fields, names and followers (4); the map block
    # (1); the staff accounts that may be added (1); the agreements, visits, open action
    # items, the visit balance, the counterparts (5); the history and the fields' and
    # followers' changes in it (3); saving the session (3).
    with django_assert_num_queries(20):
        client.get(partnership.get_absolute_url())


@pytest.mark.parametrize("n", [1, 6])
def test_adding_a_follower_with_htmx_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    partnership = with_followers(n)
    colleague = viewer()
    client.force_login(editor())
    # Expect 19: session, user, role (3); the partnership, its fields, names and followers
    # (4); the account chosen (1); the change: the links already there, the new link, the
    # history row, its fields and followers read and the followers written (6); the
    # followers again and the staff accounts still to offer (2); saving the session (3).
    with django_assert_num_queries(19):
        response = client.post(url(partnership), {"add": colleague.pk}, headers=HTMX)
    assert response.status_code == HTTPStatus.OK


def follow_url(partnership: Partnership) -> str:
    return reverse("partnerships:partnership_follow", args=[partnership.pk])


def test_a_viewer_follows_and_stops_in_place_with_htmx(client, minsk):
    me = viewer(username="reader", first_name="Hoa", last_name="Lê")
    client.force_login(me)
    response = client.post(follow_url(minsk), {"follow": "on"}, headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    assert response.text.lstrip().startswith('<article id="followers"')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]
    assert list(Partnership.objects.followed_by(me)) == [minsk]
    assert "Hoa Lê" in response.text.split('class="plain followers"', 1)[1]
    assert '<p class="status-saved" role="status">You now follow this partnership.</p>' in (
        response.text
    )
    assert 'id="follow-button">Stop following</button>' in response.text
    assert 'name="follow"' not in response.text
    response = client.post(follow_url(minsk), {}, headers=HTMX)
    assert not Partnership.objects.followed_by(me).exists()
    assert "You no longer follow this partnership." in response.text
    assert 'name="follow" value="on"' in response.text
    assert "No one follows this partnership yet." in response.text


def test_a_viewer_follows_without_javascript_and_the_page_shows_the_same_block(client, minsk):
    me = viewer()
    client.force_login(me)
    response = client.post(follow_url(minsk), {"follow": "on"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{minsk.get_absolute_url()}#followers"
    page = followers_block(client.get(response["Location"]).text)
    client.post(follow_url(minsk), {})
    swapped = client.post(follow_url(minsk), {"follow": "on"}, headers=HTMX).text
    # The same block as the page's but for the status line (and the CSRF token).
    without_status = swapped.replace(
        '<p class="status-saved" role="status">You now follow this partnership.</p>', ""
    )
    assert comparable(followers_block(without_status)) == comparable(page)


def comparable(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\s+", " ", html)
