"""The Vietnamese interface is complete: no English string is left in it."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def entries():
    return polib.pofile(str(CATALOG))


def test_every_message_has_a_vietnamese_translation():
    missing = [e.msgid for e in entries() if not e.obsolete and not e.translated()]
    assert missing == [], f"{len(missing)} untranslated, e.g. {missing[:5]}"


def test_no_translation_is_left_fuzzy():
    fuzzy = [e.msgid for e in entries() if "fuzzy" in e.flags and not e.obsolete]
    assert fuzzy == []


def test_the_compiled_catalog_matches_the_source():
    compiled = polib.mofile(str(CATALOG.with_suffix(".mo")))
    compiled_ids = {(e.msgctxt, e.msgid) for e in compiled}
    source_ids = {(e.msgctxt, e.msgid) for e in entries() if e.translated() and not e.obsolete}
    assert source_ids <= compiled_ids, "run: python manage.py compilemessages"


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [("agreement", "thỏa thuận"), ("memorandum of understanding", "biên bản ghi nhớ")],
)
def test_domain_words_read_in_vietnamese(english, vietnamese):
    with translation.override("vi"):
        assert translation.gettext(english).lower() == vietnamese
