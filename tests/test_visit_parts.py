"""A visit's rows edited one at a time on the visit page (issue 13 pt 2, 3, 6; issue 17 pt 8)."""

import datetime as dt
import io
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from delegations.models import Engagement, Gift, VisitParticipant
from partnerships.models import Person
from tests.factories import (
    BriefPointFactory,
    EngagementFactory,
    GiftFactory,
    LocalContactFactory,
    PersonFactory,
    TravelSegmentFactory,
    VisitDocumentFactory,
    VisitFactory,
    VisitParticipantFactory,
    editor,
    viewer,
)
from tests.test_visit_pages import visit_data

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]


def new_url(visit_pk: int, kind: str) -> str:
    return reverse("delegations:visit_part_new", args=[visit_pk, kind])


def edit_url(visit_pk: int, kind: str, row: int) -> str:
    return reverse("delegations:visit_part_edit", args=[visit_pk, kind, row])


def delete_url(visit_pk: int, kind: str, row: int) -> str:
    return reverse("delegations:visit_part_delete", args=[visit_pk, kind, row])


def programme_item(**overrides: str) -> dict[str, str]:
    return {
        "date": "12/05/2025",
        "date_note": "",
        "time": "09:00",
        "end_time": "10:30",
        "kind": "talks",
        "title": "Hội đàm với Chủ tịch Ủy ban Hành chính",
        "title_en": "Talks with the Chairman of the City Executive Committee",
        "place": "Tòa thị chính Minsk",
        "dress": "business",
        "summary": "",
        "summary_en": "",
        **overrides,
    }


def loaded(row: Any) -> dict[str, str]:
    """The hidden fields of a row's edit form: the version it was loaded at."""
    return {"version": str(row.version), "loaded_stamp": row.updated_at.isoformat()}


def test_an_editor_adds_a_timed_programme_item_without_javascript(client: Client) -> None:
    visit = VisitFactory()
    user = editor()
    client.force_login(user)
    response = client.post(new_url(visit.pk, "programme"), programme_item())
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith(f"/visits/{visit.pk}/#part-programme")
    item = Engagement.objects.get()
    assert (item.time, item.end_time, item.dress) == (dt.time(9), dt.time(10, 30), "business")
    assert item.history.get().history_user == user


def test_an_htmx_add_answers_the_list_with_the_new_row(client: Client) -> None:
    visit = VisitFactory()
    client.force_login(editor())
    response = client.post(new_url(visit.pk, "programme"), programme_item(), headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    item = Engagement.objects.get()
    assert 'id="part-list-programme"' in response.text
    assert f'id="part-programme-{item.pk}"' in response.text
    assert "<html" not in response.text


def test_the_add_form_opens_in_place_for_htmx_and_as_a_page_without(client: Client) -> None:
    visit = VisitFactory()
    client.force_login(editor())
    partial = client.get(new_url(visit.pk, "travel"), headers=HTMX)
    page = client.get(new_url(visit.pk, "travel"))
    assert 'id="part-form-travel-new"' in partial.text
    assert "<html" not in partial.text
    assert "<html" in page.text
    assert 'name="seats"' in page.text
    # The page alone has no list for htmx to swap into: its form posts plainly.
    assert "hx-post" in partial.text
    assert "hx-post" not in page.text
    assert "hx-target" not in page.text.split('id="part-form-travel-new"')[1]


def test_an_htmx_edit_answers_the_row_and_is_one_history_entry(client: Client) -> None:
    item = EngagementFactory(title="Hội đàm", time=dt.time(9))
    user = editor()
    client.force_login(user)
    data = programme_item(title="Hội đàm (đổi giờ)", time="14:00", end_time="15:00")
    data |= loaded(item)
    response = client.post(edit_url(item.visit_id, "programme", item.pk), data, headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    assert response.text.strip().startswith(f'<li id="part-programme-{item.pk}"')
    item.refresh_from_db()
    assert item.time == dt.time(14)
    latest = item.history.first()
    assert latest is not None
    assert (latest.history_type, latest.history_user) == ("~", user)


def test_an_invalid_row_comes_back_with_its_errors_where_it_was(client: Client) -> None:
    visit = VisitFactory()
    client.force_login(editor())
    data = programme_item(time="10:00", end_time="09:00")
    htmx = client.post(new_url(visit.pk, "programme"), data, headers=HTMX)
    plain = client.post(new_url(visit.pk, "programme"), data)
    assert htmx.status_code == HTTPStatus.OK
    assert htmx["HX-Retarget"] == "#part-form-programme-new"
    assert "cannot end before it starts" in htmx.text
    assert plain.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not Engagement.objects.exists()


def test_an_editor_removes_one_row_and_the_history_keeps_who(client: Client) -> None:
    participant = VisitParticipantFactory()
    user = editor()
    client.force_login(user)
    url = delete_url(participant.visit_id, "people", participant.pk)
    assert "Remove" in client.get(url).text
    response = client.post(url, headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    assert response.text == ""
    assert not VisitParticipant.objects.exists()
    removed = VisitParticipant.history.filter(history_type="-").get()
    assert removed.history_user == user


def test_the_visit_history_shows_a_removed_programme_item(client: Client) -> None:
    item = EngagementFactory(title="Thăm nhà máy máy kéo")
    client.force_login(editor())
    client.post(delete_url(item.visit_id, "programme", item.pk))
    page = client.get(reverse("delegations:visit_detail", args=[item.visit_id])).text
    history = page[page.index("record-history") :]
    assert "Thăm nhà máy máy kéo" in history


def test_a_viewer_cannot_add_change_or_remove_rows(client: Client) -> None:
    item = EngagementFactory()
    client.force_login(viewer())
    for url in (
        new_url(item.visit_id, "programme"),
        edit_url(item.visit_id, "programme", item.pk),
        delete_url(item.visit_id, "programme", item.pk),
    ):
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN
        assert client.post(url, programme_item()).status_code == HTTPStatus.FORBIDDEN
    assert Engagement.objects.get().title == item.title


def test_a_row_of_another_visit_or_an_unknown_kind_is_not_found(client: Client) -> None:
    item = EngagementFactory()
    other = VisitFactory()
    client.force_login(editor())
    assert client.get(edit_url(other.pk, "programme", item.pk)).status_code == 404
    assert client.get(new_url(other.pk, "nothing")).status_code == 404


def test_a_second_head_of_delegation_is_refused_next_to_the_role(client: Client) -> None:
    head = VisitParticipantFactory(role=VisitParticipant.Role.HEAD)
    client.force_login(editor())
    data = {
        "side": "delegation",
        "person": PersonFactory().pk,
        "role": "head",
        "position_title": "",
        "phone": "",
        "order": "1",
    }
    response = client.post(new_url(head.visit_id, "people"), data)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "only one head" in response.text


def test_a_delegation_member_has_a_role_and_a_phone(client: Client) -> None:
    visit = VisitFactory()
    person = PersonFactory(full_name="Nguyễn Thị Phiên dịch")
    client.force_login(editor())
    data = {
        "side": "delegation",
        "person": person.pk,
        "role": "interpreter",
        "position_title": "Phiên dịch tiếng Nga",
        "phone": "+84 912 000 111",
        "order": "3",
    }
    client.post(new_url(visit.pk, "people"), data)
    page = client.get(reverse("delegations:visit_detail", args=[visit.pk])).text
    assert "+84 912 000 111" in page
    assert "interpreter" in page


def test_a_visit_with_150_programme_items_stays_editable(client: Client) -> None:
    visit = VisitFactory()
    items = EngagementFactory.create_batch(150, visit=visit)
    client.force_login(editor())
    form_page = client.get(reverse("delegations:visit_edit", args=[visit.pk])).text
    assert form_page.count("name=") < 100
    saved = client.post(
        reverse("delegations:visit_edit", args=[visit.pk]),
        visit_data(visit.partnership, visit, title="Đoàn rất đông"),
    )
    assert saved.status_code == HTTPStatus.FOUND, saved.text
    middle = items[75]
    response = client.post(
        edit_url(visit.pk, "programme", middle.pk),
        programme_item(title="Mục 76 đã sửa") | loaded(middle),
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Engagement.objects.get(pk=middle.pk).title == "Mục 76 đã sửa"
    assert Engagement.objects.filter(visit=visit).count() == 150
    page = client.get(reverse("delegations:visit_detail", args=[visit.pk])).text
    assert page.count('class="visit-part"') >= 150


def test_too_many_fields_shows_the_apps_page_with_what_was_typed(
    client: Client, settings: object
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50  # type: ignore[attr-defined]
    visit = VisitFactory()
    client.force_login(editor())
    data = visit_data(visit.partnership, visit, notes="Ghi chú quan trọng không được mất")
    data |= {f"engagements-{i}-title": f"Mục số {i}" for i in range(60)}
    # As a browser posts a form without files: url-encoded.
    response = client.post(
        reverse("delegations:visit_edit", args=[visit.pk]),
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "too many fields" in response.text
    assert "errors/error_page.html" in [t.name for t in response.templates]
    assert "Ghi chú quan trọng không được mất" in response.text
    assert "Mục số 59" in response.text
    assert 'id="recovered-input"' in response.text


def test_a_gift_already_given_to_the_same_person_is_flagged_on_the_visit_page(
    client: Client,
) -> None:
    person = PersonFactory(full_name="Vladimir Kukharev")
    earlier = GiftFactory(person=person, description="Tranh sơn mài Hồ Gươm")
    visit = VisitFactory(partnership=earlier.visit.partnership, title="Đoàn lần sau")
    client.force_login(editor())
    data = {
        "direction": "given",
        "description": "tranh son mai Ho Guom",
        "description_en": "",
        "person": person.pk,
        "organisation": "",
        "notes": "",
    }
    client.post(new_url(visit.pk, "gifts"), data)
    assert Gift.objects.count() == 2
    page = client.get(reverse("delegations:visit_detail", args=[visit.pk])).text
    assert "Already given to this person" in page
    assert earlier.visit.title in page


def test_the_visit_page_shows_every_kind_of_brief_data(client: Client) -> None:
    visit = VisitFactory(
        budget_line="Kinh phí đối ngoại",
        security_notes="Không mang tài liệu mật",
        health_notes="Mang thuốc cá nhân",
    )
    TravelSegmentFactory(visit=visit, number="VN 65", seats="2A–2D", is_sample=True)
    LocalContactFactory(visit=visit, name="Đại sứ quán Việt Nam tại Belarus")
    BriefPointFactory(visit=visit, kind="question", text="Câu hỏi khó?", answer="Trả lời gọn.")
    VisitDocumentFactory(visit=visit, title="Bài phát biểu tại lễ ký")
    client.force_login(viewer())
    page = client.get(reverse("delegations:visit_detail", args=[visit.pk])).text
    for text in (
        "VN 65",
        "2A–2D",
        "sample",
        "Đại sứ quán Việt Nam tại Belarus",
        "Câu hỏi khó?",
        "Trả lời gọn.",
        "Bài phát biểu tại lễ ký",
        "Kinh phí đối ngoại",
        "Không mang tài liệu mật",
        "Mang thuốc cá nhân",
    ):
        assert text in page


def test_a_speech_is_downloaded_by_a_reader_only_through_the_view(client: Client) -> None:
    document = VisitDocumentFactory()
    url = reverse("delegations:visit_document", args=[document.visit_id, document.pk])
    assert client.get(url).status_code == HTTPStatus.FOUND  # to the login page
    client.force_login(viewer())
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert (document.file.name or "").startswith("private/")


def test_a_speech_is_uploaded_as_a_row(client: Client) -> None:
    visit = VisitFactory()
    client.force_login(editor())
    upload = SimpleUploadedFile("toast.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    data = {"kind": "toast", "title": "Lời chúc rượu", "title_en": "Toast", "language": "vi"}
    response = client.post(new_url(visit.pk, "documents"), {**data, "file": upload})
    assert response.status_code == HTTPStatus.FOUND
    assert (visit.documents.get().file.name or "").startswith(f"private/visits/{visit.pk}/")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#1f5f99").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_person_photo_is_uploaded_and_served_only_to_signed_in_readers(
    client: Client,
) -> None:
    person = PersonFactory(full_name="Andrei Strizhak")
    client.force_login(editor())
    data = {
        "full_name": person.full_name,
        "name_latin": "",
        "country": "BY",
        "email": "",
        "phone": "",
        "form_of_address": "Ngài Chủ tịch",
        "form_of_address_en": "Mr Chairman",
        "languages": "Belarusian, Russian",
        "dietary_needs": "No pork",
        "biography": "Sinh năm 1975 (mẫu).",
        "biography_en": "Born 1975 (sample).",
        "notes": "",
        "version": person.version,
        "positions-TOTAL_FORMS": "0",
        "positions-INITIAL_FORMS": "0",
        "photo": SimpleUploadedFile("strizhak.png", _png(), "image/png"),
    }
    response = client.post(reverse("partnerships:person_edit", args=[person.pk]), data)
    assert response.status_code == HTTPStatus.FOUND, response.text
    person = Person.objects.get(pk=person.pk)
    assert (person.photo.name or "").startswith("private/people/")
    assert person.dietary_needs == "No pork"
    url = reverse("partnerships:person_photo", args=[person.pk])
    anonymous = Client()
    assert anonymous.get(url).status_code == HTTPStatus.FOUND
    assert anonymous.get(f"/media/{person.photo.name}").status_code == HTTPStatus.NOT_FOUND
    photo = client.get(url)
    assert photo.status_code == HTTPStatus.OK
    assert photo["Content-Type"] == "image/png"
    page = client.get(person.get_absolute_url()).text
    assert url in page
    assert "Born 1975 (sample)." in page
    assert "Mr Chairman" in page


def test_the_city_form_records_the_city_and_country_note(client: Client) -> None:
    visit = VisitFactory()
    city = visit.partnership.partner_city
    client.force_login(editor())
    form = client.get(reverse("partnerships:city_edit", args=[city.pk])).text
    for name in ("profile_en", "relations_since", "country_note_en", "key_figures", "timezone"):
        assert f'name="{name}"' in form
    city.relations_since = 1992
    city.key_figures = "Dân số khoảng 2 triệu\nThủ đô của Belarus"
    city.timezone = "Europe/Minsk"
    city.save()
    page = client.get(city.get_absolute_url()).text
    assert "1992" in page
    assert "Thủ đô của Belarus" in page


def test_a_source_is_added_as_a_citation_without_a_link(client: Client) -> None:
    visit = VisitFactory()
    client.force_login(editor())
    data = {"publisher": "Kinhtedothi", "title": "Thúc đẩy hợp tác", "url": "", "order": "0"}
    response = client.post(new_url(visit.pk, "sources"), data)
    assert response.status_code == HTTPStatus.FOUND
    page = client.get(reverse("delegations:visit_detail", args=[visit.pk]))
    assert "Kinhtedothi, <cite>Thúc đẩy hợp tác</cite>" in page.text


def test_a_source_without_a_title_is_refused_next_to_the_field(client: Client) -> None:
    visit = VisitFactory()
    client.force_login(editor())
    data = {"publisher": "VOV", "title": "", "url": "https://vov.vn/a", "order": "0"}
    response = client.post(new_url(visit.pk, "sources"), data)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not visit.sources.exists()
