"""The office can work from the admin from day one: every model, with the demo records."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

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


def test_the_demo_viewer_can_read_but_not_change_in_the_admin(client, demo):
    assert client.login(username="demo-viewer", password="demo-pass-2025")
    assert client.get(reverse("admin:agreements_agreement_changelist")).status_code == 200
    response = client.get(reverse("admin:agreements_agreement_changelist"))
    assert "HN-MSK-CT-2024-2026" in response.content.decode()
    assert client.get(reverse("admin:agreements_agreement_add")).status_code == 403
