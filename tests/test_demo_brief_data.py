"""The demo data true to the five articles, with what a briefing book needs (issue 13 pt 10)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement
from delegations.models import ActionItem, BriefPoint, Engagement, Visit
from partnerships.models import City, Person
from tests.factories import viewer


def minsk_trip() -> Visit:
    return Visit.objects.get(title="Đoàn đại biểu TP Hà Nội thăm, làm việc tại TP Minsk (Belarus)")


def test_concurrent_party_and_state_positions_are_all_held(demo: None) -> None:
    def titles(name: str, day: dt.date) -> set[str]:
        person = Person.objects.get(full_name=name)
        return set(person.positions.held_on(day).values_list("title", flat=True))

    assert titles("Trần Sỹ Thanh", dt.date(2023, 12, 7)) == {
        "Ủy viên Trung ương Đảng",
        "Phó Bí thư",
        "Chủ tịch",
    }
    assert {"Ủy viên Bộ Chính trị", "Bí thư", "Trưởng đoàn"} <= titles(
        "Đinh Tiến Dũng", dt.date(2024, 11, 17)
    )
    assert "Phó Bí thư Thường trực" in titles("Phan Văn Mãi", dt.date(2022, 8, 9))
    assert "Bí thư Trung ương Đảng" in titles("Anouphap Tounalom", dt.date(2024, 11, 17))
    assert "Ủy viên Trung ương Đảng" in titles("Lưu Vĩ", dt.date(2024, 5, 16))


def test_the_national_context_of_belarus_is_on_the_city(demo: None) -> None:
    minsk = City.objects.get(name="Minsk")
    assert minsk.relations_since == 1992
    assert minsk.timezone == "Europe/Minsk"
    for fact in ("1992", "30 năm", "Tô Lâm"):
        assert fact in minsk.country_note
    assert "Tô Lâm" in minsk.country_note_en
    figures, fell_back = minsk.key_figures_in("en")
    assert not fell_back
    assert any(line.startswith("[Sample") for line in figures)
    assert "gần 100 thành phố" in City.objects.get(name="Hà Nội").profile


def test_hcmc_records_the_consulate_and_the_public_transport_request(demo: None) -> None:
    visit = Visit.objects.get(partnership__home_city__name="TP Hồ Chí Minh")
    assert "Tổng Lãnh sự quán" in visit.outcomes
    request = ActionItem.objects.get(description__contains="vận tải hành khách công cộng")
    assert request.partnership == visit.partnership


def test_hanoi_vientiane_work_under_the_mou_and_covid_support(demo: None) -> None:
    mou = Agreement.objects.get(reference="HN-VC-MOU-2017-2020")
    parties = set(mou.parties.values_list("city__name", flat=True))
    assert parties == {"Hà Nội", "Viêng Chăn"}
    for fact in ("học bổng", "Nhà truyền thống", "COVID-19"):
        assert fact in mou.notes
    centres = ActionItem.objects.get(description__contains="Trung tâm thương mại và du lịch")
    assert centres.status == ActionItem.Status.IN_PROGRESS


def test_the_corrections_the_articles_call_for(demo: None) -> None:
    forum_news = ActionItem.objects.get(description__contains="cập nhật thông tin")
    assert forum_news.owner_organisation is not None
    assert forum_news.owner_organisation.name == "Ủy ban Hành chính thành phố Minsk"
    art = Engagement.objects.get(title__contains="Bền vững tình Hữu nghị")
    assert not art.counterparts.exists()
    culture_day = ActionItem.objects.get(description__startswith="Tổ chức Ngày văn hóa Minsk")
    assert "không nêu ngày" in culture_day.updates.get().note
    assert "[Dữ liệu điền thêm]" in Agreement.objects.get(reference="HN-MSK-2004").notes


def test_the_may_2025_minsk_trip_has_every_section_of_a_brief(demo: None) -> None:
    visit = minsk_trip()
    assert visit.title_en
    assert visit.purpose_en
    assert visit.outcomes_en
    assert visit.budget_line.startswith("[Mẫu]")
    assert visit.security_notes
    assert visit.health_notes
    kinds = set(visit.brief_points.values_list("kind", flat=True))
    assert kinds == {choice.value for choice in BriefPoint.Kind}
    for rows in (visit.travel_segments, visit.accommodations, visit.local_contacts, visit.gifts):
        assert rows.exists()
        assert all(rows.values_list("is_sample", flat=True))
    head = Person.objects.get(full_name="Kukharev Vladimir Yevgenievich")
    assert head.biography.startswith("[Mẫu")
    assert head.form_of_address_en
    assert visit.engagements.exclude(title_en="").count() >= 4


def test_the_visit_page_shows_the_whole_minsk_brief_data(demo: None, client: Client) -> None:
    client.force_login(viewer())
    page = client.get(reverse("delegations:visit_detail", args=[minsk_trip().pk])).text
    for text in (
        "Hà Nội (HAN)",
        "Khách sạn tại trung tâm Minsk",
        "Đại sứ quán Việt Nam tại Belarus",
        "Tranh sơn mài Hồ Gươm",
        "Khi nào Hà Nội tổ chức Ngày văn hóa Minsk tại Hà Nội?",
        "Kinh phí đoàn ra năm 2025",
        "Hanoi delegation&#x27;s working visit to Minsk",
    ):
        assert text in page, text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_demo_loads_twice_without_change(demo: None, lang: str) -> None:
    from demo.loader import DemoLoader

    loader = DemoLoader()
    loader.load()
    assert loader.tally.created == 0
    assert loader.tally.updated == 0
    assert minsk_trip().text_in(lang)[1] is False
