"""The cache may fail, the page may not (issue 17, finding 5).

The dashboard and a partnership page cache sections in CACHE_DIR. When that folder is
read-only, unusable or full, the pages are computed (200), and the failure is logged once.
"""

import errno
import logging
import os
import tempfile

import pytest
from django.core.cache import cache
from django.urls import reverse

from common import safe_cache
from demo.loader import load_demo
from partnerships.models import Partnership
from tests.factories import viewer

# Nothing is cached inside a transaction (workspace/freshness.py): the requests must
# run as in production, outside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    load_demo(password="demo-pass-2025")


def file_cache(settings, location):
    settings.CACHES = {
        "default": {
            "BACKEND": "common.safe_cache.FailSafeFileBasedCache",
            "LOCATION": str(location),
        }
    }


@pytest.fixture(autouse=True)
def _fresh_log(monkeypatch):
    monkeypatch.setattr(safe_cache, "_logged", set())


def pages(client):
    client.force_login(viewer())
    partnership = Partnership.objects.order_by("pk").first()
    assert partnership is not None
    urls = [reverse("dashboard"), partnership.get_absolute_url()]
    return [client.get(url) for url in urls * 2]  # twice: the second time reads the cache


def test_a_read_only_cache_folder_leaves_the_pages_working(
    demo, client, settings, tmp_path, monkeypatch, caplog
):
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:
        # root writes in a read-only folder anyway: have the kernel's answer given instead.
        def refused(*_args, **_kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(folder))

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    file_cache(settings, folder)
    with caplog.at_level(logging.WARNING, logger="common.safe_cache"):
        responses = pages(client)
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert "HN-MSK" in responses[1].content.decode() or responses[1].content
    failures = [r for r in caplog.records if r.name == "common.safe_cache"]
    assert len(failures) == 1  # logged once, however many pages failed to store
    assert "Permission denied" in failures[0].getMessage()


def test_a_cache_folder_that_cannot_exist_leaves_the_pages_working(
    demo, client, settings, tmp_path, caplog
):
    """Its parent is a file: every read and write fails, for root too."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    file_cache(settings, blocker / "cache")
    with caplog.at_level(logging.WARNING, logger="common.safe_cache"):
        responses = pages(client)
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    logged = {r.getMessage().split(":")[0] for r in caplog.records if r.name == "common.safe_cache"}
    assert logged == {"The cache failed (mkdir"}  # once, the first failure


def test_a_full_cache_folder_leaves_the_pages_working(
    demo, client, settings, tmp_path, monkeypatch
):
    file_cache(settings, tmp_path / "cache")

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    assert [r.status_code for r in pages(client)] == [200, 200, 200, 200]


def test_a_corrupt_cache_entry_is_a_miss(settings, tmp_path):
    file_cache(settings, tmp_path / "cache")
    cache.set("k", "v")
    for entry in (tmp_path / "cache").iterdir():
        entry.write_bytes(b"\x00" * 8 + b"not zlib")
    assert cache.get("k", "missing") == "missing"


def test_a_working_cache_folder_is_used(settings, tmp_path):
    file_cache(settings, tmp_path / "cache")
    cache.set("k", "v")
    assert cache.get("k") == "v"
