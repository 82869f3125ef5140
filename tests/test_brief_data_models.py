"""What a briefing book needs, recorded (issue 13 points 2, 3, 6, 7, 9): the models' rules."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from agreements.models import EndKind
from delegations.models import BriefPoint, Engagement, Gift
from tests.factories import (
    AccommodationFactory,
    AgreementFactory,
    BriefPointFactory,
    CityFactory,
    EngagementFactory,
    GiftFactory,
    HomeCityFactory,
    PartnershipFactory,
    PersonFactory,
    PositionFactory,
    TravelSegmentFactory,
    VisitFactory,
    VisitSourceFactory,
)

pytestmark = pytest.mark.django_db


def test_text_in_english_gives_the_english_version_when_written() -> None:
    visit = VisitFactory(title="Đoàn Hà Nội thăm Minsk", title_en="Hanoi delegation to Minsk")
    assert visit.text_in("en") == ("Hanoi delegation to Minsk", False)


def test_text_in_english_falls_back_to_vietnamese_and_says_so() -> None:
    visit = VisitFactory(purpose="Thúc đẩy hợp tác", purpose_en="")
    assert visit.text_in("en", "purpose") == ("Thúc đẩy hợp tác", True)


def test_text_in_vietnamese_never_falls_back() -> None:
    visit = VisitFactory(title="Đoàn Hà Nội thăm Minsk", title_en="Hanoi delegation")
    assert visit.text_in("vi") == ("Đoàn Hà Nội thăm Minsk", False)


def test_an_empty_text_is_not_a_fallback() -> None:
    visit = VisitFactory(outcomes="", outcomes_en="")
    assert visit.text_in("en", "outcomes") == ("", False)


def test_positions_points_and_programme_items_have_english_versions() -> None:
    position = PositionFactory(title="Chủ tịch", title_en="Chairman")
    point = BriefPointFactory(text="Mục tiêu", text_en="Objective")
    item = EngagementFactory(title="Hội đàm", title_en="")
    assert position.text_in("en") == ("Chairman", False)
    assert point.text_in("en") == ("Objective", False)
    assert item.text_in("en") == ("Hội đàm", True)


def test_the_same_gift_to_the_same_person_at_another_visit_is_found_ignoring_accents() -> None:
    person = PersonFactory()
    earlier = GiftFactory(person=person, description="Tranh sơn mài Hồ Gươm")
    later = GiftFactory(person=person, description="tranh son mai ho guom")
    assert later.given_before() == [earlier]


def test_a_gift_to_someone_else_or_received_is_not_a_repeat() -> None:
    person = PersonFactory()
    GiftFactory(person=PersonFactory(), description="Tranh sơn mài")
    GiftFactory(person=person, description="Tranh sơn mài", direction=Gift.Direction.RECEIVED)
    gift = GiftFactory(person=person, description="Tranh sơn mài")
    assert gift.given_before() == []


def test_the_time_difference_follows_the_partner_citys_time_zone() -> None:
    home = HomeCityFactory(timezone="Asia/Ho_Chi_Minh")
    partner = CityFactory(timezone="Europe/Minsk")
    visit = VisitFactory(
        partnership=PartnershipFactory(home_city=home, partner_city=partner),
        start_date=dt.date(2025, 5, 11),
    )
    assert visit.time_difference() == -4


def test_the_time_difference_is_unknown_without_a_time_zone() -> None:
    assert VisitFactory().time_difference() is None


def test_an_agreement_end_not_recorded_differs_from_no_end_date() -> None:
    open_ended = AgreementFactory(valid_until=None)
    unknown = AgreementFactory(valid_until=None, valid_until_kind=EndKind.NOT_RECORDED)
    assert open_ended.open_ended
    assert not open_ended.end_not_recorded
    assert unknown.end_not_recorded
    assert not unknown.open_ended


def test_a_programme_item_cannot_end_before_it_starts() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        EngagementFactory(time=dt.time(10), end_time=dt.time(9))


def test_a_programme_item_prints_its_times() -> None:
    item = EngagementFactory(time=dt.time(9), end_time=dt.time(10, 30))
    assert item.times_label() == "09:00–10:30"
    assert item.dress == ""
    assert Engagement.Dress.BUSINESS.label


def test_only_a_defensive_question_has_an_answer() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        BriefPointFactory(kind=BriefPoint.Kind.OBJECTIVE, answer="Không")
    assert BriefPointFactory(kind=BriefPoint.Kind.QUESTION, answer="Có").answer == "Có"


def test_check_out_is_not_before_check_in() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AccommodationFactory(check_in=dt.date(2025, 5, 12), check_out=dt.date(2025, 5, 10))


def test_a_travel_segment_keeps_its_history() -> None:
    segment = TravelSegmentFactory(seats="12A")
    segment.seats = "12B"
    segment.save()
    assert [h.seats for h in segment.history.all()] == ["12B", "12A"]


def test_a_visit_date_note_is_kept_as_a_note_not_a_date() -> None:
    visit = VisitFactory(
        start_date=None, end_date=None, date_note="Sáng 9/8 (bài báo không nêu năm)"
    )
    visit.refresh_from_db()
    assert visit.start_date is None
    assert visit.dates_label() == "Sáng 9/8 (bài báo không nêu năm)"


def test_a_source_without_a_link_is_a_citation() -> None:
    source = VisitSourceFactory(
        publisher="Kinhtedothi", title="Thúc đẩy hợp tác Hà Nội – Minsk", url=""
    )
    assert source.citation() == "Kinhtedothi, “Thúc đẩy hợp tác Hà Nội – Minsk”"
    source.published_on = dt.date(2025, 5, 14)
    assert source.citation().endswith("”, 14/05/2025")


def test_a_source_needs_at_least_a_title() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitSourceFactory(publisher="VOV", title="", url="https://vov.vn/a")


def test_two_unlinked_sources_of_a_visit_differ_by_title_and_two_linked_by_link() -> None:
    first = VisitSourceFactory(title="Bài báo", url="")
    VisitSourceFactory(visit=first.visit, title="Bài khác", url="")
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitSourceFactory(visit=first.visit, title="Bài báo", url="")
    VisitSourceFactory(visit=first.visit, title="Bài thứ ba", url="https://a.vn/1")
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitSourceFactory(visit=first.visit, title="Bài thứ tư", url="https://a.vn/1")
