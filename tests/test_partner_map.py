"""The partner map: partner cities on a server-drawn world map, coloured by status, sized
by recent visits, linked to their partnerships, with a table; its blocks on the
partnership and city pages."""

import datetime as dt
import functools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from partnerships.models import Partnership
from tests.factories import CityFactory, PartnershipFactory, VisitFactory, viewer
from workspace.partner_map import with_activity

pytestmark = pytest.mark.django_db

URL = reverse("workspace:partner_map")
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def viewer_client(client):
    client.force_login(viewer())
    return client


def located(name: str, lat: str, lon: str, country: str = "BY", **kwargs) -> Partnership:
    city = CityFactory(name=name, latitude=Decimal(lat), longitude=Decimal(lon), country=country)
    return PartnershipFactory(partner_city=city, **kwargs)


def test_the_map_links_each_partner_city_with_its_status_class(viewer_client):
    partnership = located("Minsk", "53.9", "27.5667", status="active")
    located("Oslo", "59.91", "10.75", status="dormant")
    text = viewer_client.get(URL).text
    assert "<svg" in text
    assert f'<a href="{partnership.get_absolute_url()}" class="point status-active"' in text
    assert 'class="point status-dormant"' in text
    assert "partner-map-table" in text  # the table alternative


def test_points_grow_with_the_visits_of_the_last_five_years():
    busy = located("Busy", "10", "10")
    quiet = located("Quiet", "20", "20")
    for _ in range(4):
        VisitFactory(partnership=busy, start_date=TODAY - dt.timedelta(days=100), end_date=None)
    VisitFactory(partnership=quiet, start_date=TODAY - dt.timedelta(days=365 * 7), end_date=None)
    places = {p.partnership.pk: p for p in with_activity(Partnership.objects.all())}
    assert places[busy.pk].visits == 4
    assert places[quiet.pk].visits == 0
    assert places[busy.pk].radius > places[quiet.pk].radius


def test_a_city_without_coordinates_is_in_the_table_not_on_the_map(viewer_client):
    PartnershipFactory(partner_city=CityFactory(name="Nowhere", latitude=None, longitude=None))
    text = viewer_client.get(URL).text
    assert "not on the map: no coordinates" in text


def test_the_map_filters_by_status(viewer_client):
    located("Minsk", "53.9", "27.5667", status="active")
    located("Oslo", "59.91", "10.75", status="dormant")
    text = viewer_client.get(URL, {"status": "dormant"}).text
    assert "Oslo" in text
    assert "Minsk" not in text


def test_the_demo_map_shows_the_four_partner_cities_in_their_places(viewer_client, demo):
    text = viewer_client.get(URL).text
    for partnership in Partnership.objects.with_cities():
        assert f'href="{partnership.get_absolute_url()}"' in text
    assert text.count('class="point status-') == Partnership.objects.count() == 4


def test_the_partnership_page_has_its_map_block(viewer_client):
    partnership = located("Minsk", "53.9", "27.5667")
    text = viewer_client.get(partnership.get_absolute_url()).text
    assert 'id="partner-map-block"' in text
    assert 'id="partnership-map-title"' in text


def test_the_city_page_has_a_locator_map(viewer_client):
    partnership = located("Minsk", "53.9", "27.5667")
    text = viewer_client.get(partnership.partner_city.get_absolute_url()).text
    assert "worldmap-locator" in text


@pytest.mark.parametrize("n", [1, 6])
def test_the_map_runs_a_fixed_number_of_queries(viewer_client, django_assert_num_queries, n):
    for i in range(n):
        p = located(f"City {i}", str(10 + i), str(20 + i))
        VisitFactory(partnership=p, start_date=TODAY - dt.timedelta(days=30), end_date=None)
    # Expect 9: session, user, role; the home-city drop-down; the partnerships counted by
    # country (to choose a dot per city or a circle per country); the partnerships with
    # their cities and recent visits (one query); the session save (3).
    with django_assert_num_queries(9):
        viewer_client.get(URL)


_TEMPLATE_LOOP = """{% load i18n %}{% for place in places %}<tr>
<td><a href="{{ place.url }}">{{ place.partnership }}</a></td>
<td>{{ place.partnership.partner_city.country.name }}</td>
<td><span class="badge badge-{{ place.partnership.status }}">{{ place.partnership.get_status_display }}</span></td>
<td class="num">{{ place.visits }}</td>
<td>{% if place.located %}{{ place.partnership.partner_city.latitude|floatformat:2 }}, {{ place.partnership.partner_city.longitude|floatformat:2 }}{% else %}<span class="muted">{% translate "not on the map: no coordinates" %}</span>{% endif %}</td>
</tr>{% endfor %}"""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_table_rows_written_in_python_equal_the_template_loop_they_replace(db, language):
    """Half-up rounding at the tie, no "-0.00", the language's decimal separator, escaping."""
    import re

    from django.template import engines
    from django.utils import translation

    from workspace.partner_map import table_rows

    located("Minsk", "53.905", "27.555")  # ties: floatformat rounds half up
    located("Buenos <Aires> & Co", "-34.604", "-58.381")
    located("Greenwich", "-0.001", "0.004")  # rounds to zero: no minus sign
    PartnershipFactory(partner_city=CityFactory(name="Nowhere", latitude=None, longitude=None))
    VisitFactory(partnership=Partnership.objects.first(), start_date=TODAY, end_date=None)
    with translation.override(language):
        places = with_activity(Partnership.objects.all())
        expected = engines["django"].from_string(_TEMPLATE_LOOP).render({"places": places})
        written = str(table_rows(places))

    def norm(html: str) -> str:
        return re.sub(r">\s+<", "><", html).strip()

    assert norm(written) == norm(expected)
    assert "&lt;Aires&gt; &amp; Co" in written
    assert ("53,91, 27,56" if language == "vi" else "53.91, 27.56") in written
    assert ("0,00, 0,00" if language == "vi" else "0.00, 0.00") in written


# -- beyond PER_CITY_UP_TO partnerships: a circle per country ----------------------------


@pytest.fixture
def few_per_city(monkeypatch):
    """Two partnerships drawn one by one at most, so that a handful make a national map."""
    monkeypatch.setattr("workspace.partner_map.PER_CITY_UP_TO", 2)


def partners_url(**query: str) -> str:
    from django.utils.http import urlencode

    return reverse("partnerships:partnership_list") + "?" + urlencode(query)


def test_a_small_record_is_drawn_city_by_city_below_the_threshold(viewer_client):
    from workspace.partner_map import PER_CITY_UP_TO

    for i in range(PER_CITY_UP_TO):
        located(f"City {i}", "53.9", "27.5667")
    text = viewer_client.get(URL).text
    assert text.count('class="point status-active"') == PER_CITY_UP_TO
    assert "country-point" not in text


@pytest.mark.usefixtures("few_per_city")
def test_beyond_the_threshold_each_country_is_one_circle_linked_to_its_partners(viewer_client):
    located("Minsk", "53.9", "27.5667")
    located("Brest", "52.1", "23.7")
    located("Viêng Chăn", "17.97", "102.6", country="LA")
    text = viewer_client.get(URL).text
    assert text.count('class="point country-point status-active"') == 2
    assert (
        f'<a href="{partners_url(country="BY")}" class="point country-point status-active"' in text
    )
    assert 'aria-label="Belarus: 2 partnerships"' in text
    assert 'aria-label="Laos: 1 partnership"' in text
    assert "<title>Belarus: 2 partnerships</title>" in text  # the tooltip
    assert ">2</text>" in text  # the count in the circle
    assert "Minsk" not in text  # no city listed one by one
    assert "3 partnerships in 2 countries" in text
    assert f'href="{reverse("partnerships:partnership_list")}"' in text  # the whole list


@pytest.mark.usefixtures("few_per_city")
def test_a_country_circle_takes_the_colour_of_its_most_common_status(viewer_client):
    located("Minsk", "53.9", "27.5667", status="dormant")
    located("Brest", "52.1", "23.7", status="dormant")
    located("Hrodna", "53.7", "23.8", status="active")
    text = viewer_client.get(URL).text
    assert 'class="point country-point status-dormant"' in text
    assert "status-active" not in text.split("<svg", 1)[1].split("</svg>", 1)[0]


@pytest.mark.usefixtures("few_per_city")
def test_the_country_table_counts_each_countrys_partnerships_by_status(viewer_client):
    located("Minsk", "53.9", "27.5667", status="dormant")
    located("Brest", "52.1", "23.7", status="active")
    located("Hrodna", "53.7", "23.8", status="active")
    text = viewer_client.get(URL).text
    table = text[text.index('<table class="striped partner-map-table">') : text.index("</table>")]
    assert "<caption>Partnerships by partner country, the most first</caption>" in table
    assert '<th scope="col">Country</th><th scope="col">Partnerships</th>' in table
    assert '<th scope="col">Prospective</th><th scope="col">Active</th>' in table
    # Belarus: 3 in all; none prospective, 2 active, 1 dormant, none ended.
    assert (
        f'<th scope="row"><a href="{escape(partners_url(country="BY"))}">Belarus</a></th>'
        '<td class="num">3</td><td class="num">0</td><td class="num">2</td>'
        '<td class="num">1</td><td class="num">0</td>'
    ) in table


@pytest.mark.usefixtures("few_per_city")
def test_the_country_links_keep_the_maps_filters_and_the_list_shows_that_country(
    viewer_client,
):
    minsk = located("Minsk", "53.9", "27.5667")
    for name in ("Brest", "Hrodna"):
        located(name, "52.1", "23.7", home_city=minsk.home_city)
    located("Oslo", "59.91", "10.75", country="NO", home_city=minsk.home_city)
    home = str(minsk.home_city.pk)
    text = viewer_client.get(URL, {"home_city": home, "status": "active"}).text
    link = partners_url(home_city=home, status="active", country="BY")
    assert f'href="{escape(link)}"' in text
    listed = viewer_client.get(link).text
    assert "Minsk" in listed
    assert "Oslo" not in listed


@pytest.mark.usefixtures("few_per_city")
def test_a_filter_that_leaves_few_partnerships_shows_each_city_again(viewer_client):
    located("Minsk", "53.9", "27.5667", status="dormant")
    located("Brest", "52.1", "23.7", status="active")
    located("Hrodna", "53.7", "23.8", status="active")
    text = viewer_client.get(URL, {"status": "dormant"}).text
    assert "country-point" not in text
    assert 'class="point status-dormant"' in text


@pytest.mark.usefixtures("few_per_city")
def test_a_country_too_small_for_the_outlines_is_marked_where_its_cities_are(viewer_client):
    from workspace.partner_map import MapFilterForm, by_country

    for name in ("Gibraltar", "North Front", "Catalan Bay"):
        city = CityFactory(name=name, country="GI", latitude=Decimal("36.14"), longitude="-5.35")
        PartnershipFactory(partner_city=city)
    PartnershipFactory(partner_city=CityFactory(name="Nowhere", latitude=None, longitude=None))
    filters = MapFilterForm({})
    places = {c.code: c for c in by_country(filters.results(), filters)}
    assert places["GI"].centre == pytest.approx((36.14, -5.35))
    assert places["BY"].centre is not None  # its outline's centre, though its city has none
    assert 'aria-label="Gibraltar: 3 partnerships"' in viewer_client.get(URL).text


@pytest.mark.usefixtures("few_per_city")
@pytest.mark.parametrize("n", [3, 12])
def test_the_map_of_countries_runs_a_fixed_number_of_queries(
    viewer_client, django_assert_num_queries, n
):
    for i in range(n):
        city = CityFactory(country=["BY", "LA", "NO", "JP"][i % 4], latitude=10, longitude=20)
        p = PartnershipFactory(partner_city=city)
        VisitFactory(partnership=p, start_date=TODAY - dt.timedelta(days=30), end_date=None)
    # Expect 8: session, user, role; the home-city drop-down; the partnerships counted
    # by country and status (one grouped query); the session save (3).
    with django_assert_num_queries(8):
        viewer_client.get(URL)


_COUNTRY_LOOP = """{% load i18n %}{% for country in countries %}<tr><th scope="row"><a href="{{ country.url }}">{{ country.name }}</a>{% if not country.centre %} <span class="muted">({% translate "not on the map: no coordinates" %})</span>{% endif %}</th><td class="num">{{ country.total }}</td>{% for n in country.counts.values %}<td class="num">{{ n }}</td>{% endfor %}</tr>
{% endfor %}"""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_country_rows_written_in_python_equal_a_template_loop(db, language, settings):
    import re

    from django.template import engines
    from django.utils import translation

    from workspace.partner_map import MapFilterForm, by_country, country_rows

    settings.USE_THOUSAND_SEPARATOR = True
    located("Minsk", "53.9", "27.5667")
    PartnershipFactory(partner_city=CityFactory(country="AQ", latitude=None, longitude=None))
    with translation.override(language):
        filters = MapFilterForm({"status": "active"})
        places = by_country(filters.results(), filters)
        places[0].counts["active"] = 1234  # grouped digits in the language's way
        expected = engines["django"].from_string(_COUNTRY_LOOP).render({"countries": places})
        written = str(country_rows(places))

    def norm(html: str) -> str:
        return re.sub(r">\s+<", "><", html).strip()

    assert norm(written) == norm(expected)
    assert "&amp;country=" in written
    assert ("1234" if language == "vi" else "1,234") in written  # Vietnamese: no grouping


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("by_country", [False, True])
def test_the_subtitle_says_what_the_map_draws(
    viewer_client, settings, monkeypatch, language, by_country
):
    """A dot per partner city sized by its visits, or (beyond PER_CITY_UP_TO) a circle per
    country sized by its partnerships: the subtitle under the title says which."""
    from django.utils import translation
    from django.utils.translation import gettext

    settings.LANGUAGE_CODE = language
    if by_country:
        monkeypatch.setattr("workspace.partner_map.PER_CITY_UP_TO", 1)
    located("Minsk", "53.9", "27.5667")
    located("Viêng Chăn", "17.97", "102.6", country="LA")
    text = viewer_client.get(URL).text
    assert ("country-point" in text) is by_country
    head = text[text.index('<div class="page-head">') : text.index('<form class="filters')]
    with translation.override(language):
        cities = gettext(
            "Each partner city, coloured by the partnership's status and sized by its visits"
            " in the last %(years)s years (both ways)."
        ) % {"years": 5}
        countries = gettext(
            "Each partner country, as a circle sized by its partnerships and coloured by"
            " their most common status."
        )
    assert (cities in head) is not by_country
    assert (countries in head) is by_country
    if language == "vi" and not by_country:
        assert "Mỗi thành phố đối tác được tô màu" in head


@pytest.fixture
def countries_drawn(monkeypatch) -> list[str]:
    """The map of countries from two partnerships on; each drawing of its block noted."""
    from workspace import partner_map as module

    monkeypatch.setattr(module, "PER_CITY_UP_TO", 1)
    drawn: list[str] = []
    draw = module._draw_country_block

    def counted(*args: object) -> str:
        drawn.append("drawn")
        return draw(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_draw_country_block", counted)
    return drawn


def test_the_countries_map_is_drawn_again_only_when_its_counts_change(
    viewer_client, countries_drawn
):
    """The countries' map is kept by the counts it is drawn from: a change of the record
    that moves no count (a partnership's summary) finds it drawn; a new partnership draws
    it again, and the page shows the new count (issue 16: drawing ~250 countries after
    every change grew with the countries)."""
    from workspace import freshness

    drawn = countries_drawn
    minsk = located("Minsk", "53.9", "27.5667")
    located("Viêng Chăn", "17.97", "102.6", country="LA")
    viewer_client.get(URL)
    assert len(drawn) == 1

    minsk.summary = "Nothing the map shows"
    minsk.save()
    freshness.bump()  # as a committed change does (the test's transaction is never committed)
    viewer_client.get(URL)
    assert len(drawn) == 1

    located("Gomel", "52.44", "30.98")
    freshness.bump()
    text = viewer_client.get(URL).text
    assert len(drawn) == 2
    assert "Belarus: 2 partnerships" in text


def test_a_country_is_drawn_the_same_from_the_kept_circles_and_rows(monkeypatch):
    """Circles and rows kept per process by what they show give the same map as drawing
    each one afresh."""
    from common import worldmap
    from workspace import partner_map as module
    from workspace.partner_map import MapFilterForm, by_country

    for i in range(3):
        located(f"Minsk {i}", "53.9", "27.5667", status="active")
    located("Viêng Chăn", "17.97", "102.6", country="LA", status="dormant")
    filters = MapFilterForm({})
    places = by_country(filters.results(), filters)
    first = (str(module.draw_countries(places)), str(module.country_rows(places)))
    module._forget_drawn_countries()
    worldmap._unlabelled_point.cache_clear()
    again = (str(module.draw_countries(places)), str(module.country_rows(places)))
    assert first == again
    assert module._country_row.cache_info().currsize == len(places)


def _map_block(client) -> str:
    """The page's map and table (the rest of the page carries a new CSRF token each time)."""
    text = client.get(URL).text
    return text[text.index("partner-map-summary") :]


def test_the_map_of_countries_is_kept_once_and_drawn_again_if_the_cache_lost_it(
    viewer_client, countries_drawn
):
    """Per version of the record only what the map is drawn from is kept (a key, not the
    ~200 KB block); the block is kept by that key in the worker and in the cache. Another
    worker reads it from the cache; if the cache lost it, it is drawn again from the
    counts, the same."""
    from django.core.cache import cache

    from workspace import partner_map as module

    drawn = countries_drawn
    located("Minsk", "53.9", "27.5667")
    located("Viêng Chăn", "17.97", "102.6", country="LA")
    first = _map_block(viewer_client)
    assert "Belarus: 1 partnership" in first
    assert len(drawn) == 1
    (key,) = module._drawn

    module._drawn.clear()  # another worker
    assert _map_block(viewer_client) == first
    assert len(drawn) == 1
    assert list(module._drawn) == [key]

    module._drawn.clear()
    cache.delete(f"by-version:{key}:partner-map-countries")  # the cache let it go
    assert _map_block(viewer_client) == first
    assert len(drawn) == 2


def test_a_worker_keeps_a_bounded_number_of_maps_of_countries():
    from workspace import partner_map as module

    for i in range(module.DRAWN_KEPT + 3):
        module._drawn_countries(f"key-{i}", functools.partial(str, f"block {i}"))
    assert len(module._drawn) == module.DRAWN_KEPT
    assert "key-0" not in module._drawn
    module._drawn_countries("key-3", lambda: "not drawn again")  # the oldest kept one
    module._drawn_countries("key-new", lambda: "block new")
    assert "key-3" in module._drawn
    assert "key-4" not in module._drawn
