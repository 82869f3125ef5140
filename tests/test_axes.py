"""Login throttling: repeated failures lock an account or an address for a while."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import editor

PASSWORD = "correct-horse-battery-9"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def person(db):
    user = editor(username="lan.nguyen")
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username, password, address="10.0.0.7", **extra):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def fail(client, username, times, address="10.0.0.7"):
    for _ in range(times):
        log_in(client, username, "wrong-password", address)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_throttling_is_on_with_five_failures_and_fifteen_minutes():
    assert settings.AXES_ENABLED is True
    assert LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AUTHENTICATION_BACKENDS[0] == "common.security.LoginThrottleBackend"


def test_failures_below_the_limit_still_let_the_right_password_in(client, person):
    fail(client, person.username, LIMIT - 1)
    response = log_in(client, person.username, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_right_password_is_refused_once_the_account_is_locked(client, person):
    fail(client, person.username, LIMIT)
    response = log_in(client, person.username, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_lockout_page_says_how_long_to_wait(client, person):
    fail(client, person.username, LIMIT)
    response = log_in(client, person.username, PASSWORD)
    html = response.content.decode()
    assert 'id="lockout"' in html
    assert "15" in html
    assert "axes/lockout.html" in [t.name for t in response.templates]


def test_the_account_is_locked_from_every_address(client, person):
    fail(client, person.username, LIMIT, address="10.0.0.7")
    response = log_in(client, person.username, PASSWORD, address="10.9.9.9")
    assert response.status_code == 429


def test_an_address_guessing_many_accounts_is_locked(client, person):
    for n in range(LIMIT):
        log_in(client, f"guess{n}", "wrong-password", "10.6.6.6")
    response = log_in(client, person.username, PASSWORD, address="10.6.6.6")
    assert response.status_code == 429


def test_the_account_opens_again_after_the_cool_off(client, person):
    fail(client, person.username, LIMIT)
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    response = log_in(client, person.username, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_successful_login_forgets_earlier_failures(client, person):
    fail(client, person.username, LIMIT - 1)
    log_in(client, person.username, PASSWORD)
    client.post(reverse("logout"))
    fail(client, person.username, LIMIT - 1)
    response = log_in(client, person.username, PASSWORD)
    assert response.status_code == 302


def test_the_admin_login_is_throttled_too(client, person):
    person.is_staff = True
    person.save()
    for _ in range(LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": person.username, "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.8",
        )
    response = client.post(
        reverse("admin:login"),
        {"username": person.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code == 429


def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(client, person, settings):
    settings.BEHIND_PROXY = True
    forged_then_real = "6.6.6.6, 203.0.113.5"
    for _ in range(LIMIT):
        client.post(
            reverse("login"),
            {"username": f"x{_}", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forged_then_real,
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_without_a_proxy_a_forwarded_header_is_ignored(client, person):
    log_in(client, "someone", "wrong", address="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.9"]


def test_a_login_without_a_request_goes_on_to_the_password_check(client, person):
    # Client.login and shell scripts call authenticate() without a request.
    assert client.login(username=person.username, password=PASSWORD)
    assert not client.login(username=person.username, password="wrong-password")
