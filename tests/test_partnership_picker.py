"""The partnership filter is a typed picker (issue 16): the agreements, visits and action
items lists and the calendar no longer build and render a drop-down of every partnership.
A partnership is typed as its two cities, word by word; a link's ``?partnership=<pk>``
shows it by name; a name that names none or several says so and filters nothing in; a
small office's box offers every partnership on focus."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from common import cached_choices
from partnerships import pickers
from partnerships.models import Partnership
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    CityFactory,
    CityNameFactory,
    HomeCityFactory,
    PartnershipFactory,
    VisitFactory,
    viewer,
)
from workspace.calendar_page import CalendarForm, _items_due_in, _visits_in

_MAY_12 = dt.date(2025, 5, 12)

pytestmark = pytest.mark.django_db

AGREEMENTS = reverse("agreements:agreement_list")
VISITS = reverse("delegations:visit_list")
ACTIONS = reverse("delegations:actionitem_list")
CALENDAR = reverse("workspace:calendar")
PICK = reverse("partnerships:pick", args=["partnerships"])


@pytest.fixture
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def logged_in(client: Client) -> Client:
    client.force_login(viewer())
    return client


@pytest.fixture
def cities() -> dict[str, Partnership]:
    """Hà Nội – Minsk, Hà Nội – Viêng Chăn (Vientiane), Hải Phòng – Minsk."""
    ha_noi = HomeCityFactory(name="Hà Nội", name_en="Hanoi")
    hai_phong = HomeCityFactory(name="Hải Phòng", name_en="Haiphong")
    minsk = CityFactory(name="Minsk", name_en="Minsk", name_local="Мінск")
    vientiane = CityFactory(name="Viêng Chăn", name_en="Vientiane", name_local="ວຽງຈັນ")
    return {
        "hanoi_minsk": PartnershipFactory(home_city=ha_noi, partner_city=minsk),
        "hanoi_vientiane": PartnershipFactory(home_city=ha_noi, partner_city=vientiane),
        "haiphong_minsk": PartnershipFactory(home_city=hai_phong, partner_city=minsk),
    }


def label(partnership: Partnership) -> str:
    return f"{partnership} (#{partnership.pk})"


def picked(form_class: type, text: str) -> Any:
    form = form_class({"partnership": text})
    form.is_valid()
    return form


# ---- matching word by word -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Hà Nội – Minsk", "hanoi_minsk"),
        ("Ha Noi Minsk", "hanoi_minsk"),
        ("minsk ha noi", "hanoi_minsk"),
        ("HANOI minsk", "hanoi_minsk"),  # English names
        ("vientiane", "hanoi_vientiane"),  # the partner city's English name
        ("vieng chan", "hanoi_vientiane"),
        ("ວຽງຈັນ", "hanoi_vientiane"),  # its local name
        ("hai phong - minsk", "haiphong_minsk"),
    ],
)
def test_a_partnership_is_typed_as_its_two_cities_word_by_word(
    cities: dict[str, Partnership], typed: str, expected: str
) -> None:
    from agreements.forms import AgreementFilterForm

    form = picked(AgreementFilterForm, typed)
    assert "partnership" not in form.errors, form.errors
    assert form.cleaned_data["partnership"] == cities[expected]


def test_a_city_s_other_name_finds_its_partnerships(cities: dict[str, Partnership]) -> None:
    from agreements.forms import AgreementFilterForm

    CityNameFactory(city=cities["hanoi_vientiane"].partner_city, name="Wiangchan")
    form = picked(AgreementFilterForm, "wiangchan")
    assert form.cleaned_data["partnership"] == cities["hanoi_vientiane"]


def test_a_partnership_is_picked_by_its_id(cities: dict[str, Partnership]) -> None:
    from delegations.forms import VisitFilterForm

    minsk = cities["hanoi_minsk"]
    # The suggestion's text, its id alone, or a stale name with the id: the id decides.
    for typed in (label(minsk), str(minsk.pk), f"Hà Nội – Berlin (#{minsk.pk})"):
        assert picked(VisitFilterForm, typed).cleaned_data["partnership"] == minsk


@pytest.mark.usefixtures("english")
def test_a_name_naming_several_or_none_is_explained(cities: dict[str, Partnership]) -> None:
    from delegations.forms import ActionItemFilterForm

    several = picked(ActionItemFilterForm, "minsk")  # Hà Nội's and Hải Phòng's
    assert "Several records match “minsk”" in str(several.errors["partnership"])
    none = picked(ActionItemFilterForm, "Hà Nội – Berlin")
    assert "Nothing recorded is called “Hà Nội – Berlin”" in str(none.errors["partnership"])
    dashes = picked(ActionItemFilterForm, "– –")
    assert "Nothing recorded" in str(dashes.errors["partnership"])


def test_the_name_typed_in_full_wins_over_longer_names(cities: dict[str, Partnership]) -> None:
    from agreements.forms import AgreementFilterForm

    oblast = CityFactory(name="Minsk Oblast", name_en="Minsk Region")
    ha_noi = cities["hanoi_minsk"].home_city
    PartnershipFactory(home_city=ha_noi, partner_city=oblast)
    assert (
        picked(AgreementFilterForm, "Hà Nội – Minsk").cleaned_data["partnership"]
        == (cities["hanoi_minsk"])
    )
    assert "partnership" in picked(AgreementFilterForm, "ha noi mins").errors


# ---- the lists and the calendar --------------------------------------------------------


def rows_of(url: str, partnership: Partnership) -> tuple[str, str]:
    """The text shown of a record of ``partnership`` and of one of another partnership, in
    the list at ``url``."""
    other = PartnershipFactory()
    if url == AGREEMENTS:
        AgreementFactory(partnership=partnership, title="Thỏa thuận của chúng ta")
        AgreementFactory(partnership=other, title="Thỏa thuận của người khác")
        return "Thỏa thuận của chúng ta", "Thỏa thuận của người khác"
    if url == VISITS:
        VisitFactory(partnership=partnership, title="Đoàn của chúng ta")
        VisitFactory(partnership=other, title="Đoàn của người khác")
        return "Đoàn của chúng ta", "Đoàn của người khác"
    ActionItemFactory(visit__partnership=partnership, description="Việc của chúng ta")
    ActionItemFactory(visit__partnership=other, description="Việc của người khác")
    return "Việc của chúng ta", "Việc của người khác"


LISTS = [AGREEMENTS, VISITS, ACTIONS]


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("url", LISTS)
def test_a_list_filters_by_a_partnership_typed_in(
    logged_in: Client, cities: dict[str, Partnership], url: str
) -> None:
    ours, theirs = rows_of(url, cities["hanoi_vientiane"])
    html = logged_in.get(url, {"partnership": "ha noi vientiane"}).text
    assert ours in html
    assert theirs not in html
    assert '<select name="partnership"' not in html
    box = re.search(r'<input type="text" name="partnership"[^>]*>', html)
    assert box is not None
    # The box says which partnership the name took.
    assert f'value="{label(cities["hanoi_vientiane"])}"' in box.group()
    assert PICK in box.group()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("url", LISTS)
def test_a_link_s_partnership_id_filters_and_shows_its_name(
    logged_in: Client, cities: dict[str, Partnership], url: str
) -> None:
    partnership = cities["hanoi_vientiane"]
    ours, theirs = rows_of(url, partnership)
    html = logged_in.get(url, {"partnership": partnership.pk}).text
    assert ours in html
    assert theirs not in html
    assert f'value="Hà Nội – Viêng Chăn (#{partnership.pk})"' in html


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("url", LISTS)
def test_a_name_naming_several_or_none_filters_nothing_in_and_says_why(
    logged_in: Client, cities: dict[str, Partnership], url: str, language: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = language
    ours, theirs = rows_of(url, cities["hanoi_minsk"])
    with translation.override(language):
        several = "Several records match" if language == "en" else "Có nhiều hồ sơ khớp"
        nothing = "Nothing recorded is called" if language == "en" else "Không có hồ sơ nào tên"
    for typed, error in (("minsk", several), ("Hà Nội – Berlin", nothing)):
        response = logged_in.get(url, {"partnership": typed})
        assert response.status_code == 200
        html = response.text
        assert error in html  # by the box, its filters unfolded
        assert ours not in html  # not every row as if unfiltered
        assert theirs not in html
        # htmx swaps only the results: the error is said there too.
        partial = logged_in.get(url, {"partnership": typed}, headers={"HX-Request": "true"})
        assert partial.status_code == 200
        assert error in partial.text
        assert 'role="alert"' in partial.text


@pytest.mark.usefixtures("english")
def test_the_calendar_filters_by_a_typed_partnership_and_keeps_it_in_its_links(
    logged_in: Client, cities: dict[str, Partnership]
) -> None:
    partnership = cities["hanoi_vientiane"]
    VisitFactory(partnership=partnership, title="Đoàn của chúng ta")
    VisitFactory(partnership=cities["hanoi_minsk"], title="Đoàn của người khác")
    html = logged_in.get(CALENDAR, {"month": "2025-05", "partnership": "vientiane"}).text
    assert "Đoàn của chúng ta" in html
    assert "Đoàn của người khác" not in html
    assert '<select name="partnership"' not in html
    by_id = logged_in.get(CALENDAR, {"month": "2025-05", "partnership": str(partnership.pk)}).text
    assert f'value="Hà Nội – Viêng Chăn (#{partnership.pk})"' in by_id
    assert "Đoàn của người khác" not in by_id
    # Its links (another view, the month's visits and items due) keep the partnership.
    choices = CalendarForm({"month": "2025-05", "partnership": "vientiane"}).choices()
    assert choices.partnership == partnership
    wanted = f"partnership={partnership.pk}"
    assert wanted in choices.link(view="agenda")
    assert wanted in _visits_in(choices.month, choices.partnership)
    assert wanted in _items_due_in(choices.month, choices.partnership)


@pytest.mark.usefixtures("english")
def test_the_calendar_says_why_a_partnership_typed_is_not_one(
    logged_in: Client, cities: dict[str, Partnership]
) -> None:
    response = logged_in.get(CALENDAR, {"partnership": "minsk"})
    assert response.status_code == 200
    assert "Several records match “minsk”" in response.text


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("view", ["month", "agenda"])
def test_a_partnership_typed_that_is_not_one_shows_no_events_as_the_lists(
    logged_in: Client, cities: dict[str, Partnership], view: str
) -> None:
    """A name that names several partnerships or none, or nonsense in the link: the
    calendar shows the error by the box and no events (an empty month), as the lists show
    no rows; not every partnership's events as if unfiltered."""
    VisitFactory(partnership=cities["hanoi_minsk"], title="Đoàn Minsk", start_date=_MAY_12)
    ActionItemFactory(partnership=cities["hanoi_vientiane"], description="Hạn", due_on=_MAY_12)
    unfiltered = logged_in.get(CALENDAR, {"month": "2025-05", "view": view}).text
    assert "Đoàn Minsk" in unfiltered
    assert "Hạn" in unfiltered
    for typed, error in (
        ("minsk", "Several records match"),
        ("nonsense", "Nothing recorded is called"),
    ):
        for headers in ({}, {"HX-Request": "true"}):
            response = logged_in.get(
                CALENDAR, {"month": "2025-05", "view": view, "partnership": typed}, headers=headers
            )
            assert response.status_code == 200
            html = response.text
            assert "Đoàn Minsk" not in html
            assert "Hạn" not in html
            if not headers:
                assert error in html
    # The month read afterwards unfiltered is not the empty one kept for the error.
    assert "Đoàn Minsk" in logged_in.get(CALENDAR, {"month": "2025-05", "view": view}).text


# ---- the suggestions -------------------------------------------------------------------


def options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"></option>', html)


def test_suggestions_match_word_by_word_and_carry_the_id(
    logged_in: Client, cities: dict[str, Partnership]
) -> None:
    assert options(logged_in.get(PICK, {"partnership": "ha noi minsk"}).text) == [
        label(cities["hanoi_minsk"])
    ]
    assert options(logged_in.get(PICK, {"partnership": "vientiane"}).text) == [
        label(cities["hanoi_vientiane"])
    ]
    assert set(options(logged_in.get(PICK, {"partnership": "minsk"}).text)) == {
        label(cities["hanoi_minsk"]),
        label(cities["haiphong_minsk"]),
    }


@pytest.mark.parametrize("n", [10, 300])
def test_suggestions_are_bounded_in_one_query(
    logged_in: Client, django_assert_num_queries: Any, n: int
) -> None:
    home = HomeCityFactory(name="Đà Nẵng")
    for i in range(n):
        PartnershipFactory(home_city=home, partner_city=CityFactory(name=f"Thành phố {i}"))
    # Expect 7: the session, the user, the role, the first 20 partnerships matching with
    # their cities' names (one query), the session save (3), with 10 as with 300.
    with django_assert_num_queries(7):
        response = logged_in.get(PICK, {"partnership": "da nang thanh pho"})
    assert len(options(response.text)) == min(n, 20)


# ---- a small office's box offers every partnership -------------------------------------


@pytest.fixture
def versioned() -> Any:
    """A data version the test controls (outside a transaction it is the record's)."""
    value = ["v1"]
    before = cached_choices._source[0]
    cached_choices.set_version_source(lambda: value[0])
    cache.clear()
    yield value
    cached_choices.set_version_source(before)
    cache.clear()


def datalist(html: str) -> list[str]:
    found = re.search(r'<datalist id="id_partnership-options">(.*?)</datalist>', html, re.DOTALL)
    assert found is not None
    return options(found.group(1))


@pytest.mark.usefixtures("english")
def test_up_to_the_threshold_the_box_offers_every_partnership(
    logged_in: Client, cities: dict[str, Partnership], monkeypatch: Any
) -> None:
    monkeypatch.setattr(pickers, "PREFILL_MAX", 3)
    expected = [label(p) for p in Partnership.objects.select_related("home_city", "partner_city")]
    for url in [*LISTS, CALENDAR]:
        assert datalist(logged_in.get(url).text) == expected, url
    # An emptied box asks again: it gets them all back.
    assert options(logged_in.get(PICK, {"partnership": ""}).text) == expected
    monkeypatch.setattr(pickers, "PREFILL_MAX", 2)
    for url in [*LISTS, CALENDAR]:
        assert datalist(logged_in.get(url).text) == [], url
    assert options(logged_in.get(PICK, {"partnership": ""}).text) == []


def test_the_prefill_is_one_bounded_query_kept_per_data_version(
    cities: dict[str, Partnership],
    versioned: list[str],
    django_assert_num_queries: Any,
    monkeypatch: Any,
) -> None:
    from agreements.forms import AgreementFilterForm

    def render() -> str:
        return str(AgreementFilterForm({})["partnership"])

    with django_assert_num_queries(1):  # at most PREFILL_MAX + 1 rows
        assert len(datalist(render())) == 3
    with django_assert_num_queries(0):  # the same data version: from the cache
        assert len(datalist(render())) == 3
    PartnershipFactory()
    versioned[0] = "v2"  # the record changed
    with django_assert_num_queries(1):
        assert len(datalist(render())) == 4
    monkeypatch.setattr(pickers, "PREFILL_MAX", 3)
    with django_assert_num_queries(1):
        assert datalist(render()) == []


def test_a_form_s_box_keeps_its_own_labels(cities: dict[str, Partnership]) -> None:
    """Django copies widgets shallowly: one request's label must not show in another's."""
    from agreements.forms import AgreementFilterForm

    minsk = cities["hanoi_minsk"]
    AgreementFilterForm({"partnership": minsk.pk}).results(Agreement.objects.all())
    assert AgreementFilterForm.base_fields["partnership"].widget.known == {}
