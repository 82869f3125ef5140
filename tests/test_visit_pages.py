"""Visits pages: list, detail (programme by day), create/edit with delegation and programme."""

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse

from delegations.models import Visit
from tests.factories import (
    AccommodationFactory,
    ActionItemFactory,
    AgreementFactory,
    BriefPointFactory,
    EngagementFactory,
    GiftFactory,
    LocalContactFactory,
    PartnershipFactory,
    PersonFactory,
    TravelSegmentFactory,
    VisitDocumentFactory,
    VisitFactory,
    VisitParticipantFactory,
    VisitSourceFactory,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


def visit_data(partnership, visit=None, **overrides):
    data = {
        "partnership": partnership.pk,
        "direction": "outgoing",
        "status": "planned",
        "classification": "Lưu hành nội bộ",
        "title": "Đoàn Hà Nội thăm Minsk",
        "start_date": "11/05/2025",
        "end_date": "13/05/2025",
        "date_note": "",
        "place": "Minsk",
        "purpose": "",
        "talking_points": "",
        "outcomes": "",
        "notes": "",
        "source_url": "",
        "participants-TOTAL_FORMS": "0",
        "participants-INITIAL_FORMS": "0",
        "engagements-TOTAL_FORMS": "0",
        "engagements-INITIAL_FORMS": "0",
    }
    if visit is not None:
        data["version"] = visit.version
    data.update(overrides)
    return data


def test_the_visit_list_shows_visits_to_a_viewer(client):
    VisitFactory(title="Đoàn Viêng Chăn thăm Hà Nội")
    client.force_login(viewer())
    response = client.get(reverse("delegations:visit_list"))
    assert "Đoàn Viêng Chăn thăm Hà Nội" in response.text
    assert "<html" in response.text


def test_the_visit_list_answers_htmx_with_the_results_partial_only(client):
    VisitFactory(title="Đoàn Viêng Chăn thăm Hà Nội")
    client.force_login(viewer())
    response = client.get(
        reverse("delegations:visit_list"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="visit-results"
    )
    assert "Đoàn Viêng Chăn thăm Hà Nội" in response.text
    assert "<html" not in response.text


def test_the_visit_list_filters_by_direction_and_date_range(client):
    VisitFactory(title="KEEP", direction="incoming", start_date=dt.date(2024, 3, 1), end_date=None)
    VisitFactory(
        title="DROP-DIR", direction="outgoing", start_date=dt.date(2024, 3, 1), end_date=None
    )
    VisitFactory(
        title="DROP-DATE", direction="incoming", start_date=dt.date(2019, 3, 1), end_date=None
    )
    client.force_login(viewer())
    text = client.get(
        reverse("delegations:visit_list"),
        {"direction": "incoming", "date_from": "01/01/2024", "date_until": "31/12/2024"},
    ).text
    assert "KEEP" in text
    assert "DROP-DIR" not in text
    assert "DROP-DATE" not in text


@pytest.mark.parametrize("n", [2, 10])
def test_the_visit_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    partnership = PartnershipFactory()
    VisitFactory.create_batch(n, partnership=partnership)
    client.force_login(viewer())
    # Expect 11: session, user, role, count, filter drop-downs (partnerships, home
    # cities, fields), the page of visits with their cities, the session save (3).
    with django_assert_num_queries(11):
        client.get(reverse("delegations:visit_list"))


@pytest.mark.parametrize("n", [1, 5])
def test_the_visit_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    visit = VisitFactory()
    for _ in range(n):
        participant = VisitParticipantFactory(visit=visit)
        item = EngagementFactory(visit=visit)
        item.accompanied_by.add(participant.person)
        item.counterparts.add(PersonFactory())
        ActionItemFactory(visit=visit)
        visit.agreements_signed.add(AgreementFactory(partnership=visit.partnership))
        GiftFactory(visit=visit, person=participant.person)
        BriefPointFactory(visit=visit)
        TravelSegmentFactory(visit=visit)
        AccommodationFactory(visit=visit)
        LocalContactFactory(visit=visit)
        VisitDocumentFactory(visit=visit)
        VisitSourceFactory(visit=visit)
    client.force_login(viewer())
    # Expect 34: session, user, role; the visit (with which lists have rows); participants
    # with people, programme, its counterparts and the people accompanying, objectives and
    # points, travel, accommodation, contacts, gifts with people and organisations,
    # documents, sources, agreements, action items; the gifts given before; history: rows,
    # agreements m2m, which kinds of rows have history, the nine kinds, names; the session
    # save (3).
    with django_assert_num_queries(34):
        client.get(reverse("delegations:visit_detail", args=[visit.pk]))


def test_the_visit_page_reads_only_the_lists_that_have_rows(client, django_assert_num_queries):
    """Issue 16: a visit without travel, gifts, sources… asks for none of them, nor for
    their history (the page cost 29 queries on the bench's visit, most for nothing)."""
    visit = VisitFactory()
    VisitParticipantFactory(visit=visit)
    client.force_login(viewer())
    # Expect 13: session, user, role; the visit (with which lists have rows); participants
    # with people; history: rows, agreements m2m, which kinds of rows have history, the
    # participants', names; the session save (3).
    with django_assert_num_queries(13):
        response = client.get(reverse("delegations:visit_detail", args=[visit.pk]))
    assert response.status_code == HTTPStatus.OK
    assert list(response.context["visit"].gifts.all()) == []


def test_the_visit_page_shows_the_programme_day_by_day_and_the_delegation(client):
    visit = VisitFactory()
    VisitParticipantFactory(
        visit=visit, person=PersonFactory(full_name="Trần Sỹ Thanh"), role="head"
    )
    EngagementFactory(visit=visit, title="Hội đàm", date=dt.date(2025, 5, 12))
    EngagementFactory(visit=visit, title="Thăm nhà máy", date=dt.date(2025, 5, 13))
    client.force_login(viewer())
    page = client.get(reverse("delegations:visit_detail", args=[visit.pk])).text
    assert "Trần Sỹ Thanh" in page
    text = page[page.index("programme-day") :]
    assert text.index("12/05/2025") < text.index("Hội đàm") < text.index("13/05/2025")
    assert text.index("13/05/2025") < text.index("Thăm nhà máy")


def test_an_editor_records_a_visit_with_two_members_and_two_programme_items(client):
    partnership = PartnershipFactory()
    head, member = PersonFactory(), PersonFactory()
    client.force_login(editor())
    data = visit_data(
        partnership,
        **{
            "participants-TOTAL_FORMS": "3",
            "participants-0-side": "delegation",
            "participants-0-person": head.pk,
            "participants-0-role": "head",
            "participants-0-order": "0",
            "participants-1-side": "delegation",
            "participants-1-person": member.pk,
            "participants-1-role": "member",
            "participants-1-order": "1",
            "participants-2-side": "delegation",
            "participants-2-role": "member",
            "participants-2-order": "0",
            "engagements-TOTAL_FORMS": "2",
            "engagements-0-date": "12/05/2025",
            "engagements-0-kind": "talks",
            "engagements-0-title": "Hội đàm với Chủ tịch",
            "engagements-1-date": "13/05/2025",
            "engagements-1-kind": "site_visit",
            "engagements-1-title": "Thăm Công viên công nghệ cao",
        },
    )
    response = client.post(reverse("delegations:visit_create"), data)
    assert response.status_code == 302, response.text
    visit = Visit.objects.get()
    assert visit.participants.count() == 2
    assert visit.head is not None
    assert visit.head.person == head
    assert list(visit.engagements.values_list("title", flat=True)) == [
        "Hội đàm với Chủ tịch",
        "Thăm Công viên công nghệ cao",
    ]


def test_a_visit_with_two_heads_is_refused_with_an_explanation(client):
    partnership = PartnershipFactory()
    client.force_login(editor())
    data = visit_data(
        partnership,
        **{
            "participants-TOTAL_FORMS": "2",
            "participants-0-side": "delegation",
            "participants-0-person": PersonFactory().pk,
            "participants-0-role": "head",
            "participants-0-order": "0",
            "participants-1-side": "delegation",
            "participants-1-person": PersonFactory().pk,
            "participants-1-role": "head",
            "participants-1-order": "0",
        },
    )
    response = client.post(reverse("delegations:visit_create"), data)
    assert response.status_code == 422
    assert "only one head" in response.text
    assert not Visit.objects.exists()


def test_a_visit_start_known_only_to_the_month_is_kept_as_such(client):
    partnership = PartnershipFactory()
    client.force_login(editor())
    client.post(
        reverse("delegations:visit_create"),
        visit_data(partnership, start_date="05/2025", end_date=""),
    )
    visit = Visit.objects.get()
    assert (visit.start_date, visit.start_date_precision) == (dt.date(2025, 5, 1), "month")
    page = client.get(reverse("delegations:visit_edit", args=[visit.pk])).text
    assert 'value="05/2025"' in page


def test_a_visit_ending_before_it_starts_shows_the_error_next_to_the_end_date(client):
    client.force_login(editor())
    response = client.post(
        reverse("delegations:visit_create"),
        visit_data(PartnershipFactory(), start_date="13/05/2025", end_date="11/05/2025"),
    )
    assert response.status_code == 422
    assert 'id="id_end_date_error"' in response.text


def test_a_visit_ending_years_later_shows_its_length_next_to_the_end_date(client):
    visit = VisitFactory(start_date=dt.date(2025, 5, 11), end_date=dt.date(2025, 5, 13))
    client.force_login(editor())
    response = client.post(
        reverse("delegations:visit_edit", args=[visit.pk]),
        visit_data(visit.partnership, visit, end_date="13/05/2205"),
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    error = response.text.split('id="id_end_date_error"')[1].split("</")[0]
    assert "The visit would last 65746 days: a visit lasts at most a year." in error
    visit.refresh_from_db()
    assert visit.end_date == dt.date(2025, 5, 13)


def test_the_visit_page_links_to_the_brief_only_when_the_brief_exists(client):
    from django.urls import NoReverseMatch

    visit = VisitFactory()
    client.force_login(viewer())
    text = client.get(reverse("delegations:visit_detail", args=[visit.pk])).text
    try:
        brief = reverse("delegations:visit_brief", args=[visit.pk])
    except NoReverseMatch:
        assert "brief" not in text.lower() or "Export brief" not in text
    else:
        assert brief in text


@pytest.mark.parametrize("n", [1, 6])
def test_the_visit_form_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    visit = VisitFactory()
    for _ in range(n):
        VisitParticipantFactory(visit=visit)
        EngagementFactory(visit=visit)
    client.force_login(editor())
    # Expect 10: session, user, role; the visit; the drop-downs: partnerships,
    # agreements; the agreements signed (initial); the session save (3). The people and
    # the programme are not in this form: they are edited one row at a time.
    with django_assert_num_queries(10):
        client.get(reverse("delegations:visit_edit", args=[visit.pk]))


def test_add_a_row_returns_the_form_with_one_more_blank_row_and_saves_nothing(client):
    partnership = PartnershipFactory()
    client.force_login(editor())
    data = visit_data(partnership, title="", **{"participants-TOTAL_FORMS": "3"})
    data["add_row"] = "participants"
    response = client.post(reverse("delegations:visit_create"), data)
    assert response.status_code == 200
    assert 'name="participants-3-person"' in response.text
    assert 'class="error"' not in response.text
    assert not Visit.objects.exists()


def test_add_a_row_by_htmx_returns_only_the_form(client):
    client.force_login(editor())
    data = visit_data(PartnershipFactory(), **{"engagements-TOTAL_FORMS": "3"})
    data["add_row"] = "engagements"
    response = client.post(
        reverse("delegations:visit_create"),
        data,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="record-form",
    )
    assert "<html" not in response.text
    assert 'name="engagements-3-title"' in response.text
