"""The app's own error pages and account pages (issue 14, finding 11; issue 17, finding 11).

403, 404 and 500 in the site's shell with a way back, also in the demo (DEBUG on with
DEBUG_ERROR_PAGES=0); a favicon; "you have signed out"; "change my password"; the Django
admin offered to administrators only; a friendly 503 and /healthz when the database is down.
"""

import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from common import error_pages
from tests.factories import administrator, editor, viewer
from tests.test_security_settings import HOST, production_env, run_python

pytestmark = pytest.mark.django_db

SHELL = 'class="app-header"'


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


def test_a_viewer_refused_a_form_gets_the_apps_403_page_with_a_way_back(client):
    client.force_login(viewer(username="xem"))
    response = client.get(reverse("agreements:agreement_create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert SHELL in html
    assert "You are not allowed to do this" in html
    assert "xem" in html
    assert f'href="{reverse("dashboard")}"' in html


def test_a_mistyped_address_gets_the_apps_404_page(client):
    client.force_login(viewer())
    response = client.get("/agreemnts/")
    assert response.status_code == 404
    html = response.content.decode()
    assert SHELL in html
    assert "This page does not exist" in html
    assert f'href="{reverse("search")}"' in html


def test_the_404_page_needs_no_sign_in(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_the_500_page_is_the_shells_without_the_request():
    request = RequestFactory().get("/")
    response = error_pages.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert SHELL in html
    assert "Something went wrong on our side" in html
    assert f'href="{reverse("dashboard")}"' in html


def test_the_url_configuration_names_the_apps_handlers():
    from config import urls

    assert urls.handler403 == "common.error_pages.permission_denied"
    assert urls.handler404 == "common.error_pages.page_not_found"
    assert urls.handler500 == "common.error_pages.server_error"


def test_in_the_demo_a_mistyped_address_does_not_show_the_url_list(settings):
    """DEBUG on (the demo) with DEBUG_ERROR_PAGES=0: the app's page, not Django's debug 404."""
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = False
    client = Client()  # its handler loads the middleware with these settings
    client.force_login(viewer())
    response = client.get("/agreemnts/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "This page does not exist" in html
    assert "URLconf" not in html
    assert "agreements/" not in html.split("<main", 1)[1]


def test_with_debug_pages_on_a_developer_still_gets_djangos_404(settings):
    settings.DEBUG = True
    settings.DEBUG_ERROR_PAGES = True
    client = Client()
    client.force_login(viewer())
    assert "URLconf" in client.get("/agreemnts/").content.decode()


def test_a_refused_form_post_gets_the_apps_403_page():
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor())
    response = client.post(reverse("agreements:agreement_create"), {})
    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()


def test_the_favicon_is_served_at_the_root_without_sign_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_every_page_links_its_icon(client):
    client.force_login(viewer())
    assert 'rel="icon"' in client.get(reverse("dashboard")).content.decode()


def test_logging_out_says_so_on_the_login_page(client):
    client.force_login(viewer())
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You have signed out." in response.content.decode()


def test_the_user_menu_offers_to_change_my_password(client):
    client.force_login(viewer())
    html = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("password_change")}"' in html


def test_anyone_signed_in_changes_their_own_password_in_the_shell(client):
    user = viewer(password="old-password-2025")
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert SHELL in page.content.decode()
    assert "admin" not in page.templates[0].origin.name
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "old-password-2025",
            "new_password1": "a-much-longer-new-one-2026",
            "new_password2": "a-much-longer-new-one-2026",
        },
    )
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert "Your password was changed" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-much-longer-new-one-2026")


@pytest.mark.parametrize("make_user", [viewer, editor])
def test_the_admin_is_neither_offered_nor_open_to_viewers_and_editors(client, make_user):
    client.force_login(make_user(is_staff=True))
    assert f'href="{reverse("admin:index")}"' not in client.get(reverse("dashboard")).text
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_is_offered_and_open_to_administrators(client):
    client.force_login(administrator(is_staff=True))
    assert f'href="{reverse("admin:index")}"' in client.get(reverse("dashboard")).text
    assert client.get(reverse("admin:index")).status_code == 200


DATABASE_DOWN = """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client(HTTP_HOST="HOST_NAME", raise_request_exception=False)
    # A signed-in person's next click: the session is read from the database.
    client.cookies["sessionid"] = "a" * 32
    page = client.get("/", secure=True)
    health = Client(HTTP_HOST="HOST_NAME", raise_request_exception=False).get("/healthz")
    print(json.dumps({
        "page": [page.status_code, page.content.decode()],
        "health": [health.status_code, health.content.decode()],
    }))
""".replace("HOST_NAME", HOST)


def test_without_the_database_pages_say_so_with_503_and_healthz_reports_it():
    """Issue 17, finding 11: no bare 500 when PostgreSQL is down (nothing listens on port 9)."""
    env = production_env(DATABASE_URL="postgres://postgres@127.0.0.1:9/gone", LANGUAGE="en")
    result = run_python(DATABASE_DOWN, env)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    status, html = answers["page"]
    assert status == 503
    assert SHELL in html
    assert "The database cannot be reached" in html or "cơ sở dữ liệu" in html.lower()
    assert answers["health"] == [503, "database unavailable"]


def test_healthz_is_ok_with_the_database(client):
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.content) == (200, b"ok")
