"""A revert restores the lists an update replaced (issue 12, point 10).

An import over stored records replaces their fields of cooperation, signatories and a
visit's agreements signed; the import keeps a snapshot of those lists on its log, and the
revert puts every field and every list back as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agreements.models import Agreement, Signatory
from delegations.models import Visit
from delegations.resources import VisitResource
from partnerships.models import FieldOfCooperation, Person
from sheets.importing import ImportOutcome, run_import
from sheets.models import ImportLog
from sheets.reverting import revert_import
from tests.factories import (
    AgreementFactory,
    CityFactory,
    FieldOfCooperationFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonFactory,
    SignatoryFactory,
    VisitFactory,
    administrator,
)
from tests.sheets import agreement_row, csv_bytes
from tests.test_import_visits_actions import visit_row

if TYPE_CHECKING:
    from collections.abc import Iterator


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def stored() -> dict[str, Any]:
    """Two agreements with fields and signatories (one with an organisation), a visit."""
    hanoi = CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    minsk = PartnershipFactory(
        home_city=hanoi, partner_city=CityFactory(name="Minsk", name_en="Minsk", country="BY")
    )
    culture = FieldOfCooperationFactory(code="culture", name="Văn hóa", name_en="Culture")
    education = FieldOfCooperationFactory(code="education", name="Giáo dục", name_en="Education")
    FieldOfCooperationFactory(code="tourism", name="Du lịch", name_en="Tourism")
    agreements = []
    for n, reference in enumerate(("HN-MSK-2030", "HN-MSK-2031")):
        agreement = AgreementFactory(
            reference=reference,
            partnership=minsk,
            kind="mou",
            title=f"Biên bản cũ {n}",
            signed_on=dt.date(2023, 12, 7),
            notes="Ghi chú cũ",
        )
        agreement.fields.set([culture, education])
        SignatoryFactory(
            agreement=agreement,
            person=PersonFactory(full_name=f"Trần Văn Cũ {n}"),
            position_title="Chủ tịch",
            organisation=OrganisationFactory(name=f"UBND {n}"),
        )
        SignatoryFactory(
            agreement=agreement,
            person=PersonFactory(full_name=f"Lê Thị Chứng {n}"),
            position_title="Phó Chủ tịch",
            role="witness",
        )
        agreements.append(agreement)
    visit = VisitFactory(
        partnership=minsk, title="Đoàn Hà Nội thăm Minsk", start_date=dt.date(2025, 5, 11)
    )
    visit.agreements_signed.set([agreements[0]])
    return {"agreements": agreements, "visit": visit}


def _state() -> dict[str, Any]:
    """Every field and every list of the agreements, their signatories and the visits."""
    return {
        "agreements": [
            {
                **model_to_dict(a, exclude=["version"]),
                "fields": sorted(f.pk for f in a.fields.all()),
            }
            for a in Agreement.objects.order_by("pk")
        ],
        "signatories": sorted(
            (s.agreement_id, s.person_id, s.role, s.position_title, s.organisation_id)
            for s in Signatory.objects.all()
        ),
        "visits": [
            {
                **model_to_dict(v, exclude=["version"]),
                "agreements_signed": sorted(a.pk for a in v.agreements_signed.all()),
            }
            for v in Visit.objects.order_by("pk")
        ],
        "people": sorted(Person.objects.values_list("pk", flat=True)),
        "fields": sorted(FieldOfCooperation.objects.values_list("pk", flat=True)),
    }


def _imported(sheet: str, data: bytes) -> ImportLog:
    outcome: ImportOutcome = run_import(sheet=sheet, file_name="a.csv", data=data, dry_run=False)
    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.log is not None
    return ImportLog.objects.get(pk=outcome.log.pk)


REPLACING = [
    agreement_row(
        reference=reference,
        title="Biên bản mới",
        notes="Ghi chú mới",
        fields="Du lịch; Y tế",  # one stored, one new
        signatories=f"Trần Văn Cũ {n} (Bí thư); Người Ký Mới (Giám đốc Sở) [witness]",
    )
    for n, reference in enumerate(("HN-MSK-2030", "HN-MSK-2031"))
]


def test_the_log_keeps_the_lists_before_the_update(stored: dict[str, Any]) -> None:
    first = stored["agreements"][0]

    log = _imported("agreements", csv_bytes(REPLACING))

    [[label, snapshot]] = log.changes["lists"]
    assert label == "agreements.agreement"
    assert sorted(snapshot["m2m"]["fields"][str(first.pk)]) == sorted(
        f.pk for f in FieldOfCooperation.objects.filter(code__in=["culture", "education"])
    )
    assert len(snapshot["children"]["signatories"]["rows"][str(first.pk)]) == 2


def test_reverting_an_update_restores_every_field_and_list(stored: dict[str, Any]) -> None:
    before = _state()
    log = _imported("agreements", csv_bytes(REPLACING))
    replaced = _state()
    assert replaced["agreements"] != before["agreements"]
    assert replaced["signatories"] != before["signatories"]

    done = revert_import(log, administrator())

    assert done.restored == 2
    assert _state() == before


def test_reverting_a_visit_update_restores_its_agreements_signed(
    stored: dict[str, Any],
) -> None:
    before = _state()
    data = csv_bytes(
        [visit_row(agreements_signed="HN-MSK-2031", notes="Ghi chú mới")], VisitResource.COLUMNS
    )
    log = _imported("visits", data)
    assert list(Visit.objects.get().agreements_signed.values_list("reference", flat=True)) == [
        "HN-MSK-2031"
    ]

    revert_import(log, administrator())

    assert _state() == before


def test_a_restored_signatory_is_in_history_with_the_reason(stored: dict[str, Any]) -> None:
    admin = administrator()
    log = _imported("agreements", csv_bytes(REPLACING))

    revert_import(log, admin)

    kept = Signatory.objects.get(person__full_name="Trần Văn Cũ 0")  # its position changed
    removed = Signatory.objects.get(person__full_name="Lê Thị Chứng 0")  # it was replaced
    for signatory, change in ((kept, "~"), (removed, "+")):
        latest = signatory.history.latest("history_date")
        assert (latest.history_type, latest.history_user) == (change, admin)
        assert latest.history_change_reason == f"Import #{log.pk} reverted"


def test_a_revert_of_many_updates_takes_as_many_queries_as_a_few(stored: dict[str, Any]) -> None:
    def reverted_queries(count: int) -> int:
        rows = [
            agreement_row(reference=f"HN-Q-{count}-{n}", fields="Văn hóa", signatories="")
            for n in range(count)
        ]
        _imported("agreements", csv_bytes(rows))
        changed = [{**row, "fields": "Du lịch", "title": "Tên khác"} for row in rows]
        log = _imported("agreements", csv_bytes(changed))
        admin = administrator(username=f"admin{count}")
        with CaptureQueriesContext(connection) as queries:
            revert_import(log, admin)
        return len(queries)

    assert reverted_queries(12) == reverted_queries(3)
