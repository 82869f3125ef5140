"""What docker-compose.yml runs (scripts/entrypoint.sh: migrate, collectstatic, gunicorn),
run here for real against a fresh PostgreSQL database with production settings."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from http import HTTPStatus
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fresh_database():
    db = settings.DATABASES["default"]
    name = f"sc_entrypoint_{uuid.uuid4().hex[:8]}"
    admin: dict[str, Any] = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{db['USER']}@{admin['host']}:{admin['port']}/{name}"
    if db["PASSWORD"]:
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{admin['host']}:{admin['port']}/{name}"
    yield url
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def get(url: str, **headers) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (the test's own server)
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_container_entrypoint_migrates_and_serves_under_gunicorn(fresh_database, tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DATABASE_URL": fresh_database,
        "DEBUG": "0",
        "SECRET_KEY": "test-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_PROXY": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PYTHON": sys.executable,
    }
    server = subprocess.Popen(
        ["sh", str(ROOT / "scripts" / "entrypoint.sh")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # migrate + collectstatic on a fresh database, then gunicorn's workers: a minute
        # on an idle machine, several under a full parallel test run.
        deadline = time.monotonic() + 360
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = get(f"{base}/accounts/login/", **{"X-Forwarded-Proto": "https"})
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert server.stdout is not None
        assert server.poll() is None, server.stdout.read().decode()[-3000:]
        assert status == HTTPStatus.OK, "the server did not answer before the deadline"
        assert b'name="password"' in body
        plain_http_status, _ = get(f"{base}/accounts/login/")
        assert (
            plain_http_status == HTTPStatus.MOVED_PERMANENTLY
        )  # production redirects plain HTTP to HTTPS
        css_status, _ = get(f"{base}/static/admin/css/base.css", **{"X-Forwarded-Proto": "https"})
        assert css_status == HTTPStatus.OK  # collected and served by WhiteNoise
        with psycopg.connect(fresh_database.replace("postgres://", "postgresql://")) as conn:
            groups = {row[0] for row in conn.execute("select name from auth_group")}
        assert groups == {"viewer", "editor", "administrator"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
