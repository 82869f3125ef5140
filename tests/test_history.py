"""Every create, change and delete is recorded with who and when, and shown on the record's page."""

import pytest
from django.urls import reverse

from agreements.models import Agreement
from common.history import record_history
from delegations.models import Visit
from tests.factories import (
    AgreementFactory,
    FieldOfCooperationFactory,
    PersonFactory,
    VisitFactory,
    administrator,
    editor,
    viewer,
)
from tests.test_agreement_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


def test_creating_an_agreement_in_the_workspace_records_who_created_it(client):
    user = editor()
    client.force_login(user)
    client.post(reverse("agreements:agreement_create"), form_data())
    row = Agreement.history.get()
    assert (row.history_type, row.history_user) == ("+", user)


def test_a_change_is_shown_with_its_old_and_new_value_and_author(client):
    agreement = AgreementFactory(title="Tên cũ")
    user = editor(username="lan")
    client.force_login(user)
    client.post(
        reverse("agreements:agreement_edit", args=[agreement.pk]),
        form_data(agreement, title="Tên mới"),
    )
    [entry, _created] = record_history(agreement)
    assert entry.user == user
    assert entry.action == "changed"
    change = next(c for c in entry.changes if c.new == "Tên mới")
    assert change.old == "Tên cũ"


def test_a_many_to_many_change_is_one_entry_with_names(client):
    agreement = AgreementFactory()
    field = FieldOfCooperationFactory(name="Văn hóa")
    client.force_login(editor())
    client.post(
        reverse("agreements:agreement_edit", args=[agreement.pk]),
        form_data(agreement, fields=[field.pk]),
    )
    entries = record_history(agreement)
    assert len([e for e in entries if e.action == "changed"]) == 1
    assert any(c.new == "Văn hóa" for c in entries[0].changes)


def test_a_partial_date_change_is_shown_as_known(client):
    agreement = AgreementFactory()
    client.force_login(editor())
    client.post(
        reverse("agreements:agreement_edit", args=[agreement.pk]),
        form_data(agreement, signed_on="2004"),
    )
    change = next(c for c in record_history(agreement)[0].changes if c.new == "2004")
    assert change.old == "07/12/2023"


def test_delegation_members_added_on_the_visit_page_appear_in_the_visit_history(client):
    visit = VisitFactory()
    person = PersonFactory(full_name="Nguyễn Mạnh Quyền")
    client.force_login(editor())
    client.post(
        reverse("delegations:visit_part_new", args=[visit.pk, "people"]),
        {"side": "delegation", "person": person.pk, "role": "head", "order": "0"},
    )
    text = client.get(reverse("delegations:visit_detail", args=[visit.pk])).text
    assert "Nguyễn Mạnh Quyền" in text[text.index('id="history"') :]


def test_a_deleted_visit_leaves_a_deletion_record_with_its_author(client):
    visit = VisitFactory()
    user = administrator()
    client.force_login(user)
    client.post(reverse("delegations:visit_delete", args=[visit.pk]))
    row = Visit.history.filter(id=visit.pk).latest("history_date")
    assert (row.history_type, row.history_user) == ("-", user)


def test_the_history_is_shown_in_the_users_language(client):
    agreement = AgreementFactory(title="Tên cũ")
    client.force_login(editor())
    client.post(
        reverse("agreements:agreement_edit", args=[agreement.pk]),
        form_data(agreement, title="Tên mới"),
    )
    client.force_login(viewer())
    client.cookies["django_language"] = "en"
    text = client.get(reverse("agreements:agreement_detail", args=[agreement.pk])).text
    history = text[text.index('id="history"') :]
    assert "Title" in history
    assert "changed" in history


def test_the_history_query_count_does_not_grow_with_the_number_of_changes(
    client, django_assert_num_queries
):
    agreement = AgreementFactory()
    client.force_login(editor())
    for n in range(5):
        agreement.refresh_from_db()
        client.post(
            reverse("agreements:agreement_edit", args=[agreement.pk]),
            form_data(agreement, title=f"Tên {n}"),
        )
    # Expect 5: the rows (with users), two m2m fields, signatories, documents.
    with django_assert_num_queries(5):
        record_history(agreement, ["signatories", "documents"])
