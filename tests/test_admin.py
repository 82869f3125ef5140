"""The office can work from the admin from day one: every model, with the demo records."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory, administrator

pytestmark = pytest.mark.django_db

DOMAIN = {"partnerships", "agreements", "delegations"}
REGISTERED = sorted(
    (m._meta.app_label, m._meta.model_name)
    for m in admin.site._registry
    if m._meta.app_label in DOMAIN
)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_domain_model_is_in_the_admin():
    models = {
        (m._meta.app_label, m._meta.model_name)
        for m in __import__("django.apps").apps.apps.get_models()
        if m._meta.app_label in DOMAIN and not m._meta.model_name.startswith("historical")
    }
    assert models <= set(REGISTERED) | {
        ("partnerships", "cityname"),
        ("agreements", "signatory"),
        ("agreements", "agreementdocument"),
        ("delegations", "visitparticipant"),
        ("delegations", "progressupdate"),
    }


@pytest.mark.parametrize(("app", "model"), REGISTERED)
def test_changelist_search_and_add_pages_render(superuser_client, demo, app, model):
    assert superuser_client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert (
        superuser_client.get(
            reverse(f"admin:{app}_{model}_changelist"), {"q": "hà nội"}
        ).status_code
        == 200
    )
    add = superuser_client.get(reverse(f"admin:{app}_{model}_add"))
    assert add.status_code in (200, 403)


@pytest.mark.parametrize(("app", "model"), REGISTERED)
def test_every_demo_record_opens_in_the_admin(superuser_client, demo, app, model):
    model_class = next(
        m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app, model)
    )
    for pk in model_class._default_manager.values_list("pk", flat=True)[:50]:
        response = superuser_client.get(reverse(f"admin:{app}_{model}_change", args=[pk]))
        assert response.status_code == 200, (app, model, pk)


@pytest.mark.parametrize("username", ["demo-viewer", "demo-editor"])
def test_the_demo_accounts_are_kept_out_of_the_admin(client, demo, username):
    """The admin is for administrators (issue 14, finding 11; issue 17, finding 11)."""
    assert client.login(username=username, password="demo-pass-2025")
    for url in (reverse("admin:index"), reverse("admin:agreements_agreement_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def _user_change_post(user, **changes):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [g.pk for g in user.groups.all()],
        "date_joined_0": "2025-01-01",
        "date_joined_1": "08:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_an_administrator_cannot_make_themself_a_superuser(client, settings):
    """Issue 17, finding 11: only superusers grant superuser."""
    settings.LANGUAGE_CODE = "en"
    me = administrator(username="quan.tri", is_staff=True)
    client.force_login(me)
    url = reverse("admin:auth_user_change", args=[me.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _user_change_post(me, is_superuser="on", first_name="Quân"))
    assert response.status_code == 302, response.content.decode()[:2000]
    me.refresh_from_db()
    assert me.first_name == "Quân"  # the rest of the form was saved
    assert not me.is_superuser


def test_an_administrator_cannot_change_a_superusers_account(client):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(administrator(is_staff=True))
    url = reverse("admin:auth_user_change", args=[boss.pk])
    client.post(url, _user_change_post(boss, is_superuser="", first_name="X"))
    boss.refresh_from_db()
    assert boss.is_superuser
    assert boss.first_name != "X"
    password = client.post(
        reverse("admin:auth_user_password_change", args=[boss.pk]),
        {"password1": "a-new-long-password-1", "password2": "a-new-long-password-1"},
    )
    assert password.status_code == 403


def test_a_superuser_may_grant_superuser(client, settings):
    settings.LANGUAGE_CODE = "en"
    other = administrator(username="pho.quan.tri", is_staff=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:auth_user_change", args=[other.pk])
    response = client.post(url, _user_change_post(other, is_superuser="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    other.refresh_from_db()
    assert other.is_superuser
