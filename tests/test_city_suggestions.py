"""The city form proposes the gazetteer's entry for a typed name (issue 12, point 8)."""

from __future__ import annotations

from urllib.parse import parse_qs

from django.urls import reverse

from tests.factories import CityFactory, editor


def test_a_typed_transliteration_proposes_the_gazetteers_city(client, db):
    client.force_login(editor())

    response = client.get(
        reverse("partnerships:city_suggestions"),
        {"name": "Xơ-un"},
        headers={"HX-Request": "true", "HX-Target": "suggestions"},
    )

    assert response.status_code == 200
    proposal = response.context["proposals"][0]
    assert proposal.city is None
    assert proposal.initial["country"] == "KR"
    assert proposal.initial["timezone"] == "Asia/Seoul"
    assert parse_qs(proposal.query)["name_local"] == ["서울"]
    assert b'id="suggestions"' in response.content
    assert b"<html" not in response.content


def _queries(client, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("partnerships:city_suggestions"),
            {"name": name},
            headers={"HX-Request": "true", "HX-Target": "suggestions"},
        )
    return response, len(queries)


def test_a_recorded_city_is_proposed_first_in_as_many_queries_however_many_cities(client, db):
    minsk = CityFactory(name="Minsk", name_en="Minsk", country="BY")
    client.force_login(editor())
    _response, few = _queries(client, "minsk")
    CityFactory.create_batch(5)

    response, many = _queries(client, "minsk")

    # The session, the user and the role checks, the cities and their other names: the
    # same 8 for one city or six, not one more per city.
    assert few == many == 8
    assert response.context["proposals"][0].city == minsk


def test_without_htmx_the_list_is_a_page_of_its_own(client, db):
    client.force_login(editor())

    response = client.get(reverse("partnerships:city_suggestions"), {"name": "Seoul"})

    assert b"<html" in response.content
    assert b'id="suggestions"' in response.content


def test_the_city_form_asks_as_the_name_is_typed(client, db):
    client.force_login(editor())

    response = client.get(reverse("partnerships:city_create"))

    assert reverse("partnerships:city_suggestions").encode() in response.content
    assert b'id="suggestions"' in response.content
