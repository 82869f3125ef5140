"""The briefing book as of a day, in Vietnamese and English, as PDF and Word (issue 13).

The May 2025 Minsk brief printed as of 01/05/2025 — ten days before the delegation
left — is rendered once per language and format for the module, and read back the way
a reader would: pdftotext for the PDF, python-docx for the Word document.
"""

import datetime as dt
import io
import subprocess

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from agreements.models import Agreement, EndKind
from delegations.brief import (
    STATIC_DIR,
    gather_brief,
    render_brief_html,
    render_visit_brief,
    render_visit_brief_docx,
)
from delegations.brief_word import brief_docx
from delegations.models import ActionItem, BriefPoint, Visit, default_as_of
from demo.loader import load_demo
from jobs.models import Job
from partnerships.models import Person
from tests.factories import (
    AccommodationFactory,
    BriefPointFactory,
    GiftFactory,
    LocalContactFactory,
    TravelSegmentFactory,
    VisitDocumentFactory,
    VisitSourceFactory,
    viewer,
)

MINSK_2025 = "Đoàn đại biểu TP Hà Nội thăm, làm việc tại TP Minsk (Belarus)"
MINSK_2023 = "Chủ tịch UBND TP Hà Nội tiếp Thủ tướng Belarus Roman Golovchenko"
BEFORE_THE_VISIT = dt.date(2025, 5, 1)
# Agreed at the May 2025 visit: not yet agreed on 01/05/2025.
AGREED_IN_MAY_2025 = (
    "Tổ chức luân phiên sự kiện",
    "Tham dự Diễn đàn kinh tế tại Minsk",
    "Hợp tác y tế và đào tạo chuyên gia y tế",
)
# Recorded on 13/05/2025 (a progress note) or after the visit (its outcomes).
RECORDED_AFTER = ("chưa tổ chức", "Lãnh đạo hai thành phố thống nhất phương hướng")


def pdf_text(pdf: bytes, tmp_path, name: str = "brief.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


@pytest.fixture(scope="module")
def books(django_db_setup, django_db_blocker, tmp_path_factory):
    """The Minsk brief as of 01/05/2025: {(lang, format): text}, and the raw files."""
    tmp_path = tmp_path_factory.mktemp("books")
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(password="demo-pass-2025")
        visit = Visit.objects.get(title=MINSK_2025)
        texts, files = {}, {}
        for lang in ("vi", "en"):
            pdf = render_visit_brief(visit.pk, lang=lang, on=BEFORE_THE_VISIT)
            word = render_visit_brief_docx(visit.pk, lang=lang, on=BEFORE_THE_VISIT)
            files[lang, "pdf"], files[lang, "docx"] = pdf, word
            texts[lang, "pdf"] = pdf_text(pdf, tmp_path, f"{lang}.pdf")
            texts[lang, "docx"] = docx_text(word)
        yield texts, files
        transaction.set_rollback(True)


@pytest.fixture
def minsk(books, db):
    return Visit.objects.get(title=MINSK_2025)


BOOKS = [("vi", "pdf"), ("en", "pdf"), ("vi", "docx"), ("en", "docx")]


@pytest.mark.parametrize("book", BOOKS)
def test_the_brief_as_of_a_day_has_no_item_agreed_after_it(books, book):
    text = books[0][book]
    assert [item for item in AGREED_IN_MAY_2025 if item in text] == []


@pytest.mark.parametrize("book", [("vi", "pdf"), ("vi", "docx")])
def test_the_brief_as_of_a_day_has_nothing_recorded_after_it(books, book):
    text = books[0][book]
    assert [words for words in RECORDED_AFTER if words in text] == []
    # What was agreed before that day is there, with where it was agreed.
    assert "Cử đoàn công tác sang Belarus nghiên cứu" in text
    assert MINSK_2023 in text


@pytest.mark.parametrize("book", BOOKS)
def test_the_brief_says_which_day_its_facts_are_as_of(books, book):
    assert "01/05/2025" in books[0][book]


@pytest.mark.parametrize("book", BOOKS)
def test_every_section_with_data_is_printed(books, book):
    lang, _format = book
    text = books[0][book].casefold()
    sections = {
        "en": [
            "At a glance",
            "Our delegation",
            "Counterparts to be met",
            "Programme",
            "Talking points",
            "Agreements and commitments",
            "Open action items from earlier meetings",
            "Earlier meetings",
            "The partner city",
            "Timeline of the partnership",
        ],
        "vi": ["Chương trình", "Nội dung trao đổi"],
    }[lang]
    assert [s for s in sections if s.casefold() not in text] == []


@pytest.mark.parametrize("book", [("en", "pdf"), ("en", "docx")])
def test_the_english_brief_prints_no_vietnamese_where_an_english_value_exists(books, book):
    text = books[0][book]
    vietnamese_with_english = [
        "Chương trình hợp tác thực hiện Thỏa thuận",  # the agreement's title
        "Thỏa thuận về quan hệ hữu nghị và hợp tác giữa thành phố Hà Nội",
        "Sở Ngoại vụ thành phố Hà Nội",  # the issuing office
        "Phó Chủ tịch",  # position titles
        "Lưu hành nội bộ",  # the classification
        "Giao thông công cộng",  # fields of cooperation
        "Thứ 2",  # the day's name
    ]
    assert [vi for vi in vietnamese_with_english if vi in text] == []
    for english in (
        "Cooperation programme 2024–2026",
        "Hanoi Department of Foreign Affairs",
        "Vice Chairman, Hanoi People's Committee",
        "Chairman, Minsk City Executive Committee",
        "For internal circulation",
        "Monday, 12/05/2025",
    ):
        assert english in text


@pytest.mark.parametrize("render", [render_visit_brief, render_visit_brief_docx])
def test_the_english_brief_marks_texts_that_have_no_english_version(minsk, render, tmp_path):
    # A text written here, without an English version (the demo's texts all have one).
    BriefPointFactory(
        visit=minsk,
        kind=BriefPoint.Kind.OBJECTIVE,
        text="Khảo sát mô hình xe buýt điện của Minsk",
        text_en="",
    )
    book = render(minsk.pk, lang="en", on=BEFORE_THE_VISIT)
    text = docx_text(book) if render is render_visit_brief_docx else pdf_text(book, tmp_path)
    assert "Khảo sát mô hình xe buýt điện của Minsk (in Vietnamese only)" in text


def test_the_word_brief_has_real_headings_tables_and_page_numbers(books):
    for lang in ("vi", "en"):
        document = docx.Document(io.BytesIO(books[1][lang, "docx"]))
        headings = [
            p.text for p in document.paragraphs if p.style and p.style.name.startswith("Heading")
        ]
        assert len(headings) >= 8
        assert len(document.tables) >= 5
        xml = "".join(section.header._element.xml for section in document.sections)
        xml += "".join(section.footer._element.xml for section in document.sections)
        assert "PAGE" in xml


def test_the_vietnamese_word_brief_is_in_times_new_roman_as_decree_30_asks(books):
    document = docx.Document(io.BytesIO(books[1]["vi", "docx"]))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    defaults = document.styles.element.find(f"{w}docDefaults").find(f"{w}rPrDefault")
    assert defaults.find(f"{w}rPr").find(f"{w}rFonts").get(f"{w}ascii") == "Times New Roman"
    assert document.styles["Normal"].font.size.pt == 14
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in books[0]["vi", "docx"]
    # The issuing office under the body it belongs to, in capitals (Decree 30, II.2).
    assert "SỞ NGOẠI VỤ THÀNH PHỐ HÀ NỘI" in books[0]["vi", "docx"]
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" in books[0]["vi", "docx"]


# --- as of a day: the rules ---------------------------------------------------------------
def test_items_agreed_at_this_visit_are_their_own_section_once_it_has_begun(minsk):
    brief = gather_brief(minsk.pk, on=dt.date(2025, 6, 1))
    here = {row.item.pk for row in brief.agreed_here}
    assert here == set(ActionItem.objects.filter(visit=minsk).values_list("pk", flat=True))
    earlier = {row.item.pk for group in brief.followup for row in group.items}
    assert earlier
    assert not here & earlier


def test_before_the_visit_nothing_agreed_there_is_listed(minsk):
    brief = gather_brief(minsk.pk, on=BEFORE_THE_VISIT)
    assert brief.agreed_here == []
    assert not brief.outcomes
    assert all(row.item.visit_id != minsk.pk for group in brief.followup for row in group.items)


def test_overdue_is_relative_to_the_day_of_the_brief(minsk):
    def forum(on: dt.date):
        brief = gather_brief(minsk.pk, on=on)
        return next(row for row in brief.agreed_here if "Diễn đàn kinh tế" in str(row.description))

    assert not forum(dt.date(2025, 6, 1)).overdue
    assert forum(dt.date(2025, 10, 1)).overdue


def test_an_item_shows_the_status_it_had_on_the_day(minsk):
    culture = ActionItem.objects.get(description__startswith="Tổ chức Ngày văn hóa Minsk")
    # In progress since its update of 13/05/2025: the article gives no day for the
    # "Hanoi culture day in Minsk", only that it was held during the 11-13/05 visit, so
    # the update is dated the visit's last day.
    assert culture.status == ActionItem.Status.IN_PROGRESS

    def status_on(on: dt.date) -> str:
        item = ActionItem.objects.with_status_on(on).get(pk=culture.pk)
        return vars(item)["status_on"]  # the annotation

    assert status_on(BEFORE_THE_VISIT) == ActionItem.Status.AGREED
    assert status_on(dt.date(2025, 5, 12)) == ActionItem.Status.AGREED
    assert status_on(dt.date(2025, 5, 13)) == ActionItem.Status.IN_PROGRESS


def test_an_agreement_signed_after_the_day_is_not_listed(books, db):
    visit = Visit.objects.get(title=MINSK_2023)
    before = gather_brief(visit.pk, on=dt.date(2023, 12, 1))
    references = [row.agreement.reference for row in before.agreement_tree]
    assert references == ["HN-MSK-2004"]
    assert before.agreements_signed == []
    on_the_day = gather_brief(visit.pk, on=dt.date(2023, 12, 7))
    assert [row.agreement.reference for row in on_the_day.agreements_signed] == [
        "HN-MSK-CT-2024-2026"
    ]


def test_the_default_day_is_today_for_a_visit_to_come_and_the_first_day_for_a_past_one():
    today = dt.date(2025, 5, 1)
    assert default_as_of(dt.date(2025, 5, 11), today) == today
    assert default_as_of(dt.date(2025, 4, 11), today) == dt.date(2025, 4, 11)
    assert default_as_of(None, today) == today


# --- people -----------------------------------------------------------------------------
def test_our_own_officials_are_never_listed_as_counterparts(books, db):
    visit = Visit.objects.get(title=MINSK_2023)  # incoming: our chairman receives them
    brief = gather_brief(visit.pk, lang="vi")
    assert "Trần Sỹ Thanh" in [p.name for p in brief.our_side]
    assert "Trần Sỹ Thanh" not in [p.name for p in brief.their_side]
    assert "Roman Golovchenko" in [p.name for p in brief.their_side]


def test_every_position_a_person_holds_is_printed(books, db):
    visit = Visit.objects.get(title=MINSK_2023)
    thanh = next(p for p in gather_brief(visit.pk).our_side if p.name == "Trần Sỹ Thanh")
    held = [str(position) for position in thanh.positions_now]
    assert len(held) >= 2
    assert any(label.startswith("Chủ tịch") for label in held)
    assert any(label.startswith("Phó Bí thư") for label in held)


# --- typography ---------------------------------------------------------------------------
def test_names_in_the_brief_are_in_vietnamese_order(minsk):
    fields = gather_brief(minsk.pk, on=BEFORE_THE_VISIT).fields
    assert fields.index("Đầu tư") > fields.index("Du lịch")  # Đ after D, not after Y
    assert fields.index("Đầu tư") < fields.index("Giáo dục")


def test_long_texts_are_cut_at_a_word_with_an_ellipsis(minsk):
    minsk.purpose = "diễn đàn kinh tế " * 600  # longer than the brief's TEXT_LIMIT
    minsk.save()
    html = render_brief_html(gather_brief(minsk.pk, on=BEFORE_THE_VISIT))
    assert "tế…" in html or "đàn…" in html or "diễn…" in html or "kinh…" in html
    assert "kin…" not in html


def test_names_are_kept_on_one_line_and_no_chapter_forces_a_page_break(minsk):
    html = render_brief_html(gather_brief(minsk.pk, on=BEFORE_THE_VISIT))
    assert '<strong class="name">Nguyễn Mạnh Quyền</strong>' in html
    stylesheet = (STATIC_DIR / "brief.css").read_text()
    assert ".name { white-space: nowrap; }" in stylesheet
    assert "section.chapter { break-before: auto; }" in stylesheet


def test_a_date_note_is_printed_as_a_note_not_as_the_date(books, db):
    visit = Visit.objects.get(date_note__startswith="Sáng 9/8")
    brief = gather_brief(visit.pk)  # in Vietnamese, the brief's default
    assert brief.dates == "ngày 9/8, chưa rõ năm"
    assert brief.date_note == visit.date_note  # and the note as the source gave it
    assert gather_brief(visit.pk, lang="en").dates == "day 9/8, year not known"
    html = render_brief_html(brief)
    assert 'class="note date-note"' in html


def test_an_end_date_not_recorded_is_not_printed_as_open_ended(minsk):
    def period() -> str:
        brief = gather_brief(minsk.pk, lang="en", on=BEFORE_THE_VISIT)
        rows = brief.agreements_in_force
        return next(r.period for r in rows if r.agreement.reference == "HN-MSK-2004")

    friendship = Agreement.objects.get(reference="HN-MSK-2004")
    for kind, label in [
        (EndKind.NOT_RECORDED, "end date not recorded"),
        (EndKind.OPEN, "no end date"),
    ]:
        friendship.valid_until_kind = kind
        friendship.save()
        assert period() == label


def test_the_partner_city_is_drawn_on_a_small_offline_map(minsk):
    html = render_brief_html(gather_brief(minsk.pk, on=BEFORE_THE_VISIT))
    assert '<div class="city-map"><svg' in html
    assert "http" not in html.split('<div class="city-map">')[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )


def test_the_timeline_has_the_signings_and_the_visits_in_order(minsk):
    timeline = gather_brief(minsk.pk, on=BEFORE_THE_VISIT).timeline
    assert [(e.when, e.kind) for e in timeline] == [
        ("2004", "agreement"),
        ("07/12/2023", "agreement"),
        ("07/12/2023", "visit"),
    ]


# --- command and web --------------------------------------------------------------------
def test_command_writes_the_word_brief_as_of_a_day(minsk, tmp_path):
    target = tmp_path / "brief.docx"
    call_command(
        "visit_brief", str(minsk.pk), "-o", str(target), "--lang", "en", "--as-of", "01/05/2025"
    )
    text = docx_text(target.read_bytes())
    assert "01/05/2025" in text
    assert "Tham dự Diễn đàn kinh tế tại Minsk" not in text


def test_command_refuses_a_day_it_cannot_read(minsk, tmp_path):
    with pytest.raises(CommandError, match="DD/MM/YYYY"):
        call_command("visit_brief", str(minsk.pk), "-o", str(tmp_path / "b.pdf"), "--as-of", "5/x")


def test_the_export_page_offers_the_day_with_its_default(client, minsk):
    client.force_login(viewer())
    page = client.get(reverse("delegations:visit_brief", args=[minsk.pk])).text
    assert 'name="as_of" value="11/05/2025"' in page  # a past visit: its first day
    assert 'value="docx"' in page


def test_the_web_export_queues_a_word_brief_as_of_the_day_asked(client, minsk):
    client.force_login(viewer())
    response = client.post(
        reverse("delegations:visit_brief", args=[minsk.pk]),
        {"lang": "en", "as_of": "01/05/2025", "format": "docx"},
    )
    job = Job.objects.get(kind="visit_brief")
    assert response["Location"] == job.get_absolute_url()
    assert job.params == {"visit": minsk.pk, "lang": "en", "as_of": "2025-05-01", "format": "docx"}


def test_a_day_the_export_cannot_read_is_an_error_next_to_the_field(client, minsk):
    client.force_login(viewer())
    response = client.post(
        reverse("delegations:visit_brief", args=[minsk.pk]), {"as_of": "31/02/2025"}
    )
    assert response.status_code == 400
    assert not Job.objects.exists()


# --- every section of a briefing book, printed when its data exist ------------------------
def _photo_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (120, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def full_minsk(minsk, settings, tmp_path):
    """The Minsk visit with one record of each kind the briefing book prints."""
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path / "media"
    kukharev = Person.objects.get(full_name__startswith="Kukharev")
    kukharev.biography = "Sinh năm 1976; Chủ tịch Ủy ban Hành chính TP Minsk từ 2021."
    kukharev.biography_en = "Born 1976; Chairman of the Minsk City Executive Committee since 2021."
    kukharev.form_of_address = "Ngài Chủ tịch"
    kukharev.form_of_address_en = "Mr Chairman"
    kukharev.languages = "Belarusian, Russian"
    kukharev.photo.save("kukharev.png", ContentFile(_photo_png()))
    TravelSegmentFactory(visit=minsk, from_place="Hà Nội", to_place="Minsk", seats="2A–2D")
    AccommodationFactory(visit=minsk, name="Khách sạn Minsk", phone="+375 17 209 90 00")
    LocalContactFactory(visit=minsk, name="Đại sứ quán Việt Nam tại Belarus")
    GiftFactory(visit=minsk, description="Tranh sơn mài Hồ Gươm", person=kukharev)
    BriefPointFactory(visit=minsk, kind=BriefPoint.Kind.OBJECTIVE, text="Mục tiêu: thúc đẩy")
    BriefPointFactory(visit=minsk, kind=BriefPoint.Kind.KEY_MESSAGE, text="Thông điệp chính")
    BriefPointFactory(
        visit=minsk, kind=BriefPoint.Kind.QUESTION, text="Câu hỏi khó?", answer="Trả lời."
    )
    BriefPointFactory(visit=minsk, kind=BriefPoint.Kind.PRESS_LINE, text="Thông cáo báo chí")
    VisitDocumentFactory(visit=minsk, title="Bài phát biểu tại lễ khai mạc")
    VisitSourceFactory(visit=minsk, title="Báo Hà Nội mới", url="https://hanoimoi.vn/minsk")
    minsk.budget_line = "Ngân sách TP"
    minsk.security_notes = "Không mang tài liệu mật."
    minsk.health_notes = "Tiêm phòng đầy đủ."
    minsk.save()
    return minsk


SECTIONS_EN = [
    "Distribution",
    "Counterparts: profiles",
    "Mr Chairman",
    "Born 1976",
    "Objectives",
    "Key messages",
    "Defensive questions and answers",
    "Speeches and toasts on file",
    "Gifts and protocol",
    "Logistics",
    "Travel",
    "Accommodation",
    "Local contacts",
    "Press line",
    "Sources and documents on file",
    "hanoimoi.vn/minsk",
]


def test_the_pdf_brief_prints_every_section_of_a_briefing_book(full_minsk, tmp_path):
    pdf = render_visit_brief(full_minsk.pk, lang="en", on=BEFORE_THE_VISIT)
    text = pdf_text(pdf, tmp_path)
    assert [section for section in SECTIONS_EN if section not in text] == []
    images = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "brief.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert len(images.splitlines()) > 2  # the counterpart's photo is embedded


def test_the_word_brief_prints_every_section_of_a_briefing_book(full_minsk):
    data = render_visit_brief_docx(full_minsk.pk, lang="en", on=BEFORE_THE_VISIT)
    text = docx_text(data)
    assert [section for section in SECTIONS_EN if section not in text] == []
    assert docx.Document(io.BytesIO(data)).inline_shapes  # the photo


def test_gathering_the_full_brief_takes_a_fixed_number_of_queries(
    full_minsk, django_assert_num_queries
):
    # As in tests/test_brief.py (the count does not depend on how much there is).
    with django_assert_num_queries(22):
        gather_brief(full_minsk.pk, lang="en", on=dt.date(2025, 6, 1))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_gathered_brief_is_rendered_without_a_query(
    full_minsk, lang, django_assert_num_queries
):
    # The follow-up rows read only the columns they print: a template or the Word brief
    # reading another one would query once per row.
    brief = gather_brief(full_minsk.pk, lang=lang, on=dt.date(2025, 6, 1))
    assert brief.followup
    assert brief.agreed_here
    with django_assert_num_queries(0):
        render_brief_html(brief)
        brief_docx(brief)


def test_the_visit_page_offers_the_brief_as_pdf_and_as_word(client, minsk):
    client.force_login(viewer())
    page = client.get(minsk.get_absolute_url()).text
    assert 'name="format" value="pdf"' in page
    assert 'name="format" value="docx"' in page


def test_the_worker_makes_the_word_brief_and_its_owner_downloads_it(client, minsk):
    from tests.workers import run_queued_jobs

    client.force_login(viewer())
    client.post(
        reverse("delegations:visit_brief", args=[minsk.pk]), {"lang": "vi", "format": "docx"}
    )
    job = Job.objects.get(kind="visit_brief")
    run_queued_jobs()
    download = client.get(reverse("jobs:job_result", args=[job.pk]))
    assert download["Content-Disposition"].endswith('.docx"')
    assert "wordprocessingml" in download["Content-Type"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in docx_text(b"".join(download.streaming_content))


def test_the_word_brief_has_the_same_time_budget(minsk, settings, monkeypatch):
    import time

    from delegations import brief_word
    from delegations.brief import BriefRenderError

    def slow(_brief):
        time.sleep(2)
        return b""

    monkeypatch.setattr(brief_word, "brief_docx", slow)
    settings.BRIEF_RENDER_SECONDS = 0.2
    started = time.monotonic()
    with pytest.raises(BriefRenderError):
        render_visit_brief_docx(minsk.pk, on=BEFORE_THE_VISIT)
    assert time.monotonic() - started < 1.5


def test_the_english_brief_names_the_visit_an_item_was_agreed_at_in_english(minsk):
    earlier = Visit.objects.get(title=MINSK_2023)
    earlier.title_en = "Hanoi's chairman receives the Belarusian Prime Minister"
    earlier.save()
    brief = gather_brief(minsk.pk, lang="en", on=BEFORE_THE_VISIT)
    rows = [row for group in brief.followup for row in group.items]
    assert {str(row.agreed_at) for row in rows} == {earlier.title_en}


@pytest.mark.parametrize(
    ("note", "label"),
    [
        ("Sáng 17/11 (bài báo không nêu năm)", "day 17/11, year not known"),
        ("17/11/2024", ""),
        ("tháng 5", ""),
        ("45/13", ""),
    ],
)
def test_a_day_and_month_without_a_year_is_read_from_the_note(note, label):
    from django.utils import translation

    from delegations.brief import day_without_year

    with translation.override("en"):
        assert day_without_year(note) == label


DEMO_SECTIONS_EN = [
    "Distribution",
    "Our delegation",
    "Counterparts to be met",
    "Counterparts: profiles",
    "Programme",
    "Objectives and talking points",
    "Defensive questions and answers",
    "Agreements and commitments",
    "Earlier meetings",
    "Gifts and protocol",
    "Logistics",
    "Press line",
    "The partner city",
    "The country",
    "Timeline of the partnership",
    "Sources and documents on file",
]


@pytest.mark.parametrize("book", [("en", "pdf"), ("en", "docx")])
def test_the_demo_brief_shows_every_section_of_a_briefing_book(books, book, db):
    """The "Done when" of issue 13 on the demo data itself (not on records added here)."""
    visit = Visit.objects.get(title=MINSK_2025)
    if not visit.travel_segments.exists():
        pytest.skip("the demo data give this visit no logistics yet (issue 13, point 10)")
    text = books[0][book]
    assert [section for section in DEMO_SECTIONS_EN if section not in text] == []
