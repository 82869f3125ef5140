"""No lost updates: a save from a stale form is refused with the other person's changes."""

import pytest
from django.urls import reverse

from delegations.models import ActionItem
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    EngagementFactory,
    VisitFactory,
    VisitParticipantFactory,
    editor,
)
from tests.test_agreement_pages import form_data
from tests.test_visit_pages import visit_data

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


def save_agreement(client, agreement, version, **changes):
    data = form_data(agreement, version=version, **changes)
    return client.post(reverse("agreements:agreement_edit", args=[agreement.pk]), data)


def test_a_save_through_the_workspace_bumps_the_version(client):
    agreement = AgreementFactory()
    client.force_login(editor())
    save_agreement(client, agreement, 1, title="Tên mới")
    agreement.refresh_from_db()
    assert agreement.version == 2


def test_a_stale_save_is_refused_and_does_not_overwrite(client):
    agreement = AgreementFactory(title="Gốc")
    first, second = editor(username="lan"), editor(username="minh")
    client.force_login(first)
    save_agreement(client, agreement, 1, title="Lan's title")
    client.force_login(second)
    response = save_agreement(client, agreement, 1, title="Minh's title")
    agreement.refresh_from_db()
    assert response.status_code == 409
    assert agreement.title == "Lan's title"
    assert agreement.version == 2


def test_the_conflict_message_says_who_saved_and_shows_both_values(client):
    agreement = AgreementFactory(title="Gốc")
    client.force_login(editor(username="lan"))
    save_agreement(client, agreement, 1, title="Lan's title")
    client.force_login(editor(username="minh"))
    response = save_agreement(client, agreement, 1, title="Minh's title")
    conflict = response.context["conflict"]
    assert conflict.editors == "lan"
    [field] = conflict.fields
    assert (field.name, field.theirs, field.yours, field.both_changed) == (
        "title",
        "Lan's title",
        "Minh's title",
        True,
    )
    assert 'id="edit-conflict"' in response.text


def test_the_rebased_form_keeps_your_edit_and_takes_their_other_changes(client):
    agreement = AgreementFactory(title="Gốc", signed_at="")
    client.force_login(editor(username="lan"))
    save_agreement(client, agreement, 1, signed_at="Minsk")
    client.force_login(editor(username="minh"))
    response = save_agreement(client, agreement, 1, title="Minh's title")
    form = response.context["form"]
    assert form["signed_at"].value() == "Minsk"
    assert form["title"].value() == "Minh's title"
    assert form["version"].value() == "2"


def test_saving_the_rebased_form_applies_your_edit_on_top_of_theirs(client):
    agreement = AgreementFactory(title="Gốc", signed_at="")
    client.force_login(editor(username="lan"))
    save_agreement(client, agreement, 1, signed_at="Minsk")
    client.force_login(editor(username="minh"))
    response = save_agreement(client, agreement, 1, title="Minh's title")
    data = response.context["form"].data
    response = client.post(reverse("agreements:agreement_edit", args=[agreement.pk]), data)
    agreement.refresh_from_db()
    assert response.status_code == 302
    assert (agreement.title, agreement.signed_at, agreement.version) == ("Minh's title", "Minsk", 3)


def test_a_stale_visit_save_keeps_the_other_editors_programme(client):
    visit = VisitFactory(title="Gốc")
    client.force_login(editor())
    client.post(
        reverse("delegations:visit_edit", args=[visit.pk]),
        visit_data(visit.partnership, visit, title="Lan's visit"),
    )
    response = client.post(
        reverse("delegations:visit_edit", args=[visit.pk]),
        visit_data(visit.partnership, visit, title="Minh's visit"),
    )
    visit.refresh_from_db()
    assert response.status_code == 409
    assert visit.title == "Lan's visit"


def test_a_stale_action_item_edit_is_refused(client):
    item = ActionItemFactory(description="Gốc")
    client.force_login(editor())
    data = {
        "description": "Mới",
        "partnership": item.partnership_id,
        "visit": item.visit_id,
        "status": "agreed",
        "priority": "2",
        "version": "1",
    }
    client.post(reverse("delegations:actionitem_edit", args=[item.pk]), data)
    response = client.post(
        reverse("delegations:actionitem_edit", args=[item.pk]), {**data, "description": "Khác"}
    )
    item.refresh_from_db()
    assert response.status_code == 409
    assert item.description == "Mới"


def test_a_stale_inline_status_change_gets_a_conflict_message_not_an_overwrite(client):
    item = ActionItemFactory(status="agreed")
    url = reverse("delegations:actionitem_status", args=[item.pk])
    prefix = f"item{item.pk}"
    client.force_login(editor(username="lan"))
    client.post(url, {f"{prefix}-status": "done", f"{prefix}-version": "1"})
    client.force_login(editor(username="minh"))
    response = client.post(
        url,
        {f"{prefix}-status": "dropped", f"{prefix}-version": "1"},
        HTTP_HX_REQUEST="true",
    )
    item.refresh_from_db()
    assert response.status_code == 200
    assert item.status == ActionItem.Status.DONE
    assert 'id="edit-conflict"' in response.text
    assert "lan" in response.text


def test_a_stale_plain_status_change_answers_409_with_the_conflict(client):
    item = ActionItemFactory(status="agreed")
    url = reverse("delegations:actionitem_status", args=[item.pk])
    prefix = f"item{item.pk}"
    client.force_login(editor())
    client.post(url, {f"{prefix}-status": "done", f"{prefix}-version": "1"})
    response = client.post(url, {f"{prefix}-status": "dropped", f"{prefix}-version": "1"})
    assert response.status_code == 409
    assert 'id="edit-conflict"' in response.text


def test_a_form_without_its_version_is_treated_as_stale(client):
    agreement = AgreementFactory()
    client.force_login(editor())
    data = form_data(agreement)
    del data["version"]
    response = client.post(reverse("agreements:agreement_edit", args=[agreement.pk]), data)
    assert response.status_code == 409


def participant_data(participant, **changes):
    """The row form of a visit participant as it was loaded (its version included)."""
    return {
        "side": participant.side,
        "person": participant.person_id,
        "role": participant.role,
        "position_title": participant.position_title,
        "phone": participant.phone,
        "order": participant.order,
        "version": participant.version,
        "loaded_stamp": participant.updated_at.isoformat(),
        **changes,
    }


def save_row(client, row, kind, data, **headers):
    url = reverse("delegations:visit_part_edit", args=[row.visit_id, kind, row.pk])
    return client.post(url, data, headers=headers)


def test_two_editors_changing_the_same_participant_the_second_is_told(client):
    participant = VisitParticipantFactory(phone="", position_title="Phó Chủ tịch")
    loaded = participant_data(participant)  # both open the row's form now
    client.force_login(editor(username="lan"))
    save_row(client, participant, "people", {**loaded, "phone": "+375 29 111"})
    client.force_login(editor(username="minh"))
    response = save_row(client, participant, "people", {**loaded, "phone": "+375 29 222"})
    participant.refresh_from_db()
    assert response.status_code == 409
    assert participant.phone == "+375 29 111"  # Lan's save stands
    assert participant.version == 2
    conflict = response.context["conflict"]
    assert conflict.editors == "lan"
    [field] = conflict.fields
    assert (field.name, field.theirs, field.yours, field.both_changed) == (
        "phone",
        "+375 29 111",
        "+375 29 222",
        True,
    )
    assert 'id="edit-conflict"' in response.text


def test_the_rebased_row_form_takes_their_change_and_saves_mine_on_top(client):
    participant = VisitParticipantFactory(phone="", position_title="Phó Chủ tịch")
    loaded = participant_data(participant)
    client.force_login(editor(username="lan"))
    save_row(client, participant, "people", {**loaded, "position_title": "Chủ tịch"})
    client.force_login(editor(username="minh"))
    response = save_row(client, participant, "people", {**loaded, "phone": "+375 29 222"})
    assert response.status_code == 409
    rebased = response.context["form"]
    assert rebased["position_title"].value() == "Chủ tịch"  # only Lan changed it
    again = {name: rebased[name].value() or "" for name in loaded}
    assert save_row(client, participant, "people", again).status_code == 302
    participant.refresh_from_db()
    assert (participant.position_title, participant.phone) == ("Chủ tịch", "+375 29 222")


def test_two_editors_changing_different_rows_of_a_visit_both_save(client):
    visit = VisitFactory()
    first = VisitParticipantFactory(visit=visit, phone="")
    second = VisitParticipantFactory(visit=visit, phone="")
    first_form, second_form = participant_data(first), participant_data(second)
    client.force_login(editor(username="lan"))
    assert save_row(client, first, "people", {**first_form, "phone": "111"}).status_code == 302
    client.force_login(editor(username="minh"))
    assert save_row(client, second, "people", {**second_form, "phone": "222"}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.phone, second.phone) == ("111", "222")


def test_a_programme_item_changed_by_someone_else_is_a_conflict_in_place_with_htmx(client):
    item = EngagementFactory(title="Hội đàm")
    loaded = {
        "date": "12/05/2025",
        "date_note": "",
        "time": "",
        "end_time": "",
        "kind": item.kind,
        "title": "Hội đàm",
        "title_en": "",
        "place": "",
        "dress": item.dress,
        "summary": "",
        "summary_en": "",
        "version": item.version,
        "loaded_stamp": item.updated_at.isoformat(),
    }
    client.force_login(editor(username="lan"))
    save_row(client, item, "programme", {**loaded, "place": "Tòa thị chính"})
    client.force_login(editor(username="minh"))
    response = save_row(client, item, "programme", {**loaded, "place": "Khách sạn"}, **HTMX)
    item.refresh_from_db()
    assert item.place == "Tòa thị chính"
    assert response.status_code == 200  # htmx swaps 2xx answers only
    assert response["HX-Retarget"] == f"#part-form-programme-{item.pk}"
    assert 'id="edit-conflict"' in response.text


def test_a_row_saved_in_the_admin_meanwhile_is_not_overwritten_either(client):
    participant = VisitParticipantFactory(phone="")
    loaded = participant_data(participant)
    participant.phone = "sửa trong trang quản trị"
    participant.save()  # the admin saves without a new version
    client.force_login(editor())
    response = save_row(client, participant, "people", {**loaded, "phone": "333"})
    participant.refresh_from_db()
    assert response.status_code == 409
    assert participant.phone == "sửa trong trang quản trị"


def test_an_htmx_conflict_scrolls_the_form_top_into_view(client):
    agreement = AgreementFactory()
    client.force_login(editor())
    save_agreement(client, agreement, 1, title="Một")
    data = form_data(agreement, version=1, title="Hai")
    response = client.post(
        reverse("agreements:agreement_edit", args=[agreement.pk]),
        data,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="record-form",
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "outerHTML show:#record-form:top"
    assert 'id="edit-conflict"' in response.text


def test_a_change_made_in_the_admin_is_not_overwritten_either(client):
    agreement = AgreementFactory(title="Gốc")
    client.force_login(editor())
    page = client.get(reverse("agreements:agreement_edit", args=[agreement.pk]))
    loaded_stamp = page.context["form"]["loaded_stamp"].value()
    agreement.title = "Sửa trong trang quản trị"
    agreement.save()  # the admin saves without a new version
    response = save_agreement(client, agreement, 1, title="Minh's title", loaded_stamp=loaded_stamp)
    agreement.refresh_from_db()
    assert response.status_code == 409
    assert agreement.title == "Sửa trong trang quản trị"
    field = next(f for f in response.context["conflict"].fields if f.name == "title")
    assert (field.theirs, field.yours) == ("Sửa trong trang quản trị", "Minh's title")


def test_the_version_check_locks_the_row_it_compares(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agreement = AgreementFactory()
    client.force_login(editor())
    with CaptureQueriesContext(connection) as queries:
        save_agreement(client, agreement, 1, title="Mới")
    assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
