"""Vietnamese alphabetical order (common.collation), checked against PostgreSQL's ICU."""

import random
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.utils import ConnectionHandler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.collation import POSTGRESQL_COLLATION, sort_key, sorted_by_name, vietnamese

# Provinces and cities of Viet Nam and the partner cities the office writes about.
NAMES = [
    "An Giang", "Bà Rịa – Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai",
    "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang",
    "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng",
    "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận",
    "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị",
    "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa",
    "Thừa Thiên Huế", "Tiền Giang", "TP Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long",
    "Vĩnh Phúc", "Yên Bái", "Hạ Long", "Huế", "Ân Thi", "Ô Môn", "Uông Bí", "Ea Kar",
    "Minsk", "Min-xcơ", "Mát-xcơ-va", "Viêng Chăn", "Phnôm Pênh", "Băng Cốc", "Bắc Kinh",
    "Xơ-un", "Tô-ky-ô", "Pa-ri", "Luân Đôn", "Béc-lin", "Oa-sinh-tơn", "Seoul", "Séoul",
    "Nguyễn Văn An", "Nguyễn Văn Ân", "Nguyễn Thị Bình", "Ngô Bảo Châu", "Đặng Thái Sơn",
    "Dương Văn Minh", "Đường Lâm", "Duy Tân", "dung", "Dung", "DUNG", "Trần Sỹ Thanh",
    "Trần Sĩ Thanh", "Lê Thanh Hải", "Lê Thánh Tông", "hà nội", "HÀ NỘI", "Zurich",
    "Минск", "北京", "東京", "서울", "ວຽງຈັນ", "กรุงเทพ", "ភ្នំពេញ", "2004", "12/2023",
]  # fmt: skip


def postgresql_order(names: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, i) "  # noqa: S608 (a constant collation)
            f'ORDER BY v COLLATE "{POSTGRESQL_COLLATION}", i',
            [names],
        )
        return [row[0] for row in cursor.fetchall()]


def test_da_nang_comes_after_can_tho_and_before_ha_noi():
    ordered = sorted(["Hà Nội", "Đà Nẵng", "Cần Thơ"], key=sort_key)
    assert ordered == ["Cần Thơ", "Đà Nẵng", "Hà Nội"]


def test_d_with_stroke_comes_after_every_d():
    assert sorted(["Đà Nẵng", "Dương", "Duy Tân", "Dung"], key=sort_key) == [
        "Dung",
        "Duy Tân",
        "Dương",
        "Đà Nẵng",
    ]


@pytest.mark.parametrize(
    "letters",
    [["a", "ă", "â", "b"], ["e", "ê", "g"], ["o", "ô", "ơ", "p"], ["u", "ư", "v"]],
)
def test_letters_with_a_hat_breve_or_horn_are_letters_of_their_own(letters):
    shuffled = random.Random(3).sample(letters, len(letters))
    assert sorted(shuffled, key=sort_key) == letters


def test_tones_only_decide_when_the_letters_are_the_same():
    assert sorted(["Hà Nội", "Hạ Long", "Hà Giang"], key=sort_key) == [
        "Hà Giang",
        "Hạ Long",
        "Hà Nội",
    ]


def test_tones_follow_the_dictionary_order_without_huyen_hoi_nga_sac_nang():
    assert sorted(["mạ", "má", "mã", "mả", "mà", "ma"], key=sort_key) == [
        "ma", "mà", "mả", "mã", "má", "mạ",
    ]  # fmt: skip


def test_lower_case_comes_before_upper_case_when_nothing_else_differs():
    assert sorted(["HÀ NỘI", "Hà Nội", "hà nội"], key=sort_key) == ["hà nội", "Hà Nội", "HÀ NỘI"]


def test_objects_are_sorted_by_an_attribute_path():
    cities = [SimpleNamespace(city=SimpleNamespace(name=name)) for name in ["Hà Nội", "Đà Nẵng"]]
    assert [c.city.name for c in sorted_by_name(cities, "city.name")] == ["Đà Nẵng", "Hà Nội"]


def test_dictionaries_are_sorted_by_a_key_and_missing_names_come_first():
    rows: list[dict[str, str | None]] = [{"name": "Hà Nội"}, {"name": None}, {"name": "Đà Nẵng"}]
    assert [r["name"] for r in sorted_by_name(rows)] == [None, "Đà Nẵng", "Hà Nội"]


@pytest.mark.django_db
def test_python_order_is_postgresql_icu_order_for_real_names():
    shuffled = random.Random(7).sample(NAMES, len(NAMES))
    assert sorted(shuffled, key=sort_key) == postgresql_order(shuffled)


VIETNAMESE_TEXT = st.text(
    alphabet=st.sampled_from(
        list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ -")
        + list("àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")
    ),
    max_size=8,
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(words=st.lists(VIETNAMESE_TEXT, min_size=2, max_size=30, unique=True))
def test_python_order_is_postgresql_icu_order_for_any_vietnamese_text(words):
    assert sorted(words, key=sort_key) == postgresql_order(words)


@pytest.mark.django_db
def test_querysets_order_in_vietnamese_in_the_database():
    cities = ["Hà Nội", "Đà Nẵng", "Dung", "Cần Thơ"]
    Group.objects.bulk_create(Group(name=name) for name in cities)
    ordered = Group.objects.filter(name__in=cities).order_by(vietnamese("name"))
    names = list(ordered.values_list("name", flat=True))
    assert names == ["Cần Thơ", "Dung", "Đà Nẵng", "Hà Nội"]


def test_sqlite_connections_get_the_vietnamese_collation(django_db_blocker):
    sqlite = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    )
    try:
        with django_db_blocker.unblock(), sqlite["default"].cursor() as cursor:
            cursor.execute(
                "SELECT column1 FROM (VALUES ('Hà Nội'), ('Đà Nẵng'), ('Dung'), ('Cần Thơ')) "
                "ORDER BY column1 COLLATE vi"
            )
            assert [row[0] for row in cursor.fetchall()] == ["Cần Thơ", "Dung", "Đà Nẵng", "Hà Nội"]
    finally:
        sqlite.close_all()
