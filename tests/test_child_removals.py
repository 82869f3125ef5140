"""Removing a signatory, a document, a participant or a programme item while editing is
editing, not deleting (issue 17, finding 11; SECURITY.md): every removal is recorded in the
record's history with its author, and an administrator can restore it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from agreements.models import AgreementDocument, Signatory
from common.history import record_history
from delegations.models import VisitParticipant
from tests.factories import (
    AgreementDocumentFactory,
    EngagementFactory,
    PersonFactory,
    SignatoryFactory,
    VisitFactory,
    administrator,
    editor,
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
