"""The action-items list reads its page with its joins planned as written (issue 16).

PostgreSQL spent 20–25 ms planning the list's nine-table join that runs in under 1 ms;
``common.join_planning.joins_as_written`` sets ``join_collapse_limit = 1`` for one
transaction only. The plan itself is checked on bulk data by tests/test_explain.py.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.join_planning import SETTINGS, joins_as_written
from tests.factories import ActionItemFactory, editor

pytestmark = pytest.mark.django_db


def setting(name: str = "join_collapse_limit") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_the_setting_holds_inside_the_block_and_not_after():
    before = setting()
    with joins_as_written():
        assert setting() == "1"
    assert setting() == before


def test_memoize_is_off_inside_the_block_only():
    """A page of rows is a few dozen lookups: a Memoize node costs more than it saves."""
    before = setting("enable_memoize")
    with joins_as_written():
        assert setting("enable_memoize") == "off"
    assert setting("enable_memoize") == before


def test_a_nested_block_puts_both_settings_back():
    with transaction.atomic():
        before = (setting(), setting("enable_memoize"))
        with joins_as_written():
            pass
        assert (setting(), setting("enable_memoize")) == before


def test_the_list_reads_its_page_after_the_setting(client):
    ActionItemFactory.create_batch(3)
    client.force_login(editor())
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("delegations:actionitem_list")).status_code == 200
    statements = [q["sql"] for q in ctx.captured_queries]
    at = statements.index(SETTINGS)
    page = next(i for i, sql in enumerate(statements) if '"partnerships_person"' in sql)
    assert at < page
