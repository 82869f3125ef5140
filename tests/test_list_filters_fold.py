"""The lists' text filter ignores accents and case, like the search page whose "see all"
links lead to them ("vieng chan" finds "Viêng Chăn")."""

import pytest
from django.urls import reverse

from tests.factories import ActionItemFactory, AgreementFactory, VisitFactory, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_viewer(client):
    client.force_login(viewer())
    return client


def rows(client, name, q):
    return client.get(reverse(name), {"q": q}).content.decode()


def test_agreements_list(client_viewer):
    AgreementFactory(title="Biên bản ghi nhớ Hà Nội – Viêng Chăn", reference="HN-VC-2017")
    AgreementFactory(title="Chương trình hợp tác Minsk", reference="HN-MSK-2024")
    html = rows(client_viewer, "agreements:agreement_list", "VIENG chan")
    assert "HN-VC-2017" in html and "HN-MSK-2024" not in html
    assert "HN-VC-2017" in rows(client_viewer, "agreements:agreement_list", "hn-vc")


def test_visits_list(client_viewer):
    VisitFactory(title="Đoàn đại biểu thành phố Minsk", place="Hà Nội")
    VisitFactory(title="Làm việc trực tuyến", place="Viêng Chăn")
    html = rows(client_viewer, "delegations:visit_list", "ha noi")
    assert "Đoàn đại biểu thành phố Minsk" in html and "Làm việc trực tuyến" not in html
    assert "Đoàn đại biểu" in rows(client_viewer, "delegations:visit_list", "doan dai bieu")


def test_action_items_list(client_viewer):
    ActionItemFactory(description="Tổ chức Ngày Văn hóa Hà Nội tại Minsk")
    ActionItemFactory(description="Gia hạn biên bản ghi nhớ")
    html = rows(client_viewer, "delegations:actionitem_list", "ngay van hoa")
    assert "Tổ chức Ngày Văn hóa" in html and "Gia hạn biên bản" not in html
