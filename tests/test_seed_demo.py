"""seed_demo loads what the five seed articles tell, and only that, idempotently."""

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from agreements.models import Agreement
from delegations.models import ActionItem, Visit
from partnerships.models import City, Partnership

pytestmark = pytest.mark.django_db


def row_counts():
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"partnerships", "agreements", "delegations"}
    }


def test_a_second_run_changes_nothing_and_writes_no_history():
    call_command("seed_demo", "--password", "demo-pass-2025", stdout=StringIO())
    before = row_counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert row_counts() == before
    assert "0 created, 0 updated" in out.getvalue()


def test_the_demo_accounts_are_an_editor_and_a_viewer():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    users = get_user_model().objects.prefetch_related("groups")
    roles = {u.username: [g.name for g in u.groups.all()] for u in users}
    assert roles == {"demo-editor": ["editor"], "demo-viewer": ["viewer"]}
    assert "password:" in out.getvalue()


def test_the_demo_accounts_are_not_admin_staff():
    """Issue 17, finding 11: an older seed_demo made them staff; a run takes that back."""
    get_user_model().objects.create(username="demo-viewer", is_staff=True, is_superuser=True)
    call_command("seed_demo", stdout=StringIO())
    users = get_user_model().objects.all()
    assert [(u.username, u.is_staff, u.is_superuser) for u in users.order_by("username")] == [
        ("demo-editor", False, False),
        ("demo-viewer", False, False),
    ]


def test_the_given_password_opens_both_accounts():
    call_command("seed_demo", "--password", "demo-pass-2025", stdout=StringIO())
    for user in get_user_model().objects.all():
        assert user.check_password("demo-pass-2025")


def test_hanoi_minsk_since_2004_with_its_2024_2026_programme(demo):
    partnership = Partnership.objects.get(home_city__name="Hà Nội", partner_city__name_en="Minsk")
    assert str(partnership.established) == "2004"
    programme = Agreement.objects.get(reference="HN-MSK-CT-2024-2026")
    assert str(programme.signed) == "07/12/2023"
    assert programme.parent is not None
    assert programme.parent.reference == "HN-MSK-2004"
    assert programme.parent_relation == "implements"
    assert {s.person.full_name for s in programme.signatories.all()} == {
        "Roman Golovchenko",
        "Trần Sỹ Thanh",
    }


def test_the_may_2025_visit_to_minsk_with_its_programme(demo):
    visit = Visit.objects.get(start_date=dt.date(2025, 5, 11))
    assert visit.end_date == dt.date(2025, 5, 13)
    assert visit.direction == "outgoing"
    assert visit.head is not None
    assert visit.head.person.full_name == "Nguyễn Mạnh Quyền"
    titles = " | ".join(visit.engagements.values_list("title", flat=True))
    assert "Ngày văn hóa Hà Nội tại Minsk" in titles
    assert "xúc tiến kết nối đầu tư" in titles
    assert "Kukharev" in titles


def test_the_agreed_follow_up_with_minsk(demo):
    descriptions = " | ".join(
        ActionItem.objects.filter(partnership__partner_city__name="Minsk").values_list(
            "description", flat=True
        )
    )
    for expected in [
        "Ngày Hà Nội tại Minsk",
        "giáo dục",
        "Diễn đàn kinh tế tại Minsk (tháng 9/2025)",
        "Mời Chủ tịch Ủy ban Hành chính TP Minsk",
        "thể thao",
        "y tế",
    ]:
        assert expected in descriptions
    forum = ActionItem.objects.get(description__startswith="Tham dự Diễn đàn kinh tế")
    assert str(forum.due) == "09/2025"


def test_hanoi_vientiane_mou_expired_without_successor_and_the_new_mou_action(demo):
    mou = Agreement.objects.get(reference="HN-VC-MOU-2017-2020")
    assert mou in Agreement.objects.expired_without_successor(on=dt.date(2026, 11, 23))
    action = ActionItem.objects.get(description__startswith="Khẩn trương ký kết Biên bản")
    assert action.owner_organisation is not None
    assert action.owner_organisation.name == "Sở Ngoại vụ thành phố Hà Nội"
    assert action.agreement == mou


def test_dates_the_articles_do_not_give_are_left_empty(demo):
    online = Visit.objects.get(direction="online")
    assert online.start_date is None
    assert "17/11" in online.date_note
    consul = Visit.objects.get(partnership__home_city__name="TP Hồ Chí Minh")
    assert consul.start_date is None
    assert "9/8" in consul.date_note


def test_hanoi_beijing_thirty_years_of_friendship(demo):
    partnership = Partnership.objects.get(partner_city__name="Bắc Kinh")
    anniversary = partnership.next_anniversary(on=dt.date(2024, 5, 16))
    assert anniversary is not None
    years, when = anniversary
    assert (years, str(when)) == (30, "2024")
    visit = partnership.visits.get()
    assert visit.head is not None
    assert visit.head.person.full_name == "Nguyễn Văn Phong"
    assert visit.engagements.filter(kind="cultural_event").count() == 2


def test_cities_carry_their_other_names(demo):
    vientiane = City.objects.get(name_en="Vientiane")
    assert "ວຽງຈັນ" in vientiane.all_names()
    assert "Viêng Chăn" in vientiane.all_names()
    assert City.objects.home().count() == 2
