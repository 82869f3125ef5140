"""The inline status control's fast path writes what its template writes."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory

from delegations.models import ActionItem
from tests.factories import ActionItemFactory, editor, viewer

pytestmark = pytest.mark.django_db

INCLUDE = Template('{% include "delegations/includes/actionitem_status.html" with item=item %}')


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def both(user, item, **extra):
    request = RequestFactory().get("/partners/1/?page=2")
    request.user = user
    context = {"item": item, "user": user, "request": request, "csrf_token": "tok", **extra}
    fast = INCLUDE.render(Context(context))
    full = get_template("delegations/includes/actionitem_status_full.html").render(context, request)
    return fast, full


@pytest.mark.parametrize("make_user", [editor, viewer])
@pytest.mark.parametrize(
    ("status", "due_on"),
    [
        (ActionItem.Status.AGREED, dt.date(2000, 1, 1)),  # overdue
        (ActionItem.Status.IN_PROGRESS, dt.date(2999, 1, 1)),
        (ActionItem.Status.DONE, None),
    ],
)
def test_fast_path_equals_the_template(make_user, status, due_on, monkeypatch):
    from delegations.templatetags import actionitems

    monkeypatch.setattr(actionitems, "FULL_TEMPLATE", "no/such/template.html")  # fast only
    item = ActionItemFactory(status=status, due_on=due_on, description='Việc <b>"A"</b>')
    fast, full = both(make_user(), item)
    assert squeeze(fast) == squeeze(full)
    assert "csrfmiddlewaretoken" in fast or make_user is viewer


def test_a_given_next_url_is_kept(monkeypatch):
    from delegations.templatetags import actionitems

    monkeypatch.setattr(actionitems, "FULL_TEMPLATE", "no/such/template.html")
    item = ActionItemFactory()
    fast, full = both(editor(), item, next_url="/actions/?status=open&page=3")
    assert squeeze(fast) == squeeze(full)
    assert 'value="/actions/?status=open&amp;page=3"' in fast


def test_special_states_use_the_template():
    item = ActionItemFactory()
    fast, full = both(editor(), item, saved=True)
    assert squeeze(fast) == squeeze(full)
    assert "status-saved" in fast
