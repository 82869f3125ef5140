import os

import pytest
from django.core.cache import cache
from django.db import connection

from demo.loader import load_demo


@pytest.fixture(autouse=True, scope="session")
def _suite_runs_on_postgresql(django_db_setup, django_db_blocker):
    """The suite is meant for PostgreSQL; SQLite only with ALLOW_SQLITE_TESTS=1."""
    with django_db_blocker.unblock():
        vendor = connection.vendor
    if vendor != "postgresql" and os.environ.get("ALLOW_SQLITE_TESTS") != "1":
        pytest.exit(f"The test suite needs PostgreSQL (DATABASE_URL); got {vendor}.", returncode=2)


@pytest.fixture
def demo(db):
    """The demo data of the seed articles, with both demo accounts (password demo-pass-2025)."""
    load_demo(password="demo-pass-2025")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back test leaves the data version
    where it found it, so the next test's version numbers repeat (workspace/freshness.py)."""
    cache.clear()
    yield
    cache.clear()


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless, with no calls home (this machine has no internet)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def pytest_collection_modifyitems(config, items):
    """Every test that drives a browser is marked ``browser`` so it can run alone."""
    for item in items:
        if "page" in getattr(item, "fixturenames", ()) or "browser" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def worker(transactional_db, settings):
    """A real worker process (``manage.py db_worker``) on the test database, for this test.

    The test's data must be committed for it to see them: hence ``transactional_db``. It
    writes results under the test's MEDIA_ROOT. Stopped (SIGTERM, as in production) after
    the test; its output is attached to a failing test's report.
    """
    from tests.workers import start_worker, stop_worker

    process = start_worker(media_root=settings.MEDIA_ROOT)
    yield process
    print(stop_worker(process))  # noqa: T201 — shown with a failing test's report
