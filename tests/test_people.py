"""People and organisations: lists with search, positions over time, forms."""

import datetime as dt

import pytest
from django.urls import reverse

from partnerships.models import Organisation, Person, Position
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
    VisitParticipantFactory,
    administrator,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db

PEOPLE = reverse("partnerships:person_list")
ORGANISATIONS = reverse("partnerships:organisation_list")


@pytest.fixture
def viewer_client(client):
    client.force_login(viewer())
    return client


@pytest.fixture
def editor_client(client):
    client.force_login(editor())
    return client


def listed(response) -> list[str]:
    return [str(row) for row in response.context["page_obj"].object_list]


# -- people ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        PEOPLE,
        ORGANISATIONS,
        reverse("partnerships:person_create"),
        reverse("partnerships:organisation_create"),
    ],
)
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_people_list_searches_without_accents(viewer_client):
    PersonFactory(full_name="Nguyễn Mạnh Quyền")
    PersonFactory(full_name="Trần Sỹ Thanh")
    assert listed(viewer_client.get(PEOPLE, {"q": "nguyen manh quyen"})) == ["Nguyễn Mạnh Quyền"]


def test_people_list_searches_the_latin_name(viewer_client):
    PersonFactory(full_name="Игорь Сергеенко", name_latin="Igor Sergeyenko")
    assert listed(viewer_client.get(PEOPLE, {"q": "sergeyenko"})) == ["Игорь Сергеенко"]


def test_people_list_filters_by_organisation(viewer_client):
    position = PositionFactory()
    PersonFactory()
    response = viewer_client.get(PEOPLE, {"organisation": position.organisation.pk})
    assert listed(response) == [str(position.person)]


def test_people_list_picks_the_organisation_by_typing_its_name(viewer_client):
    """Issue 16: a typed picker, not a drop-down of organisations (no "New organisation"
    button in a filter); a list filtered by the organisation's id names it in the box."""
    position = PositionFactory(organisation__name="Sở Ngoại vụ Hà Nội")
    PositionFactory(organisation__name="Trường Đại học")
    response = viewer_client.get(PEOPLE, {"organisation": "so ngoai vu"})
    assert listed(response) == [str(position.person)]
    html = response.content.decode()
    # The box says which organisation the name took.
    assert (
        '<input type="text" name="organisation" '
        f'value="Sở Ngoại vụ Hà Nội (#{position.organisation.pk})"'
    ) in html
    assert '<select name="organisation"' not in html
    assert 'name="quick_add"' not in html
    by_id = viewer_client.get(PEOPLE, {"organisation": position.organisation.pk})
    assert f"Sở Ngoại vụ Hà Nội (#{position.organisation.pk})" in by_id.content.decode()


def test_people_list_offers_the_countries_in_use(viewer_client):
    PersonFactory(country="VN")
    PersonFactory(country="BY")
    PersonFactory(country="")
    form = viewer_client.get(PEOPLE).context["filters"]
    assert {code for code, _name in form.fields["country"].choices} == {"", "BY", "VN"}


def test_people_list_shows_the_current_position_only(viewer_client):
    person = PersonFactory()
    PositionFactory(person=person, title="Chủ tịch", start=dt.date(2023, 1, 1))
    PositionFactory(
        person=person, title="Phó Giám đốc cũ", start=dt.date(2010, 1, 1), end=dt.date(2012, 1, 1)
    )
    html = viewer_client.get(PEOPLE).content.decode()
    assert "Chủ tịch" in html
    assert "Phó Giám đốc cũ" not in html


def test_people_list_answers_htmx_with_its_partial(viewer_client):
    PersonFactory(full_name="Lê Văn A")
    response = viewer_client.get(
        PEOPLE, {"q": "le"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="person-results"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="person-results"')


def test_people_list_without_htmx_is_a_full_page(viewer_client):
    assert "<html" in viewer_client.get(PEOPLE, {"q": "le"}).content.decode()


def test_people_list_is_paginated(viewer_client):
    PersonFactory.create_batch(30)
    assert len(listed(viewer_client.get(PEOPLE, {"page": 2}))) == 5


def test_person_page_shows_positions_over_time_as_they_are_known(viewer_client):
    person = PersonFactory(full_name="Trần Sỹ Thanh")
    PositionFactory(
        person=person, title="Chủ tịch", start=dt.date(2023, 7, 1), start_precision="month"
    )
    PositionFactory(
        person=person,
        title="Phó Chủ tịch",
        start=dt.date(2016, 1, 1),
        start_precision="year",
        end=dt.date(2020, 1, 1),
        end_precision="year",
    )
    VisitParticipantFactory(person=person, visit__title="Đoàn đi Minsk")
    html = viewer_client.get(
        reverse("partnerships:person_detail", args=[person.pk])
    ).content.decode()
    assert "07/2023" in html
    assert "2016" in html
    assert "2020" in html
    assert "Đoàn đi Minsk" in html
    assert html.index("Chủ tịch") < html.index("Phó Chủ tịch")


def test_person_page_query_count_does_not_grow(viewer_client, django_assert_num_queries):
    person = PersonFactory()

    def make(n):
        for i in range(n):
            PositionFactory(person=person, start=dt.date(2000 + i, 1, 1))
            VisitParticipantFactory(person=person)

    url = reverse("partnerships:person_detail", args=[person.pk])
    make(1)
    with django_assert_num_queries(14):
        viewer_client.get(url)
    make(4)
    with django_assert_num_queries(14):
        viewer_client.get(url)


def test_people_list_query_count_does_not_grow(viewer_client, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            PositionFactory(start=dt.date(2020, 1, 1))

    make(2)
    # Expect 10: session, user, role (3); countries in use (1); count, page, current
    # positions with organisations (3); saving the session (3). The organisation filter is
    # a typed picker: no drop-down of organisations read (issue 16).
    with django_assert_num_queries(10):
        viewer_client.get(PEOPLE)
    make(8)
    with django_assert_num_queries(10):
        viewer_client.get(PEOPLE)


def test_viewer_cannot_edit_a_person(viewer_client):
    person = PersonFactory(full_name="Tên cũ")
    url = reverse("partnerships:person_edit", args=[person.pk])
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"full_name": "Tên mới"}).status_code == 403
    person.refresh_from_db()
    assert person.full_name == "Tên cũ"


def position_rows(person, rows):
    data = {
        "positions-TOTAL_FORMS": str(len(rows)),
        "positions-INITIAL_FORMS": str(person.positions.count()) if person else "0",
        "positions-MIN_NUM_FORMS": "0",
        "positions-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"positions-{i}-{key}"] = value
    return data


def test_editor_records_a_person_with_a_position_known_to_the_month(editor_client):
    organisation = OrganisationFactory()
    data = {
        "full_name": "Nguyễn Mạnh Quyền",
        "country": "VN",
        **position_rows(
            None,
            [
                {
                    "organisation": organisation.pk,
                    "title": "Phó Chủ tịch",
                    "start": "12/2023",
                    "end": "",
                }
            ],
        ),
    }
    response = editor_client.post(reverse("partnerships:person_create"), data)
    person = Person.objects.get()
    position = Position.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:person_detail", args=[person.pk])
    assert (position.start, position.start_precision) == (dt.date(2023, 12, 1), "month")


def test_a_position_ending_before_it_starts_is_refused_in_place(editor_client):
    organisation = OrganisationFactory()
    data = {
        "full_name": "Người A",
        **position_rows(
            None,
            [
                {
                    "organisation": organisation.pk,
                    "title": "Giám đốc",
                    "start": "2020",
                    "end": "2018",
                }
            ],
        ),
    }
    response = editor_client.post(reverse("partnerships:person_create"), data)
    assert response.status_code == 422
    assert not Person.objects.exists()


def test_editor_edits_a_person_and_ends_a_position(editor_client):
    position = PositionFactory(start=dt.date(2020, 1, 1))
    person = position.person
    data = {
        "full_name": person.full_name,
        "country": "VN",
        "version": person.version,
        **position_rows(
            person,
            [
                {
                    "id": position.pk,
                    "person": person.pk,
                    "organisation": position.organisation.pk,
                    "title": position.title,
                    "start": "01/01/2020",
                    "end": "2024",
                }
            ],
        ),
    }
    response = editor_client.post(reverse("partnerships:person_edit", args=[person.pk]), data)
    position.refresh_from_db()
    assert response.status_code == 302
    assert (position.end, position.end_precision) == (dt.date(2024, 1, 1), "year")


def test_deleting_a_person_who_led_a_delegation_is_refused(client):
    participant = VisitParticipantFactory()
    client.force_login(administrator())
    url = reverse("partnerships:person_delete", args=[participant.person.pk])
    response = client.post(url)
    assert response.status_code == 409
    assert Person.objects.filter(pk=participant.person.pk).exists()


# -- organisations --------------------------------------------------------------------------


def test_organisation_list_searches_name_and_abbreviation(viewer_client):
    OrganisationFactory(name="Ủy ban nhân dân Thành phố Hà Nội", abbreviation="UBND TP Hà Nội")
    OrganisationFactory(name="Sở Ngoại vụ")
    assert listed(viewer_client.get(ORGANISATIONS, {"q": "uy ban nhan dan"})) == [
        "Ủy ban nhân dân Thành phố Hà Nội"
    ]
    assert listed(viewer_client.get(ORGANISATIONS, {"q": "ubnd"})) == [
        "Ủy ban nhân dân Thành phố Hà Nội"
    ]


def test_organisation_list_counts_the_positions_held_today(viewer_client):
    organisation = OrganisationFactory(name="Sở Ngoại vụ")
    PositionFactory.create_batch(2, organisation=organisation, start=dt.date(2020, 1, 1))
    PositionFactory(organisation=organisation, start=dt.date(2010, 1, 1), end=dt.date(2015, 1, 1))
    OrganisationFactory(name="Trường")
    rows = viewer_client.get(ORGANISATIONS).context["page_obj"].object_list
    assert {row.name: row.people_now for row in rows} == {"Sở Ngoại vụ": 2, "Trường": 0}


def test_organisation_list_offers_the_countries_in_use(viewer_client):
    OrganisationFactory(country="LA")
    OrganisationFactory(country="BY")
    OrganisationFactory(country="LA")
    form = viewer_client.get(ORGANISATIONS).context["filters"]
    assert {code for code, _name in form.fields["country"].choices} == {"", "BY", "LA"}


def test_organisation_list_filters_by_kind(viewer_client):
    OrganisationFactory(name="Trường", kind=Organisation.Kind.EDUCATION)
    OrganisationFactory(name="Sở")
    assert listed(viewer_client.get(ORGANISATIONS, {"kind": "education"})) == ["Trường"]


def test_organisation_list_answers_htmx_with_its_partial(viewer_client):
    response = viewer_client.get(
        ORGANISATIONS, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="organisation-results"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="organisation-results"')


def test_organisation_page_shows_people_over_time(viewer_client):
    organisation = OrganisationFactory()
    PositionFactory(
        organisation=organisation, person__full_name="Người nay", start=dt.date(2022, 1, 1)
    )
    PositionFactory(
        organisation=organisation,
        person__full_name="Người trước",
        start=dt.date(2010, 1, 1),
        end=dt.date(2015, 1, 1),
    )
    url = reverse("partnerships:organisation_detail", args=[organisation.pk])
    html = viewer_client.get(url).content.decode()
    assert "Người nay" in html
    assert "Người trước" in html


def test_organisation_page_query_count_does_not_grow(viewer_client, django_assert_num_queries):
    organisation = OrganisationFactory()

    def make(n):
        for _ in range(n):
            PositionFactory(organisation=organisation, start=dt.date(2020, 1, 1))
            OrganisationFactory(parent=organisation)

    url = reverse("partnerships:organisation_detail", args=[organisation.pk])
    make(1)
    with django_assert_num_queries(14):
        viewer_client.get(url)
    make(4)
    with django_assert_num_queries(14):
        viewer_client.get(url)


def test_organisation_list_query_count_does_not_grow(viewer_client, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            PositionFactory(organisation=OrganisationFactory(parent=OrganisationFactory()))

    make(2)
    # Session, user and role; the filter's choices (countries; the city is a typed
    # picker, no list of every city); count and page; saving the session: no query per row.
    with django_assert_num_queries(9):
        viewer_client.get(ORGANISATIONS)
    make(8)
    with django_assert_num_queries(9):
        viewer_client.get(ORGANISATIONS)


def test_editor_records_an_organisation(editor_client):
    data = {"name": "Sở Ngoại vụ Hà Nội", "kind": "department", "country": "VN"}
    response = editor_client.post(reverse("partnerships:organisation_create"), data)
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "partnerships:organisation_detail", args=[organisation.pk]
    )


def test_viewer_cannot_record_an_organisation(viewer_client):
    data = {"name": "Sở Ngoại vụ Hà Nội", "kind": "department", "country": "VN"}
    assert viewer_client.post(reverse("partnerships:organisation_create"), data).status_code == 403
    assert not Organisation.objects.exists()


def test_an_organisation_cannot_be_its_own_parent(editor_client):
    organisation = OrganisationFactory()
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "country": "VN",
        "parent": organisation.pk,
        "version": organisation.version,
    }
    url = reverse("partnerships:organisation_edit", args=[organisation.pk])
    response = editor_client.post(url, data)
    assert response.status_code == 422


def test_people_are_listed_in_vietnamese_alphabetical_order(viewer_client):
    for name in ("Yên Văn B", "Đinh Tiến Dũng", "Dương Văn A", "Zhang Wei", "Ân Thị C"):
        PersonFactory(full_name=name)
    names = listed(viewer_client.get(PEOPLE))
    # Đ after D and before Y, Ă/Â after A: not in code-point order (Đ after Z).
    assert names == ["Ân Thị C", "Dương Văn A", "Đinh Tiến Dũng", "Yên Văn B", "Zhang Wei"]


def test_organisations_are_listed_in_vietnamese_alphabetical_order(viewer_client):
    for name in ("Ủy ban nhân dân", "Đại sứ quán", "Dự án", "Ban Đối ngoại"):
        OrganisationFactory(name=name)
    assert listed(viewer_client.get(ORGANISATIONS)) == [
        "Ban Đối ngoại",
        "Dự án",
        "Đại sứ quán",
        "Ủy ban nhân dân",
    ]
