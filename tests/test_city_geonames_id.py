"""A city keeps its GeoNames id (issue 12, point 8): stored when it comes from the gazetteer,
tried first when a sheet names a city, shown on the city page and in the admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from agreements.models import Agreement
from partnerships.city_matching import CityMatcher, propose
from partnerships.models import City
from sheets.importing import run_import
from tests.factories import CityFactory, viewer

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db

SEOUL = 1835848


def _city_csv(*cities: str) -> bytes:
    rows = "".join(
        f"HN-G-{n},{city},Biên bản ghi nhớ,Văn bản {n},07/12/2023\n"
        for n, city in enumerate(cities, 1)
    )
    return ("Số hiệu,Thành phố đối tác,Loại văn bản,Tên văn bản,Ngày ký\n" + rows).encode()


@pytest.fixture
def home(settings: Any) -> City:
    settings.LANGUAGE_CODE = "en"
    return CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)


def test_a_city_made_from_the_gazetteer_keeps_its_geonames_id(home: City) -> None:
    outcome = run_import(
        sheet="agreements", file_name="a.csv", data=_city_csv("Xơ-un"), dry_run=False
    )

    assert outcome.ok, outcome.rows
    assert City.objects.get(country="KR").geonames_id == SEOUL


def test_the_geonames_id_is_tried_before_the_names(home: City) -> None:
    # Stored under a name the gazetteer does not know, but with Seoul's id.
    stored = CityFactory(name="Thủ đô Hàn Quốc", name_en="", country="KR", geonames_id=SEOUL)

    outcome = run_import(
        sheet="agreements",
        file_name="a.csv",
        data=_city_csv("Seoul", "서울", "Séoul"),
        dry_run=False,
    )

    assert outcome.ok, outcome.rows
    assert City.objects.filter(country="KR").count() == 1
    assert {a.partnership.partner_city for a in Agreement.objects.all()} == {stored}


def test_the_geonames_id_tells_apart_stored_cities_of_the_same_name(home: City) -> None:
    seoul = CityFactory(name="Seoul", country="KR", geonames_id=SEOUL)
    CityFactory(name="Seoul", country="US")  # a namesake elsewhere

    found = CityMatcher(City.objects.all()).find("Seoul")

    assert found.city == seoul


def test_two_cities_cannot_share_a_geonames_id(home: City) -> None:
    CityFactory(name="Seoul", country="KR", geonames_id=SEOUL)

    with pytest.raises(IntegrityError), transaction.atomic():
        CityFactory(name="Xơ-un", country="KR", geonames_id=SEOUL)


def test_the_city_forms_proposal_carries_the_geonames_id(home: City) -> None:
    [proposal, *_others] = [p for p in propose("Seoul", []) if p.city is None]

    assert proposal.initial["geonames_id"] == str(SEOUL)


def test_the_city_page_and_the_admin_show_the_geonames_id(client: Client, home: City) -> None:
    seoul = CityFactory(name="Xơ-un", name_en="Seoul", country="KR", geonames_id=SEOUL)
    client.force_login(viewer())

    page = client.get(reverse("partnerships:city_detail", args=[seoul.pk])).content.decode()

    assert "GeoNames id" in page
    assert f"https://www.geonames.org/{SEOUL}" in page


def test_the_admin_lists_the_geonames_id(admin_client: Client, home: City) -> None:
    CityFactory(name="Xơ-un", name_en="Seoul", country="KR", geonames_id=SEOUL)

    page = admin_client.get(reverse("admin:partnerships_city_changelist"))

    assert page.status_code == 200
    assert f'<td class="field-geonames_id">{SEOUL}</td>' in page.content.decode()
