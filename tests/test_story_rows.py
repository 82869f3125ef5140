"""The partnership page's open action items written in Python (``{% open_item_rows %}``)
equal the template loop they replace, in both languages, for an editor and a viewer."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from delegations.models import ActionItem
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    OrganisationFactory,
    PartnershipFactory,
    VisitFactory,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db

# The page's loop as it was before it was written in Python (issue 16).
TEMPLATE_LOOP = (
    "{% load i18n workspace textcut %}"
    "{% for item in items %}\n"
    "              <li>\n"
    '                <a href="{{ item.get_absolute_url }}">{{ item.description|truncate_at_word:160 }}</a>\n'
    '                <div class="item-meta">{% translate "due" %} {{ item.due|partial_date }}{% if item.owner_organisation %} · {{ item.owner_organisation.abbreviation|default:item.owner_organisation.name }}{% endif %}{% if item.visit %} · <a href="{{ item.visit.get_absolute_url }}">{{ item.visit.title|truncate_at_word:60 }}</a>{% endif %}</div>\n'
    '                {% include "delegations/includes/actionitem_status.html" with item=item %}\n'
    "              </li>\n"
    "            {% endfor %}"
)
PYTHON_LOOP = "{% load story_rows %}{% open_item_rows items %}"


def rows(user, template: str, partnership) -> str:
    request = RequestFactory().get(f"/partners/{partnership.pk}/")
    request.user = user
    items = (
        partnership.action_items.open()
        .select_related("owner_organisation", "visit")
        .order_by("due_on", "pk")
    )
    context = {"items": list(items), "user": user, "request": request, "csrf_token": "tok"}
    return Template(template).render(Context(context))


@pytest.fixture
def partnership():
    """Open items with and without each optional part, and text that must be escaped."""
    partnership = PartnershipFactory()
    ActionItemFactory(
        partnership=partnership,
        visit=None,
        agreement=AgreementFactory(partnership=partnership),
        description='Việc <b>"A"</b> & B',
        due_on=dt.date(2000, 1, 1),  # overdue
    )
    ActionItemFactory(
        partnership=partnership,
        visit=VisitFactory(partnership=partnership, title="Đoàn <đi> " + "rất dài " * 12),
        description=" ".join(["Phối hợp tổ chức triển lãm ảnh"] * 8),
        status=ActionItem.Status.IN_PROGRESS,
        due_on=dt.date(2030, 5, 1),
        due_on_precision="month",
        owner_organisation=OrganisationFactory(name="Sở <Ngoại vụ>", abbreviation="S&NV"),
    )
    ActionItemFactory(
        partnership=partnership,
        visit=None,
        agreement=AgreementFactory(partnership=partnership),
        due_on=None,
        owner_organisation=OrganisationFactory(name="Ủy ban <nhân dân>", abbreviation=""),
    )
    return partnership


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("make_user", [editor, viewer])
def test_the_open_items_written_in_python_equal_the_loop_they_replace(
    partnership, language, make_user
):
    user = make_user()
    with translation.override(language):
        expected = rows(user, TEMPLATE_LOOP, partnership)
        written = rows(user, PYTHON_LOOP, partnership)
    assert written == expected
    assert written.count("<li>") == 3
    assert "&lt;b&gt;&quot;A&quot;&lt;/b&gt; &amp; B" in written
    assert "S&amp;NV" in written
    assert "Ủy ban &lt;nhân dân&gt;" in written
    assert ("csrfmiddlewaretoken" in written) == (make_user is editor)
