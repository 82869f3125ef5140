"""The partner map: partner cities on a server-drawn world map, coloured by status, sized
by recent visits, linked to their partnerships, with a table; its blocks on the
partnership and city pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

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


def located(name: str, lat: str, lon: str, **kwargs) -> Partnership:
    city = CityFactory(name=name, latitude=Decimal(lat), longitude=Decimal(lon))
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
    # Expect 8: session, user, role; the home-city drop-down; the partnerships with
    # their cities and recent visits (one query); the session save (3).
    with django_assert_num_queries(8):
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
