"""Reverting a confirmed import (issue 12, point 10): CLI, service and pages."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, Signatory
from partnerships.models import City, FieldOfCooperation, Partnership, Person
from sheets.importing import ImportOutcome, run_import
from sheets.models import ImportLog
from sheets.reverting import RevertRefusedError, revert_import
from tests.factories import (
    AgreementDocumentFactory,
    AgreementFactory,
    CityFactory,
    FieldOfCooperationFactory,
    administrator,
    editor,
    viewer,
)
from tests.sheets import agreement_row, csv_bytes

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def places() -> dict[str, City]:
    hanoi = CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    minsk = CityFactory(name="Minsk", name_en="Minsk", country="BY")
    FieldOfCooperationFactory(code="culture", name="Văn hóa", name_en="Culture")
    return {"hanoi": hanoi, "minsk": minsk}


def imported(rows: list[dict[str, Any]], user: User | None = None) -> ImportOutcome:
    outcome = run_import(
        sheet="agreements", file_name="a.csv", data=csv_bytes(rows), user=user, dry_run=False
    )
    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.log is not None
    return outcome


NEW_ROW = agreement_row(
    fields="Văn hóa; Du lịch", signatories="Nguyễn Văn A (Chủ tịch UBND thành phố)"
)


def _log(outcome: ImportOutcome) -> ImportLog:
    assert outcome.log is not None
    return ImportLog.objects.get(pk=outcome.log.pk)


# -- what a revert does ------------------------------------------------------------------


def test_the_log_keeps_what_the_import_created(places: dict[str, City]) -> None:
    log = _log(imported([NEW_ROW]))

    created = dict(log.changes["created"])
    assert created["agreements.agreement"] == [Agreement.objects.get().pk]
    assert created["partnerships.partnership"] == [Partnership.objects.get().pk]
    assert created["partnerships.person"] == [Person.objects.get().pk]
    assert created["agreements.signatory"] == [Signatory.objects.get().pk]
    assert log.changes["updated"] == []


def test_reverting_deletes_what_the_import_created_with_history(
    places: dict[str, City],
) -> None:
    admin = administrator()
    log = _log(imported([NEW_ROW]))
    agreement_id = Agreement.objects.get().pk

    done = revert_import(log, admin)

    assert done.deleted >= 4
    assert not Agreement.objects.exists()
    assert not Partnership.objects.exists()
    assert not Person.objects.exists()
    assert not FieldOfCooperation.objects.filter(name="Du lịch").exists()
    assert FieldOfCooperation.objects.filter(code="culture").exists()  # it was there before
    assert City.objects.count() == 2
    gone = Agreement.history.filter(id=agreement_id).latest("history_date")
    assert gone.history_type == "-"
    assert gone.history_user == admin
    assert gone.history_change_reason == f"Import #{log.pk} reverted"
    log.refresh_from_db()
    assert log.reverted_by == admin
    assert log.reverted_at is not None


def test_reverting_restores_what_the_import_updated(places: dict[str, City]) -> None:
    imported([agreement_row(notes="Ghi chú cũ", title="Tên cũ")])
    before = Agreement.objects.get()
    log = _log(imported([agreement_row(notes="Ghi chú mới", title="Tên mới")]))
    assert Agreement.objects.get().title == "Tên mới"

    done = revert_import(log, administrator())

    after = Agreement.objects.get()
    assert done.restored == 1
    assert (after.title, after.notes, after.signed_on) == ("Tên cũ", "Ghi chú cũ", before.signed_on)
    assert after.version == before.version + 2  # restored is a new version, not the old one
    assert after.history.first().history_change_reason == f"Import #{log.pk} reverted"


def test_a_record_referring_to_an_imported_one_blocks_and_nothing_changes(
    places: dict[str, City],
) -> None:
    log = _log(imported([NEW_ROW]))
    agreement = Agreement.objects.get()
    AgreementFactory(reference="HN-MSK-LATER", partnership=agreement.partnership)

    with pytest.raises(RevertRefusedError) as refusal:
        revert_import(log, administrator())

    assert any("HN-MSK-LATER" in r or "refers to" in r for r in refusal.value.reasons)
    assert Agreement.objects.filter(reference="HN-MSK-2030").exists()
    assert Person.objects.exists()
    log.refresh_from_db()
    assert log.reverted_at is None


def test_a_document_attached_since_blocks_the_revert(places: dict[str, City]) -> None:
    log = _log(imported([agreement_row()]))
    document = AgreementDocumentFactory(agreement=Agreement.objects.get())

    with pytest.raises(RevertRefusedError) as refusal:
        revert_import(log, administrator())

    assert str(document) in "\n".join(refusal.value.reasons)
    assert Agreement.objects.exists()


def test_a_record_changed_since_the_import_blocks_the_revert(places: dict[str, City]) -> None:
    imported([agreement_row(notes="cũ")])
    log = _log(imported([agreement_row(notes="mới")]))
    agreement = Agreement.objects.get()
    agreement.notes = "sửa tay"
    agreement.save()

    with pytest.raises(RevertRefusedError) as refusal:
        revert_import(log, administrator())

    assert "changed after the import" in refusal.value.reasons[0]
    assert Agreement.objects.get().notes == "sửa tay"


def test_a_refused_or_reverted_import_cannot_be_reverted(places: dict[str, City]) -> None:
    log = _log(imported([agreement_row()]))
    revert_import(log, administrator())

    with pytest.raises(RevertRefusedError, match="already been reverted"):
        revert_import(log, administrator())
    refused = run_import(
        sheet="agreements",
        file_name="b.csv",
        data=csv_bytes([agreement_row(kind="nonsense")]),
        dry_run=False,
    )
    assert refused.log is not None
    with pytest.raises(RevertRefusedError, match="saved nothing"):
        revert_import(refused.log, administrator())


# -- the command line ---------------------------------------------------------------------


def test_the_command_reverts_an_import(
    places: dict[str, City], capsys: pytest.CaptureFixture[str]
) -> None:
    admin = administrator(username="quantri")
    log = _log(imported([NEW_ROW]))

    call_command("revert_import", str(log.pk), "--user", "quantri")

    assert "reverted" in capsys.readouterr().out
    assert not Agreement.objects.exists()
    log.refresh_from_db()
    assert log.reverted_by == admin


def test_the_command_names_the_blockers_and_changes_nothing(places: dict[str, City]) -> None:
    log = _log(imported([NEW_ROW]))
    AgreementDocumentFactory(agreement=Agreement.objects.get())

    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("revert_import", str(log.pk))

    assert Agreement.objects.exists()


def test_the_command_is_for_administrators(places: dict[str, City]) -> None:
    editor(username="bientap")
    log = _log(imported([NEW_ROW]))

    with pytest.raises(CommandError, match="Only an administrator"):
        call_command("revert_import", str(log.pk), "--user", "bientap")

    assert Agreement.objects.exists()


# -- the pages ----------------------------------------------------------------------------


def test_the_log_page_offers_the_revert_to_administrators_only(
    client: Client, places: dict[str, City], django_assert_max_num_queries: Any
) -> None:
    log = _log(imported([NEW_ROW]))
    url = reverse("sheets:import_log", args=[log.pk])
    revert_url = reverse("sheets:import_revert", args=[log.pk])
    client.force_login(viewer())
    assert revert_url not in client.get(url).content.decode()
    assert client.get(revert_url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(revert_url).status_code == HTTPStatus.FORBIDDEN
    client.force_login(editor())
    assert client.post(revert_url).status_code == HTTPStatus.FORBIDDEN
    client.force_login(administrator())

    with django_assert_max_num_queries(8):
        page = client.get(url)

    assert revert_url in page.content.decode()
    assert Agreement.objects.exists()


def test_the_confirmation_page_says_what_happens_and_changes_nothing(
    client: Client, places: dict[str, City]
) -> None:
    log = _log(imported([NEW_ROW]))
    client.force_login(administrator())

    page = client.get(reverse("sheets:import_revert", args=[log.pk]))

    assert page.status_code == HTTPStatus.OK
    assert page.context["plan"].deleted >= 4
    assert f'action="{reverse("sheets:import_revert", args=[log.pk])}"' in page.content.decode()
    assert Agreement.objects.exists()
    assert Agreement.history.count() == 1


def test_posting_the_confirmation_reverts_and_shows_it_on_the_log(
    client: Client, places: dict[str, City]
) -> None:
    admin = administrator()
    log = _log(imported([NEW_ROW]))
    client.force_login(admin)

    response = client.post(reverse("sheets:import_revert", args=[log.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert not Agreement.objects.exists()
    page = client.get(response["Location"])
    assert "import-reverted" in page.content.decode()
    assert reverse("sheets:import_revert", args=[log.pk]) not in page.content.decode()


def test_a_blocked_revert_lists_why_on_the_page(client: Client, places: dict[str, City]) -> None:
    log = _log(imported([NEW_ROW]))
    document = AgreementDocumentFactory(agreement=Agreement.objects.get())
    client.force_login(administrator())

    shown = client.get(reverse("sheets:import_revert", args=[log.pk]))
    refused = client.post(reverse("sheets:import_revert", args=[log.pk]))

    assert str(document) in shown.content.decode()
    assert (
        f'action="{reverse("sheets:import_revert", args=[log.pk])}"' not in shown.content.decode()
    )
    assert refused.status_code == HTTPStatus.CONFLICT
    assert Agreement.objects.exists()
