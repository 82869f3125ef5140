"""My work's rows written in Python (``{% my_work_rows %}``) equal the template loop they
replace, in both languages, for an editor and a viewer."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from delegations.models import ActionItem
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    CityFactory,
    PartnershipFactory,
    VisitFactory,
    editor,
    viewer,
)
from workspace.my_work import my_rows, with_names

pytestmark = pytest.mark.django_db

# The page's row as it was before it was written in Python (issue 16), read with the
# records it names as model instances.
TEMPLATE_LOOP = (
    "{% load i18n workspace textcut %}"
    "{% for item in items %}\n"
    '  <tr id="actionitem-{{ item.pk }}">\n'
    '    <td class="nowrap">{{ item.due|partial_date }}</td>\n'
    "    <td><a href=\"{% url 'delegations:actionitem_detail' item.pk %}\">{{ item.description|truncate_at_word:120 }}</a>\n"
    '      <br><small class="muted">{% if item.visit %}{{ item.visit.title }}{% endif %}{% if item.visit and item.agreement %} · {% endif %}{% if item.agreement %}{{ item.agreement.reference }}{% endif %}</small></td>\n'
    '    <td><a href="{{ item.partnership.get_absolute_url }}">{{ item.partnership }}</a></td>\n'
    "    <td>{{ item.get_priority_display }}</td>\n"
    '    <td>{% include "delegations/includes/actionitem_status.html" with item=item %}</td>\n'
    "  </tr>\n"
    "{% endfor %}"
)
PYTHON_LOOP = "{% load my_work_rows %}{% my_work_rows items %}"


def rows(user, template: str, items) -> str:
    request = RequestFactory().get("/my-work/?sort=status&page=2")
    request.user = user
    context = {"items": items, "user": user, "request": request, "csrf_token": "tok"}
    return Template(template).render(Context(context))


@pytest.fixture
def assigned():
    """Items with and without a visit or an agreement, and texts that must be escaped."""
    user = editor()
    partnership = PartnershipFactory(
        home_city=CityFactory(name="Hà <Nội>", is_home=True), partner_city=CityFactory(name="A&B")
    )
    items = [
        ActionItemFactory(
            partnership=partnership,
            visit=VisitFactory(partnership=partnership, title='Đoàn <"đi">'),
            agreement=AgreementFactory(partnership=partnership, reference="R&D-1"),
            description='Việc <b>"A"</b> & B ' + "rất dài " * 20,
            due_on=dt.date(2000, 1, 1),  # overdue
            priority=3,
        ),
        ActionItemFactory(
            partnership=partnership,
            visit=None,
            agreement=AgreementFactory(partnership=partnership),
            status=ActionItem.Status.IN_PROGRESS,
            due_on=dt.date(2030, 5, 1),
            due_on_precision="month",
        ),
        ActionItemFactory(partnership=partnership, visit=VisitFactory(), due_on=None),
        ActionItemFactory(partnership=partnership, visit=VisitFactory(), agreement=None),
    ]
    for item in items:
        item.assignees.add(user)
    return user


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_my_work_rows_written_in_python_equal_the_loop_they_replace(assigned, language, role):
    reader = assigned if role == "editor" else viewer()
    related = ("partnership__home_city", "partnership__partner_city", "visit", "agreement")
    as_instances = list(ActionItem.objects.my_work(assigned).select_related(*related))
    as_rows = list(with_names(my_rows(assigned)))
    with translation.override(language):
        expected = rows(reader, TEMPLATE_LOOP, as_instances)
        written = rows(reader, PYTHON_LOOP, as_rows)
    assert written == expected
    assert written.count("<tr ") == 4
    assert "Hà &lt;Nội&gt; – A&amp;B" in written
    assert "Đoàn &lt;&quot;đi&quot;&gt; · R&amp;D-1" in written
    assert ("csrfmiddlewaretoken" in written) == (role == "editor")
