"""The lists' text filter ignores accents and case, like the search page whose "see all"
links lead to them ("vieng chan" finds "Viêng Chăn")."""

import pytest
from django.urls import reverse

from tests.factories import ActionItemFactory, AgreementFactory, VisitFactory, viewer

pytestmark = pytest.mark.django_db

CASES = [
    (
        "agreements:agreement_list",
        AgreementFactory,
        {"title": "Biên bản ghi nhớ Hà Nội – Viêng Chăn", "reference": "HN-VC-2017"},
        {"title": "Chương trình hợp tác Minsk", "reference": "HN-MSK-2024"},
        ["VIENG chan", "hn-vc"],
    ),
    (
        "delegations:visit_list",
        VisitFactory,
        {"title": "Đoàn đại biểu thành phố Minsk", "place": "Hà Nội"},
        {"title": "Làm việc trực tuyến", "place": "Viêng Chăn"},
        ["ha noi", "doan dai bieu"],
    ),
    (
        "delegations:actionitem_list",
        ActionItemFactory,
        {"description": "Tổ chức Ngày Văn hóa Hà Nội tại Minsk"},
        {"description": "Gia hạn biên bản ghi nhớ"},
        ["ngay van hoa", "TO CHUC"],
    ),
]


@pytest.mark.parametrize(("name", "factory", "found", "other", "queries"), CASES)
def test_list_filter_ignores_accents_and_case(client, name, factory, found, other, queries):
    client.force_login(viewer())
    factory(**found)
    factory(**other)
    shown = next(iter(found.values()))
    hidden = next(iter(other.values()))
    for q in queries:
        html = client.get(reverse(name), {"q": q}).content.decode()
        assert shown in html, q
        assert hidden not in html, q
