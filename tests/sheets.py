"""Building real spreadsheet files (.csv, .xlsx, .ods, .xls) for the import tests."""

from __future__ import annotations

import csv
import io

import openpyxl
import tablib

from agreements.resources import AgreementResource

AGREEMENT_COLUMNS = AgreementResource.COLUMNS


def agreement_row(**values) -> dict:
    row = {
        "reference": "HN-MSK-2030",
        "home_city": "Hà Nội",
        "home_country": "VN",
        "partner_city": "Minsk",
        "partner_country": "BY",
        "kind": "mou",
        "title": "Biên bản ghi nhớ về hợp tác văn hóa",
        "signed_on": "07/12/2023",
        "signed_at": "Hà Nội",
        "valid_from": "01/01/2024",
        "valid_until": "31/12/2026",
        "status": "in_force",
        "parent_reference": "",
        "fields": "Văn hóa",
        "signatories": "",
        "notes": "",
    }
    row.update(values)
    return row


def _matrix(rows, columns, header):
    header = list(header or columns)
    return header, [[r.get(c, "") for c in columns] for r in rows]


def csv_bytes(
    rows, columns=AGREEMENT_COLUMNS, *, header=None, bom=False, encoding="utf-8", errors="strict"
):
    head, body = _matrix(rows, columns, header)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows(body)
    data = out.getvalue().encode(encoding, errors)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, columns=AGREEMENT_COLUMNS, *, header=None):
    head, body = _matrix(rows, columns, header)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(head)
    for values in body:
        sheet.append([v if v != "" else None for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_bytes(rows, columns=AGREEMENT_COLUMNS, *, header=None):
    head, body = _matrix(rows, columns, header)
    dataset = tablib.Dataset(headers=head)
    for values in body:
        dataset.append(values)
    return dataset.export("ods")


def xls_bytes(rows, columns=AGREEMENT_COLUMNS, *, header=None):
    head, body = _matrix(rows, columns, header)
    dataset = tablib.Dataset(headers=head)
    for values in body:
        dataset.append(values)
    return dataset.export("xls")


BUILDERS = {".csv": csv_bytes, ".xlsx": xlsx_bytes, ".ods": ods_bytes, ".xls": xls_bytes}


def imported(rows, *, dry_run=False, user=None):
    """The agreements sheet ``rows`` imported as a csv file (or previewed, ``dry_run``)."""
    from sheets.importing import run_import

    return run_import(
        sheet="agreements",
        file_name="sheet.csv",
        data=csv_bytes(rows),
        user=user,
        dry_run=dry_run,
    )
