"""Production configuration: what `check --deploy` and a real response say.

The production settings are computed when config/settings.py is imported, from
the environment; the test suite runs with DEBUG on. So the production behaviour
is checked in a subprocess that imports the settings with a production
environment, as the server would.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import viewer

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "doingoai.example.gov.vn"


def production_env(**overrides) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "AXES_", "CSP_", "DJANGO_"))
        and key not in {"DEBUG", "BEHIND_PROXY"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(overrides)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PROBE = """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client

    # The manifest of hashed static names exists only after collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client(HTTP_HOST="HOST_NAME")
    plain = client.get("/accounts/login/")
    secure = client.get("/accounts/login/", secure=True)
    csrf = secure.cookies["csrftoken"]
    print(json.dumps({
        "plain_status": plain.status_code,
        "plain_location": plain.get("Location"),
        "status": secure.status_code,
        "headers": dict(secure.headers),
        "csrf_cookie": {k: csrf[k] for k in ("secure", "httponly", "samesite")},
    }))
""".replace("HOST_NAME", HOST)


@pytest.fixture(scope="module")
def production_response(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        env = production_env()
    result = run_python(PROBE, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_check_deploy_reports_no_warnings_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.django_db
def test_check_deploy_stays_clean_behind_a_proxy_with_preload_on():
    env = production_env(BEHIND_PROXY="1", SECURE_HSTS_PRELOAD="1")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(0 silenced)" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_redirects_plain_http_to_https(production_response):
    assert production_response["plain_status"] == 301
    assert production_response["plain_location"] == f"https://{HOST}/accounts/login/"


def test_production_sends_hsts_for_a_year_with_subdomains_and_no_preload(production_response):
    assert production_response["status"] == 200
    hsts = production_response["headers"]["Strict-Transport-Security"]
    assert hsts == "max-age=31536000; includeSubDomains"


def test_production_sends_the_hardening_headers(production_response):
    headers = production_response["headers"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_production_csrf_cookie_is_secure_httponly_and_same_site(production_response):
    cookie = production_response["csrf_cookie"]
    assert cookie == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_the_proxy_header_is_trusted_only_when_behind_proxy_is_set():
    code = """
        import django
        django.setup()
        from django.conf import settings
        print(repr(getattr(settings, "SECURE_PROXY_SSL_HEADER", None)))
    """
    direct = run_python(code, production_env())
    proxied = run_python(code, production_env(BEHIND_PROXY="1"))
    assert direct.stdout.strip().splitlines()[-1] == "None"
    assert proxied.stdout.strip().splitlines()[-1] == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_the_health_check_is_exempt_from_the_https_redirect():
    assert r"^healthz/?$" in settings.SECURE_REDIRECT_EXEMPT


def test_session_lasts_eight_idle_hours_and_ends_with_the_browser():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_password_validators_demand_ten_characters_and_refuse_common_and_numeric():
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] == 10


@pytest.mark.django_db
def test_each_request_pushes_the_session_expiry_on(client):
    client.force_login(viewer())
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get(reverse("login"))
    expires = Session.objects.get(pk=key).expire_date
    assert expires > timezone.now() + timedelta(hours=7, minutes=59)


@pytest.mark.django_db
def test_a_session_idle_past_its_expiry_is_logged_out(client):
    client.force_login(viewer())
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("partnerships:partnership_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_logout_by_get_is_refused(client):
    client.force_login(viewer())
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_logout_by_post_ends_the_session(client):
    client.force_login(viewer())
    response = client.post(reverse("logout"))
    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_pages_offer_logout_as_a_post_form(client):
    client.force_login(viewer())
    html = client.get(reverse("partnerships:partnership_list")).content.decode()
    logout = reverse("logout")
    assert f'<form method="post" action="{logout}">' in html
    assert f'href="{logout}"' not in html


def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((BASE_DIR / "uv.lock").read_text())
    return {package["name"]: package["version"] for package in lock["package"]}


def requirements() -> dict[str, str]:
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    return {re.split(r"[\[<>=]", spec, maxsplit=1)[0]: spec for spec in project["dependencies"]}


def test_the_lock_file_pins_weasyprint_70_or_later():
    # Before 70, stylesheets= and XMP metadata could bypass a custom URL fetcher.
    assert int(locked_versions()["weasyprint"].split(".")[0]) >= 70
    assert requirements()["weasyprint"] == "weasyprint>=70"


def test_the_lock_file_has_defusedxml_for_reading_spreadsheets():
    # openpyxl parses .xlsx with defusedxml when it is installed (no XML bombs).
    assert "defusedxml" in locked_versions()
    assert "defusedxml" in requirements()
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_the_lock_file_has_django_axes_for_login_throttling():
    assert int(locked_versions()["django-axes"].split(".")[0]) >= 8


def test_the_lockout_can_count_an_account_and_address_together():
    code = """
        import django
        django.setup()
        from django.conf import settings
        print(settings.AXES_LOCKOUT_PARAMETERS)
    """
    result = run_python(code, production_env(AXES_LOCKOUT_PARAMETERS="username+ip_address"))
    assert result.stdout.strip().splitlines()[-1] == "[['username', 'ip_address']]"


@pytest.mark.django_db
def test_postgresql_connections_run_without_the_jit_compiler():
    """Issue 16: a query whose row estimate passes ``jit_above_cost`` spent seconds
    compiling what runs in a millisecond; the application's connections turn JIT off."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_database_jit_on_keeps_the_servers_setting():
    code = textwrap.dedent(
        """
        import json, django
        from django.conf import settings
        django.setup()
        print(json.dumps(settings.DATABASES["default"].get("OPTIONS", {})))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_JIT"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL="postgres://u@h:5432/d")
    off = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(off.stdout.splitlines()[-1])["options"] == "-c jit=off"
    on = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DATABASE_JIT": "1"},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "options" not in json.loads(on.stdout.splitlines()[-1])
