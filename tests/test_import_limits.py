"""Files built to hurt: too big, too long, zip bombs, XML bombs, endless empty rows, bad encodings."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl.styles import Font

from agreements.models import Agreement
from agreements.resources import AgreementResource
from sheets import importing
from sheets.importing import SheetError, read_sheet, run_import
from sheets.reading import ReadLimits, archive
from tests import hostile_sheets
from tests.factories import CityFactory, editor
from tests.sheets import AGREEMENT_COLUMNS, agreement_row, csv_bytes, ods_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; one test switches to Vietnamese on purpose."""
    with translation.override("en"):
        yield


@pytest.fixture
def places(db):
    CityFactory(name="Hà Nội", country="VN", is_home=True)
    CityFactory(name="Minsk", country="BY")


def read(name, data):
    return read_sheet(
        name, data, columns=AgreementResource.COLUMNS, aliases=AgreementResource.HEADER_ALIASES
    )


def refusal(name, data) -> str:
    outcome = run_import(sheet="agreements", file_name=name, data=data, dry_run=True)
    assert not outcome.ok
    return outcome.errors[0]


# -- size and rows ----------------------------------------------------------------------


def test_the_upload_form_refuses_a_file_over_the_size_limit(client, monkeypatch):
    # The limit is 10 MB; the test lowers it so as not to push 10 MB through the client.
    monkeypatch.setattr(importing, "MAX_FILE_SIZE", 1024 * 1024)
    client.force_login(editor())
    big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1))

    response = client.post(reverse("agreements:import"), {"file": big})

    assert response.status_code == 422
    assert "1 MB" in response.content.decode()


def test_the_size_limit_is_10_mb():
    assert importing.MAX_FILE_SIZE == 10 * 1024 * 1024


def test_the_service_refuses_a_file_over_10_mb_too():
    assert "10 MB" in refusal("big.csv", b"x" * (10 * 1024 * 1024 + 1))


def test_the_upload_form_refuses_other_file_types(client):
    client.force_login(editor())

    response = client.post(
        reverse("agreements:import"), {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")}
    )

    assert response.status_code == 422
    assert ".xlsx" in response.content.decode()


def test_a_sheet_of_more_than_50000_rows_is_refused():
    line = ",".join(["R"] + ["x"] * (len(AGREEMENT_COLUMNS) - 1)) + "\n"
    data = (",".join(AGREEMENT_COLUMNS) + "\n" + line * 50_001).encode()

    assert "50,000" in refusal("long.csv", data)


def test_50000_rows_are_not_refused_for_their_number():
    line = ",".join(["R"] + ["x"] * (len(AGREEMENT_COLUMNS) - 1)) + "\n"
    data = (",".join(AGREEMENT_COLUMNS) + "\n" + line * 50_000).encode()

    assert len(read("long.csv", data).dataset) == 50_000


def test_a_header_without_rows_is_refused():
    assert "no data" in refusal("empty.csv", csv_bytes([]))


# -- zip and XML bombs ------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated():
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/worksheets/sheet1.xml": b"<row>" + b" " * (60 * 1024 * 1024) + b"</row>",
        }
    )
    assert len(bomb) < 1024 * 1024

    started = time.monotonic()
    message = refusal("bomb.xlsx", bomb)

    assert "zip bomb" in message
    assert time.monotonic() - started < 2


def test_an_ods_zip_bomb_is_refused():
    bomb = _zip({"content.xml": b"<a>" + b"0" * (30 * 1024 * 1024) + b"</a>"})

    assert "zip bomb" in refusal("bomb.ods", bomb)


def test_an_archive_declaring_more_than_100_mb_is_refused(monkeypatch):
    monkeypatch.setattr(archive, "MAX_UNCOMPRESSED", 1024 * 1024)
    data = _zip({"content.xml": bytes(range(256)) * 8192})  # 2 MB that barely compresses

    assert "MB once unpacked" in refusal("big.ods", data)


def test_an_ods_with_an_xml_entity_bomb_is_refused(places):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<office:document-content>&lol2;</office:document-content>"
    )
    data = _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": laughs}
    )

    assert "damaged" in refusal("lol.ods", data)


def test_a_file_that_is_not_a_zip_is_refused_as_damaged():
    assert "damaged" in refusal("fake.xlsx", b"this is not a workbook")


# -- empty rows -------------------------------------------------------------------------


def _ods_with_a_million_empty_rows() -> bytes:
    data = ods_bytes([agreement_row()])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    empty = (
        b'<table:table-row table:number-rows-repeated="1048570">'
        b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    members["content.xml"] = members["content.xml"].replace(
        b"</table:table>", empty + b"</table:table>"
    )
    return _zip(members)


def test_an_ods_with_a_million_empty_rows_is_read_in_a_moment(places):
    data = _ods_with_a_million_empty_rows()

    started = time.monotonic()
    outcome = run_import(sheet="agreements", file_name="lo.ods", data=data, dry_run=True)

    assert outcome.ok, (outcome.errors, outcome.rows)
    assert len(outcome.rows) == 1
    assert time.monotonic() - started < 5


def test_an_xlsx_with_formatted_empty_rows_stops_after_the_data(places):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(AGREEMENT_COLUMNS))
    sheet.append([agreement_row()[c] for c in AGREEMENT_COLUMNS])
    for r in range(3, 20_000):
        sheet.cell(row=r, column=1).font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)

    outcome = run_import(sheet="agreements", file_name="f.xlsx", data=out.getvalue(), dry_run=True)

    assert outcome.ok, outcome.errors
    assert len(outcome.rows) == 1


def test_blank_rows_inside_the_sheet_are_skipped_but_keep_the_numbering(places):
    data = csv_bytes([agreement_row(reference="A"), {}, agreement_row(reference="B", kind="??")])

    outcome = run_import(sheet="agreements", file_name="a.csv", data=data, dry_run=True)

    assert [r.number for r in outcome.rows] == [2, 4]


# -- encodings --------------------------------------------------------------------------


def test_utf8_csv_with_a_byte_order_mark_is_read(places):
    outcome = run_import(
        sheet="agreements",
        file_name="bom.csv",
        data=csv_bytes([agreement_row()], bom=True),
        dry_run=False,
    )

    assert outcome.ok, outcome.errors
    assert Agreement.objects.get().signed_at == "Hà Nội"


@pytest.mark.parametrize("encoding", ["cp1258", "utf-16", "latin-1"])
def test_a_csv_in_another_encoding_gets_a_clear_error(encoding):
    rows = [agreement_row(title="Biên bản ghi nhớ Café")]
    data = csv_bytes(rows, encoding=encoding, errors="replace")

    message = refusal("win.csv", data)

    assert "UTF-8" in message
    assert not Agreement.objects.exists()


def test_a_semicolon_separated_csv_is_read(places):
    text = (
        ";".join(AGREEMENT_COLUMNS)
        + "\n"
        + ";".join(str(v) for v in agreement_row(fields="Văn hóa").values())
        + "\n"
    )

    outcome = run_import(sheet="agreements", file_name="s.csv", data=text.encode(), dry_run=True)

    assert outcome.ok, (outcome.errors, outcome.rows)


def test_an_unsupported_extension_is_refused():
    with pytest.raises(SheetError):
        read("a.json", b"{}")


def test_rows_after_more_than_1000_blank_rows_are_imported_not_dropped(places):
    data = csv_bytes([agreement_row(reference="A"), *[{}] * 1500, agreement_row(reference="B")])

    outcome = run_import(sheet="agreements", file_name="gap.csv", data=data, dry_run=True)

    assert outcome.ok, outcome.errors
    assert [r.number for r in outcome.rows] == [2, 1503]


def test_an_ods_value_repeated_over_a_billion_columns_is_refused_naming_the_row():
    data = hostile_sheets.ods(
        hostile_sheets.ods_text_row(*AGREEMENT_COLUMNS)
        + b'<table:table-row><table:table-cell table:number-columns-repeated="1000000000" '
        b'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )

    assert "Row 2 has a value in column" in refusal("wide.ods", data)


def test_a_file_describing_millions_of_empty_cells_gets_seconds_of_work_in_a_request():
    data = hostile_sheets.xlsx_many_empty_cells(2_500, 1_000)

    started = time.process_time()
    message = refusal_with(data, importing.REQUEST_LIMITS)

    assert "reading it took more than 3 seconds of work" in message
    assert time.process_time() - started < 6


def refusal_with(data: bytes, limits) -> str:
    outcome = run_import(
        sheet="agreements", file_name="cells.xlsx", data=data, dry_run=True, limits=limits
    )
    assert not outcome.ok
    return outcome.errors[0]


def test_the_upload_page_reads_with_the_request_limits(client, places, monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"  # the message is checked in English
    monkeypatch.setattr(importing, "REQUEST_LIMITS", ReadLimits(max_seconds=0))
    client.force_login(editor())
    data = csv_bytes([agreement_row(reference=f"R{n}") for n in range(400)])

    response = client.post(
        reverse("agreements:import"), {"file": SimpleUploadedFile("a.csv", data)}
    )

    assert "seconds of work" in response.content.decode()
