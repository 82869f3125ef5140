"""The workspace shell: login, navigation, language switch, htmx set-up, vendored assets."""

import datetime as dt
from pathlib import Path
from typing import cast

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django_htmx.middleware import HtmxDetails

from common.htmx import render_partial_or_page, wants_partial
from common.http_request import AuthenticatedRequest, HtmxRequest
from common.partialdate import PartialDate
from common.templatetags.workspace import partial_date, partial_of
from tests.factories import PartnershipFactory, UserFactory, editor, viewer
from workspace.templatetags.shell import role_label

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static"


@pytest.fixture
def viewer_client(client):
    client.force_login(viewer(username="tuyet"))
    return client


def test_login_page_renders_for_anonymous_visitors(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_viewer_logs_in_and_lands_on_the_dashboard(client):
    viewer(username="lan")
    response = client.post(
        reverse("login"), {"username": "lan", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_is_a_post_form_in_the_user_menu(viewer_client):
    html = viewer_client.get(reverse("dashboard")).content.decode()
    logout = reverse("logout")
    assert f'method="post" action="{logout}"' in html


def test_logout_by_post_ends_the_session(viewer_client):
    viewer_client.post(reverse("logout"))
    assert SESSION_KEY not in viewer_client.session


def test_navigation_links_every_section(viewer_client):
    html = viewer_client.get(reverse("dashboard")).content.decode()
    for name in (
        "dashboard",
        "partnerships:partnership_list",
        "partnerships:person_list",
        "partnerships:organisation_list",
    ):
        assert f'href="{reverse(name)}"' in html


def test_current_section_is_marked_in_the_navigation(viewer_client):
    html = viewer_client.get(reverse("partnerships:partnership_list")).content.decode()
    partners = reverse("partnerships:partnership_list")
    assert f'href="{partners}" aria-current="page"' in html


def test_header_search_box_is_a_plain_get_form_to_the_search_page(viewer_client):
    html = viewer_client.get(reverse("dashboard")).content.decode()
    assert f'method="get" action="{reverse("search")}"' in html
    assert 'name="q"' in html


def test_body_carries_the_csrf_token_for_htmx(viewer_client):
    response = viewer_client.get(reverse("dashboard"))
    html = response.content.decode()
    assert '<body hx-headers=\'{"X-CSRFToken": "' in html


def test_htmx_is_configured_for_the_content_security_policy(viewer_client):
    html = viewer_client.get(reverse("dashboard")).content.decode()
    assert '"allowEval": false' in html
    assert '"allowScriptTags": false' in html
    assert '"selfRequestsOnly": true' in html
    assert '"includeIndicatorStyles": false' in html


def test_pages_have_no_inline_script_or_style(viewer_client):
    PartnershipFactory()
    html = viewer_client.get(reverse("partnerships:partnership_list")).content.decode()
    assert "<script>" not in html
    assert "style=" not in html
    assert "<style" not in html
    assert "hx-on" not in html


def test_language_switch_is_a_form_posting_to_set_language(viewer_client):
    html = viewer_client.get(reverse("dashboard")).content.decode()
    assert f'method="post" action="{reverse("set_language")}"' in html
    assert 'name="language" value="en"' in html


def test_vietnamese_is_the_default_language(viewer_client):
    response = viewer_client.get(reverse("dashboard"))
    assert '<html lang="vi"' in response.content.decode()


def test_switching_to_english_sticks(viewer_client):
    viewer_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en"' in viewer_client.get(reverse("dashboard")).content.decode()


def test_user_menu_shows_the_role(client):
    client.force_login(editor(username="hoa"))
    html = client.get(reverse("dashboard")).content.decode()
    assert "hoa" in html
    assert "editor" in html or "biên tập" in html


def test_vendored_htmx_and_its_licence_are_served_from_static():
    assert (STATIC / "vendor/htmx/htmx.min.js").stat().st_size > 10_000
    assert (STATIC / "vendor/htmx/LICENSE").exists()
    assert (STATIC / "vendor/pico/pico.min.css").exists()
    assert (STATIC / "vendor/pico/LICENSE.md").exists()


def test_no_page_loads_anything_from_a_cdn(viewer_client):
    html = viewer_client.get(reverse("dashboard")).content.decode()
    assert "https://" not in html.split("<body")[0]


def test_wants_partial_is_false_for_history_restore_requests():
    request = cast(
        HtmxRequest,
        RequestFactory().get("/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"),
    )
    request.htmx = HtmxDetails(request)
    assert not wants_partial(request)


def test_render_partial_or_page_chooses_the_partial_by_target(viewer_client):
    request = cast(
        AuthenticatedRequest,
        RequestFactory().get("/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="elsewhere"),
    )
    request.htmx = HtmxDetails(request)
    request.user = UserFactory()
    response = render_partial_or_page(
        request, "workspace/search.html", {"q": ""}, {"search-results": "search-results"}
    )
    assert "<html" in response.content.decode()  # an unknown target gets the whole page


def test_partial_date_filter_shows_a_date_as_it_is_known():
    assert partial_date(PartialDate.of(dt.date(2004, 1, 1), "year")) == "2004"
    assert partial_date(None) == "—"


def test_partial_of_reads_a_models_date_pair():
    partnership = PartnershipFactory.build(
        established_on=dt.date(2023, 12, 1), established_on_precision="month"
    )
    assert partial_of(partnership, "established_on") == "12/2023"


def test_role_label_of_a_user_without_role():
    with translation.override("en"):
        assert role_label(UserFactory()) == "no role"
