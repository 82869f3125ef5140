"""Removing a signatory, a document, a participant or a programme item while editing is
editing, not deleting (issue 17, finding 11; SECURITY.md): every removal is recorded in the
record's history with its author, and an administrator can restore it."""

import re
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from agreements.models import AgreementDocument, Signatory
from common.history import record_history
from delegations.models import Engagement, VisitParticipant
from tests.factories import (
    AgreementDocumentFactory,
    EngagementFactory,
    PersonFactory,
    SignatoryFactory,
    VisitFactory,
    administrator,
    editor,
    viewer,
)
from tests.test_agreement_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def remove_signatory_by_editing(client, signatory):
    agreement = signatory.agreement
    data = form_data(
        agreement,
        **{
            "signatories-TOTAL_FORMS": "1",
            "signatories-INITIAL_FORMS": "1",
            "signatories-0-id": signatory.pk,
            "signatories-0-person": signatory.person_id,
            "signatories-0-role": signatory.role,
            "signatories-0-position_title": signatory.position_title,
            "signatories-0-organisation": "",
            "signatories-0-DELETE": "on",
        },
    )
    response = client.post(reverse("agreements:agreement_edit", args=[agreement.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_signatory_removed_while_editing_is_in_the_agreements_history(client):
    signatory = SignatoryFactory(person=PersonFactory(full_name="Trần Sỹ Thanh"))
    user = editor(username="lan")
    client.force_login(user)
    remove_signatory_by_editing(client, signatory)
    assert not Signatory.objects.exists()
    row = Signatory.history.filter(id=signatory.pk).latest("history_date")
    assert (row.history_type, row.history_user) == ("-", user)
    entries = record_history(signatory.agreement, ["signatories"])
    removal = next(e for e in entries if e.action == "deleted")
    assert removal.user == user
    page = client.get(signatory.agreement.get_absolute_url()).content.decode()
    history = page[page.index('id="history"') :]
    assert "lan" in history
    assert "deleted" in history


def test_an_administrator_restores_a_removed_signatory(client):
    signatory = SignatoryFactory()
    client.force_login(editor())
    remove_signatory_by_editing(client, signatory)
    admin = administrator(username="quan.tri")
    out = StringIO()
    call_command(
        "restore_deleted",
        "agreements.signatory",
        str(signatory.pk),
        "--user",
        "quan.tri",
        stdout=out,
    )
    restored = Signatory.objects.get(pk=signatory.pk)
    assert (restored.person_id, restored.agreement_id) == (
        signatory.person_id,
        signatory.agreement_id,
    )
    row = Signatory.history.filter(id=signatory.pk).latest("history_date")
    assert (row.history_type, row.history_user) == ("+", admin)
    assert out.getvalue().startswith("Restored ")
    assert f" {signatory.pk}: " in out.getvalue()


@pytest.mark.parametrize(
    ("make", "label"),
    [
        (AgreementDocumentFactory, "agreements.agreementdocument"),
        (
            lambda: VisitParticipant.objects.create(visit=VisitFactory(), person=PersonFactory()),
            "delegations.visitparticipant",
        ),
        (EngagementFactory, "delegations.engagement"),
    ],
)
def test_every_kind_of_child_row_can_be_restored(make, label):
    child = make()
    model = type(child)
    pk = child.pk
    child.delete()
    call_command("restore_deleted", label, str(pk), stdout=StringIO())
    assert model.objects.filter(pk=pk).exists()


def test_a_record_that_was_not_deleted_is_not_restored():
    signatory = SignatoryFactory()
    with pytest.raises(CommandError, match="nothing to restore"):
        call_command("restore_deleted", "agreements.signatory", str(signatory.pk))


def test_a_child_whose_record_is_gone_is_refused_with_the_reason():
    document = AgreementDocumentFactory()
    pk = document.pk
    agreement = document.agreement
    agreement.delete()  # takes its documents with it
    assert not AgreementDocument.objects.filter(pk=pk).exists()
    with pytest.raises(CommandError, match="cannot be restored"):
        call_command("restore_deleted", "agreements.agreementdocument", str(pk))


# --- a programme item comes back with its links ------------------------------------------------
def test_a_restored_programme_item_has_its_counterparts_and_companions_again():
    item = EngagementFactory()
    minister, mayor, aide = PersonFactory(), PersonFactory(), PersonFactory()
    item.counterparts.set([minister, mayor])
    item.accompanied_by.set([aide])
    pk = item.pk
    item.delete()
    call_command("restore_deleted", "delegations.engagement", str(pk), stdout=StringIO())
    restored = Engagement.objects.get(pk=pk)
    assert set(restored.counterparts.all()) == {minister, mayor}
    assert set(restored.accompanied_by.all()) == {aide}


def test_a_counterpart_deleted_since_is_left_out_of_the_restore():
    item = EngagementFactory()
    stays, goes = PersonFactory(), PersonFactory()
    item.counterparts.set([stays, goes])
    pk = item.pk
    item.delete()
    goes.delete()
    call_command("restore_deleted", "delegations.engagement", str(pk), stdout=StringIO())
    assert list(Engagement.objects.get(pk=pk).counterparts.all()) == [stays]


def test_the_links_restored_are_in_the_history_too():
    item = EngagementFactory()
    minister = PersonFactory(full_name="Bộ trưởng Ivanov")
    item.counterparts.set([minister])
    pk = item.pk
    item.delete()
    call_command("restore_deleted", "delegations.engagement", str(pk), stdout=StringIO())
    newest = Engagement.history.filter(id=pk).latest("history_date", "history_id")
    assert newest.history_type == "~"
    assert [m.person_id for m in newest.counterparts.all()] == [minister.pk]


# --- the restore button on the record's history ------------------------------------------------
def restore_url(row) -> str:
    return reverse("workspace:restore_removed", args=[row._meta.label_lower, row.pk])


def removed_programme_item():
    item = EngagementFactory(title="Hội đàm với Thị trưởng")
    item.counterparts.set([PersonFactory()])
    url = restore_url(item)
    pk = item.pk
    item.delete()
    item.pk = pk  # Django clears it
    return item, url


def test_an_editor_sees_a_restore_button_on_a_removed_programme_item(client):
    item, url = removed_programme_item()
    client.force_login(editor())
    page = client.get(item.visit.get_absolute_url()).content.decode()
    history = page[page.index('id="history"') :]
    assert f'action="{url}"' in history
    assert 'method="post"' in history
    assert re.search(r'name="csrfmiddlewaretoken" value="\w+"', history)


def test_a_viewer_sees_no_restore_button_and_may_not_post_one(client):
    item, url = removed_programme_item()
    client.force_login(viewer())
    page = client.get(item.visit.get_absolute_url()).content.decode()
    assert url not in page
    assert client.post(url).status_code == HTTPStatus.FORBIDDEN
    assert not Engagement.objects.filter(pk=item.pk).exists()


def test_an_editor_restores_a_programme_item_with_its_counterparts_from_the_history(client):
    item, url = removed_programme_item()
    counterparts = list(
        Engagement.history.filter(id=item.pk, history_type="~")
        .latest("history_date", "history_id")
        .counterparts.values_list("person_id", flat=True)
    )
    user = editor(username="mai")
    client.force_login(user)
    response = client.post(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == item.visit.get_absolute_url() + "#history"
    restored = Engagement.objects.get(pk=item.pk)
    assert list(restored.counterparts.values_list("pk", flat=True)) == counterparts
    created = Engagement.history.filter(id=item.pk, history_type="+").latest("history_date")
    assert created.history_user == user
    page = client.get(response["Location"]).content.decode()
    assert "Restored programme item" in page or "Restored" in page
    assert url not in page  # back, so no longer offered


def test_an_editor_restores_a_removed_signatory_from_the_agreement_page(client):
    signatory = SignatoryFactory()
    url = restore_url(signatory)
    client.force_login(editor())
    remove_signatory_by_editing(client, signatory)
    assert url in client.get(signatory.agreement.get_absolute_url()).content.decode()
    response = client.post(url)
    assert response["Location"] == signatory.agreement.get_absolute_url() + "#history"
    assert Signatory.objects.filter(pk=signatory.pk).exists()


def test_a_restore_that_cannot_be_done_says_why_and_changes_nothing(client):
    participant = VisitParticipant.objects.create(visit=VisitFactory(), person=PersonFactory())
    url = restore_url(participant)
    pk = participant.pk
    participant.delete()
    # The same person was added again since: the visit may hold them once only.
    VisitParticipant.objects.create(visit=participant.visit, person=participant.person)
    client.force_login(editor())
    response = client.post(url, follow=True)
    assert response.redirect_chain[0][0] == participant.visit.get_absolute_url() + "#history"
    assert "cannot be restored" in response.content.decode()
    assert not VisitParticipant.objects.filter(pk=pk).exists()


def test_a_record_of_its_own_is_not_restored_through_the_history_button(client):
    """Agreements and visits are deleted by administrators; the button is for child rows."""
    agreement = AgreementDocumentFactory().agreement
    url = reverse("workspace:restore_removed", args=["agreements.agreement", agreement.pk])
    agreement.delete()
    client.force_login(administrator())
    assert client.post(url).status_code == HTTPStatus.NOT_FOUND


def test_the_restore_is_a_post(client):
    _item, url = removed_programme_item()
    client.force_login(editor())
    assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_removed_rows_add_no_queries_to_the_agreement_page(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_with_removed(n: int) -> int:
        agreement = SignatoryFactory().agreement
        for _ in range(n):
            SignatoryFactory(agreement=agreement).delete()
        with CaptureQueriesContext(connection) as captured:
            client.get(agreement.get_absolute_url())
        return len(captured)

    client.force_login(editor())
    queries_with_removed(1)  # warms what the first page caches
    assert queries_with_removed(1) == queries_with_removed(4)
