"""Issue 16: the file cache looks whether it is full once every ``CULL_EVERY`` sets, not on
every set (Django lists the whole folder each time: ~3 ms at 2,000 entries, paid by every
fragment the first view after a change stores), and still culls."""

from common.safe_cache import CULL_EVERY, FailSafeFileBasedCache


def test_the_file_cache_lists_its_folder_once_every_few_sets_and_still_culls(tmp_path, monkeypatch):
    cache = FailSafeFileBasedCache(
        str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}}
    )
    listings = []
    list_files = cache._list_cache_files  # type: ignore[attr-defined]  # private in Django

    def counted() -> list[str]:
        listings.append(1)
        return list_files()

    monkeypatch.setattr(cache, "_list_cache_files", counted)
    for i in range(2 * CULL_EVERY):
        cache.set(f"key-{i}", i)
    assert len(listings) == 2  # the first set, then the CULL_EVERY-th
    # The second look found more than 10 entries and dropped half of them.
    assert len(list_files()) < 2 * CULL_EVERY
    assert cache.get(f"key-{2 * CULL_EVERY - 1}") == 2 * CULL_EVERY - 1
