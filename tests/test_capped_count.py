"""Lists count their rows exactly up to ``COUNT_CAP`` and say "more than" past it (issue 16).

Counting 100,000 action items cost 3.5 ms a page and grew with the archive: a capped list
reads at most ``COUNT_CAP + 1`` rows to count, and one row more than a page to know
whether another page follows. Here the cap is lowered to 30 so that a few rows cross it.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common import listing
from common.listing import CappedPaginator
from delegations.models import ActionItem
from tests.factories import ActionItemFactory, VisitFactory, editor

pytestmark = pytest.mark.django_db

CAP = 30


@pytest.fixture
def low_cap(monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", CAP)


def items(n: int) -> None:
    visit = VisitFactory()
    ActionItemFactory.create_batch(n, visit=visit)


def test_a_list_under_the_cap_is_counted_exactly(low_cap):
    items(CAP)
    paginator = CappedPaginator(ActionItem.objects.order_by("pk"), 25)
    assert paginator.count == CAP
    assert not paginator.capped
    assert paginator.num_pages == 2


def test_a_list_past_the_cap_counts_no_further_than_the_cap(low_cap):
    items(CAP + 20)
    paginator = CappedPaginator(ActionItem.objects.order_by("pk"), 25)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == CAP + 1
    assert f"LIMIT {CAP + 1}" in ctx.captured_queries[0]["sql"]
    assert paginator.capped


def test_pages_of_a_capped_list_know_whether_another_follows(low_cap):
    items(CAP + 20)  # 50 rows: two full pages, no third
    paginator = CappedPaginator(ActionItem.objects.order_by("pk"), 25)
    first, second = paginator.get_page(1), paginator.get_page(2)
    assert len(first.object_list) == 25
    assert first.has_next()
    assert len(second.object_list) == 25
    assert not second.has_next()
    assert second.has_previous()


def test_the_action_items_are_counted_without_the_joins_of_the_names_their_rows_show(low_cap):
    """The rows' names are joined to the page's statement only (``with_list_names``): the
    count, given the rows without them, joins nothing."""
    items(CAP + 20)
    rows = ActionItem.objects.for_list().order_by("pk")
    paginator = CappedPaginator(rows.with_list_names(), 25, counted=rows)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.get_page(2)
    count, read = (query["sql"] for query in ctx.captured_queries)
    assert "JOIN" not in count
    assert paginator.capped
    # the partnership, its two cities, the two owners, the visit, the agreement; and in
    # the assignees' subquery, their accounts
    assert read.count("JOIN") == 8
    assert page[0].__dict__["visit_title"] is not None


def test_a_page_past_the_end_of_a_capped_list_is_its_first_page(low_cap):
    items(CAP + 20)
    paginator = CappedPaginator(ActionItem.objects.order_by("pk"), 25)
    assert paginator.get_page(9).number == 1
    assert paginator.get_page("nine").number == 1


def test_the_list_page_says_more_than_the_cap_and_gives_no_last_page(low_cap, client, settings):
    settings.LANGUAGE_CODE = "en"
    items(CAP + 20)
    client.force_login(editor())
    html = client.get(reverse("delegations:actionitem_list")).content.decode()
    assert f"More than {CAP} results" in html
    assert "Page 1<" in html
    assert "Page 1 of" not in html
    assert 'rel="next"' in html


def test_the_list_page_under_the_cap_gives_the_count_and_the_pages(low_cap, client, settings):
    settings.LANGUAGE_CODE = "en"
    items(CAP)
    client.force_login(editor())
    html = client.get(reverse("delegations:actionitem_list")).content.decode()
    assert f"{CAP} action items" in html
    assert "Page 1 of 2" in html
