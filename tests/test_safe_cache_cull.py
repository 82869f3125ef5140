"""The file cache counts its entries for culling once every ``CULL_CHECK_EVERY`` writes
(issue 16): Django's lists the whole folder on every write (~3 ms at 2,000 entries)."""

from pathlib import Path

from common import safe_cache


def test_the_file_cache_lists_its_folder_once_every_fifty_writes_and_still_culls(
    tmp_path, monkeypatch
):
    backend = safe_cache.FailSafeFileBasedCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10}})
    listed = []
    list_files = backend._list_cache_files  # type: ignore[attr-defined]  # private in Django

    def counted():
        listed.append(1)
        return list_files()

    monkeypatch.setattr(backend, "_list_cache_files", counted)
    for index in range(101):
        backend.set(f"key-{index}", index)
    assert safe_cache.CULL_CHECK_EVERY == 50
    assert len(listed) == 3  # the 1st, 51st and 101st writes
    # Culled at the 51st and 101st writes (a third of the entries each time).
    assert 10 < len(list(Path(tmp_path).iterdir())) < 101
