"""Fuzzing the main forms and the
import of one row (hypothesis).

Whatever arrives — any Unicode, control characters, absurd dates, ids that do
not exist, wrong types — the answer is never a server error, and nothing is
half-saved: either the whole record (with its history) or nothing at all.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.models import Agreement
from agreements.resources import AgreementResource
from delegations.models import ActionItem, Visit
from sheets.importing import run_import
from sheets.models import ImportLog
from tests import factories as f
from tests.sheets import agreement_row, csv_bytes
from tests.test_hostile_input import FormFields

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DOMAIN_APPS = ("partnerships", "agreements", "delegations", "sheets")

# Any text a browser could send (surrogates cannot be encoded as UTF-8).
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
awkward_text = st.sampled_from(
    ["", " ", "<script>alert(1)</script>", "=1+1", "\x00", "NaN", "-1", "9" * 30, "null", "đ" * 600]
)
texts = st.one_of(any_text, awkward_text)
dates = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2025", "05/2025", "00/00/0000", "31/02/2025", "31/12/99999", "0", ""]),
    texts,
)


def counts() -> dict[str, int]:
    """Rows of every model of the record, history models included."""
    return {
        model._meta.label: model._default_manager.count()
        for app in DOMAIN_APPS
        for model in apps.get_app_config(app).get_models()
    }


def form_of(client, url: str) -> tuple[dict[str, str], dict[str, list[str]], dict[str, str]]:
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    return max(parser.forms, key=len), parser.options, parser.selected


def looks_like_date(name: str) -> bool:
    return any(part in name for part in ("date", "_on", "valid_", "due", "start", "end"))


def value_for(draw, name: str, spec: str, options: dict[str, list[str]]):
    kind, _, default = spec.partition(":")
    if name == "csrfmiddlewaretoken" or kind == "hidden":
        return default
    if kind in ("select", "multiselect"):
        choices = [o for o in options.get(name, []) if o]
        return draw(st.one_of(st.sampled_from(choices or [""]), texts))
    if kind in ("checkbox", "radio"):
        return draw(st.sampled_from(["on", default or "on", ""]))
    if looks_like_date(name) or kind == "date":
        return draw(dates)
    if kind == "number":
        return draw(st.one_of(st.integers(-(2**40), 2**40).map(str), texts))
    return draw(texts)


@pytest.fixture
def world():
    """A partnership with a visit and an agreement to pick from."""
    partnership = f.PartnershipFactory()
    f.VisitFactory(partnership=partnership)
    f.AgreementFactory(partnership=partnership)
    f.FieldOfCooperationFactory()
    f.OrganisationFactory()
    f.PersonFactory()
    return partnership


@pytest.fixture
def editor_client(client):
    client.force_login(f.editor())
    return client


# A valid record to start from; each example replaces some of its fields.
VALID = {
    "agreements:agreement_create": {"title": "Biên bản ghi nhớ", "signed_on": "07/12/2023"},
    "delegations:visit_create": {"title": "Đoàn công tác", "start_date": "11/05/2025"},
    "delegations:actionitem_create": {"description": "Trao đổi đoàn nghệ thuật"},
}
FIRST_OPTION = ("partnership", "kind", "status", "direction", "priority", "visit")


def valid_payload(name, fields, options, selected, serial: int) -> dict[str, str]:
    payload = {}
    for field, spec in fields.items():
        kind, _, default = spec.partition(":")
        if kind == "hidden" or field == "csrfmiddlewaretoken":
            payload[field] = default
        elif field == "visit":  # offered once a partnership is chosen
            payload[field] = str(Visit.objects.order_by("pk").values_list("pk", flat=True)[0])
        elif field in FIRST_OPTION:
            payload[field] = next(o for o in options[field] if o)
        elif kind == "select":  # what a browser sends: the selected or else the first option
            payload[field] = selected.get(field, (options.get(field) or [""])[0])
        elif kind not in ("checkbox", "radio", "file", "multiselect"):
            payload[field] = default
    payload.update(VALID[name])
    if "reference" in fields:
        payload["reference"] = f"FZ-{serial}"
    return payload


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("agreements:agreement_create", Agreement),
        ("delegations:visit_create", Visit),
        ("delegations:actionitem_create", ActionItem),
    ],
)
def test_a_fuzzed_form_saves_a_whole_record_or_nothing(editor_client, world, name, model):
    url = reverse(name)
    fields, options, selected = form_of(editor_client, url)
    history = model.history.model
    serial = iter(range(10**6))
    start = editor_client.post(url, valid_payload(name, fields, options, selected, next(serial)))
    assert start.status_code == 302, "the fuzzing starts from a record that saves"
    fuzzable = sorted(f for f, spec in fields.items() if not spec.startswith("hidden:"))

    @FUZZ
    @given(data=st.data())
    def submit(data):
        payload = valid_payload(name, fields, options, selected, next(serial))
        for field in data.draw(st.sets(st.sampled_from(fuzzable), max_size=5)):
            payload[field] = value_for(data.draw, field, fields[field], options)
        before = counts()
        response = editor_client.post(url, payload)
        after = counts()
        assert response.status_code in (200, 302, 409, 422), response.status_code
        if response.status_code == 302:
            assert after[model._meta.label] == before[model._meta.label] + 1
            # one history row for the record (and one more per many-to-many change)
            assert after[history._meta.label] > before[history._meta.label]
            assert all(after[k] >= before[k] for k in before), "a save removed something"
        else:
            assert after == before, "a refused form left rows behind"

    submit()


IMPORT_COLUMNS = AgreementResource.COLUMNS


@pytest.fixture
def places(world):
    f.CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True)
    f.CityFactory(name="Minsk", name_en="Minsk", country="BY")
    f.FieldOfCooperationFactory(code="culture", name="Văn hóa", name_en="Culture")
    f.PersonFactory(full_name="Trần Sỹ Thanh")


def test_a_fuzzed_import_row_is_imported_whole_or_not_at_all(places):
    user = f.editor()
    fresh_references = itertools.count(1)

    @FUZZ
    @given(data=st.data())
    def import_row(data):
        # A reference of its own per example: re-importing one reference with fewer
        # signatories rightly removes the others, which is not what this test is about.
        row = agreement_row(reference=f"FUZZ-{next(fresh_references)}")
        for column in data.draw(st.sets(st.sampled_from(IMPORT_COLUMNS), max_size=6)):
            draw = dates if looks_like_date(column) else texts
            row[column] = data.draw(draw)
        before = counts()
        outcome = run_import(
            sheet="agreements",
            file_name="fuzz.csv",
            data=csv_bytes([row]),
            user=user,
            dry_run=False,
        )
        after = counts()
        log_label = ImportLog._meta.label
        assert after[log_label] == before[log_label] + 1, "every real import is logged"
        after.pop(log_label), before.pop(log_label)
        if outcome.ok:
            assert len(outcome.rows) == 1
            if outcome.new:
                assert after["agreements.Agreement"] == before["agreements.Agreement"] + 1
            assert all(after[k] >= before[k] for k in before), "an import removed something"
        else:
            assert after == before, f"a refused import left rows behind: {outcome.errors}"

    import_row()


@pytest.mark.parametrize("column", ["title", "home_city", "notes"])
def test_a_nul_byte_in_an_import_cell_never_reaches_the_database(places, column):
    row = agreement_row(reference="NUL-1", **{column: "Hà\x00Nội"})
    outcome = run_import(
        sheet="agreements",
        file_name="nul.csv",
        data=csv_bytes([row]),
        user=f.editor(),
        dry_run=False,
    )
    saved = Agreement.objects.filter(reference="NUL-1").first()
    if outcome.ok:
        assert saved is not None
        assert not any("\x00" in str(getattr(saved, c, "")) for c in ("title", "notes"))
    else:
        assert saved is None
        assert outcome.errors or outcome.error_rows
