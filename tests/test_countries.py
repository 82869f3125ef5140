"""Vietnamese country names (common.countries) and the search by any spelling."""

from collections import Counter

import pytest
from django.utils import translation
from django_countries import countries

from common.countries import VIETNAMESE_NAMES, all_spellings, codes_matching
from common.text import name_key


def names_in(language: str) -> list[str]:
    with translation.override(language):
        return [name for _code, name in countries]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_country_name_is_unique(language):
    duplicates = [name for name, n in Counter(names_in(language)).items() if n > 1]
    assert duplicates == []


def test_every_country_django_countries_knows_has_a_vietnamese_name():
    from django_countries.data import COUNTRIES

    assert set(VIETNAMESE_NAMES) == set(COUNTRIES)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("IS", "Iceland"),
        ("IE", "Ai-len"),
        ("AT", "Áo"),
        ("JE", "Jersey"),
        ("NE", "Niger"),
        ("NG", "Nigeria"),
        ("BY", "Belarus"),
        ("KP", "Triều Tiên"),
        ("RE", "Réunion"),
    ],
)
def test_the_vietnamese_interface_uses_the_reviewed_name(code, name):
    with translation.override("vi"):
        assert countries.name(code) == name


def test_the_english_interface_keeps_django_countries_names():
    with translation.override("en"):
        assert (countries.name("KR"), countries.name("BY")) == ("South Korea", "Belarus")


def test_vietnamese_country_lists_put_d_with_stroke_after_d():
    names = names_in("vi")
    assert (
        names.index("Dominica")
        < names.index("Đan Mạch")
        < names.index("Đức")
        < names.index("Ecuador")
    )


def test_no_spelling_names_two_countries():
    owners: dict[str, set[str]] = {}
    for code in VIETNAMESE_NAMES:
        for spelling in all_spellings(code):
            owners.setdefault(name_key(spelling), set()).add(code)
    assert {key: codes for key, codes in owners.items() if len(codes) > 1} == {}


def test_every_spelling_finds_its_own_country_first():
    wrong = [
        (code, spelling)
        for code in VIETNAMESE_NAMES
        for spelling in all_spellings(code)
        if codes_matching(spelling)[:1] != [code]
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "spelling", ["Belarus", "Bêlarut", "bê-la-rút", "BELARUT", "Belorussia", "Bạch Nga", "Беларусь"]
)
def test_belarus_is_found_however_it_is_spelt(spelling):
    assert codes_matching(spelling) == ["BY"]


@pytest.mark.parametrize(("code", "alpha3"), [("BY", "BLR"), ("VN", "VNM"), ("LA", "LAO")])
def test_iso_codes_typed_in_capitals_find_their_country(code, alpha3):
    assert codes_matching(code) == codes_matching(alpha3) == [code]


def test_a_lower_case_word_is_not_taken_for_an_iso_code():
    assert codes_matching("by") == []


def test_text_that_names_no_country_finds_nothing():
    assert codes_matching("Minsk") == []


def test_a_partial_query_finds_countries_by_the_start_of_a_name_or_word():
    assert codes_matching("bela", partial=True) == ["BY"]
    assert codes_matching("zealand", partial=True) == ["NZ"]


def test_a_partial_query_of_two_letters_matches_whole_names_only():
    assert codes_matching("an", partial=True) == []


@pytest.mark.django_db
def test_the_records_and_the_interface_say_belarus_alike(demo, client):
    """Issue 14, finding 6: "Belarus" in the country list and on Minsk's pages, in Vietnamese."""
    from partnerships.models import City
    from tests.factories import viewer

    client.force_login(viewer())
    minsk = City.objects.get(name="Minsk")
    with translation.override("vi"):
        html = client.get(minsk.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Belarus" in html
    assert "Bêlarut" not in html
