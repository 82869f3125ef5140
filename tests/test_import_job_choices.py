"""A big sheet's preview (a background job) offers the choices of the import page's preview.

Map an unknown column to a field, an unknown value to a code, save the mapping, choose how
to read the date cells, tick the new cities to create: the job page posts them to the
import page, which previews the stashed file again in a new job (issue 12, points 3, 6,
7 and 8 for big files).
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from jobs.models import Job
from partnerships.models import City
from sheets.models import SavedMapping
from tests.factories import CityFactory, administrator, editor
from tests.workers import run_queued_jobs

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "sheets"
MONTH_FIRST = "office_title_row_monthfirst.xlsx"


@pytest.fixture(autouse=True)
def _english_and_a_low_threshold(settings, client):
    """Any sheet of more than 5 rows (any .xlsx) is "big" here; messages in English."""
    settings.IMPORT_BACKGROUND_ROWS = 5
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def places(db):
    return {
        "hanoi": CityFactory(name="Hà Nội", name_en="Hanoi", country="VN", is_home=True),
        "minsk": CityFactory(name="Minsk", name_en="Minsk", country="BY"),
        "vientiane": CityFactory(name="Viêng Chăn", name_en="Vientiane", country="LA"),
    }


def office_sheet(rows: int = 12) -> bytes:
    """The office's columns, the reference under a header the import does not know, the
    kind written as no label says, and one partner city found nowhere."""
    lines = ["Ký hiệu lưu,Thành phố đối tác,Quốc gia đối tác,Loại văn bản,Tên văn bản,Ngày ký"]
    lines += [
        f"HN-J-{n:02d},{'Minskk' if n == 0 else 'Minsk'},BY,Công hàm,Văn bản {n},07/12/2023"
        for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def latest_job() -> Job:
    job = Job.objects.order_by("-created_at").first()
    assert job is not None
    job.refresh_from_db()
    return job


def previewed(client, name: str, data: bytes) -> Job:
    response = client.post(
        reverse("agreements:import"),
        {"file": SimpleUploadedFile(name, data), "action": "preview"},
    )
    assert response.status_code == HTTPStatus.FOUND
    run_queued_jobs()
    return latest_job()


def test_the_preview_job_offers_its_owner_the_mapping_form(client, places):
    client.force_login(editor())

    job = previewed(client, "lon.csv", office_sheet())
    page = client.get(job.get_absolute_url())

    reading = page.context["reading"]
    assert reading.unknown == ["Ký hiệu lưu"]
    assert reading.unknown_values == [("kind", "Công hàm")]
    assert reading.unknown_cities == ["Minskk"]
    html = page.content.decode()
    assert 'class="import-reread"' in html
    assert 'name="save_mapping_as"' in html
    assert 'name="date_cells"' in html
    assert 'name="newcity_0"' in html
    assert f'action="{reverse("agreements:import")}"' in html


def test_an_administrator_reads_the_preview_job_without_the_mapping_form(client, places):
    client.force_login(editor(username="owner"))
    job = previewed(client, "lon.csv", office_sheet())
    client.force_login(administrator())

    page = client.get(job.get_absolute_url())

    assert page.status_code == HTTPStatus.OK
    assert 'class="import-reread"' not in page.content.decode()


def test_the_choices_made_on_the_job_page_preview_again_in_a_job_then_import(client, places):
    client.force_login(editor())
    first = previewed(client, "lon.csv", office_sheet())
    assert not client.get(first.get_absolute_url()).context["outcome"].ok

    again = client.post(
        reverse("agreements:import"),
        {
            "token": first.params["token"],
            "action": "reread",
            "header_0": "Ký hiệu lưu",
            "map_0": "reference",
            "valuekey_0": "kind:Công hàm",
            "value_0": "letter_of_intent",
            "citykey_0": "Minskk",
            "newcity_0": "on",
            "save_mapping_as": "Sổ lưu",
        },
    )
    run_queued_jobs()
    second = latest_job()

    assert again.status_code == HTTPStatus.FOUND
    assert again["Location"] == second.get_absolute_url()
    assert second.pk != first.pk
    assert second.params["options"]["mapping"] == {"reference": "Ký hiệu lưu"}
    outcome = client.get(second.get_absolute_url()).context["outcome"]
    assert outcome.ok, (outcome.errors, outcome.error_rows)
    assert outcome.new == 12
    saved = SavedMapping.objects.get(sheet="agreements", name="Sổ lưu")
    assert saved.columns == {"reference": "Ký hiệu lưu"}
    assert saved.values == {"kind": {"Công hàm": "letter_of_intent"}}

    client.post(
        reverse("agreements:import"), {"token": second.params["token"], "action": "confirm"}
    )
    run_queued_jobs()

    assert latest_job().status == Job.Status.DONE
    assert Agreement.objects.count() == 12
    assert set(Agreement.objects.values_list("kind", flat=True)) == {"letter_of_intent"}
    created = Agreement.objects.get(reference="HN-J-00").partnership.partner_city
    assert (created.name, created.country) == ("Minskk", "BY")
    assert City.objects.filter(name="Minskk").count() == 1


def test_the_job_page_asks_how_to_read_month_first_date_cells(client, places):
    client.force_login(editor())
    first = previewed(client, MONTH_FIRST, (FIXTURES / MONTH_FIRST).read_bytes())
    page = client.get(first.get_absolute_url())
    assert page.context["outcome"].ambiguous_dates
    assert "06/12/2004" in page.content.decode()

    client.post(
        reverse("agreements:import"),
        {
            "token": first.params["token"],
            "action": "reread",
            "date_cells": "day-month-swapped",
            "header_0": "STT",
            "map_0": "",
        },
    )
    run_queued_jobs()
    second = latest_job()
    client.post(
        reverse("agreements:import"), {"token": second.params["token"], "action": "confirm"}
    )
    run_queued_jobs()

    signed = dict(Agreement.objects.values_list("reference", "signed_on"))
    assert str(signed["HN-MSK-2004"]) == "2004-06-12"
    assert str(signed["HN-MSK-CT-2024"]) == "2023-12-07"
