"""The action-items list's rows written in Python (``{% actionitem_rows %}``, read with
``ActionItemQuerySet.for_list``'s columns) equal the template they replace, in both
languages, for an editor and a viewer."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from delegations.models import ActionItem
from delegations.views.action_items import ITEM_RELATED
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db

# The list's row block as it was before it was written in Python (issue 16).
TEMPLATE_LOOP = (
    "{% load i18n workspace textcut %}{% for record in items %}"
    "{% with item=record %}\n"
    '  <tr id="actionitem-{{ item.pk }}">\n'
    '    {% if user|can_edit %}<td class="select-cell"><input type="checkbox" id="select-{{ item.pk }}" name="items" value="{{ item.pk }}" form="bulk-status">{% include "delegations/includes/bulk_version.html" %}<label for="select-{{ item.pk }}" class="visually-hidden">{% blocktranslate with item=item.description|truncate_at_word:60 %}Select “{{ item }}”{% endblocktranslate %}</label></td>{% endif %}\n'
    '    <td class="nowrap">{{ item.due|partial_date }}</td>\n'
    '    <td class="title-cell"><a href="{% url \'delegations:actionitem_detail\' item.pk %}"{% if item.description|length > 100 %} title="{{ item.description }}"{% endif %}>{{ item.description|truncate_at_word:100 }}</a>\n'
    '      <br><small class="muted">{% if item.visit %}{{ item.visit.title|truncate_at_word:60 }}{% endif %}{% if item.visit and item.agreement %} · {% endif %}{% if item.agreement %}{{ item.agreement.reference }}{% endif %}</small></td>\n'
    '    <td class="secondary-cell">{{ item.partnership }}</td>\n'
    '    <td class="secondary-cell">{{ item.owner_organisation|truncate_at_word:60|default:"—" }}{% if item.owner_person %}<br><small>{{ item.owner_person }}</small>{% endif %}{% include "delegations/includes/assignees.html" with item=item %}</td>\n'
    "    <td>{{ item.get_priority_display }}</td>\n"
    '    <td>{% include "delegations/includes/actionitem_status.html" with item=item %}</td>\n'
    "  </tr>\n"
    "{% endwith %}"
    "{% endfor %}"
)
PYTHON_LOOP = "{% load actionitem_rows %}{% for record in items %}{% actionitem_row %}{% endfor %}"
PYTHON_ROWS = "{% load actionitem_rows %}{% actionitem_rows items %}"


def as_listed():
    """The items as the list reads a page of them."""
    return ActionItem.objects.for_list().with_list_names()


def rows(user, template: str, items=None) -> str:
    request = RequestFactory().get("/actions/?status=open&page=2")
    request.user = user
    if items is None:
        items = ActionItem.objects.select_related(*ITEM_RELATED)  # assignees read per item
    context = {"items": items.order_by("pk"), "user": user, "request": request, "csrf_token": "tok"}
    return Template(template).render(Context(context))


@pytest.fixture
def items():
    """Items with and without each optional part, and text that must be escaped."""
    plain = ActionItemFactory(description='Việc <b>"A"</b> & B', due_on=dt.date(2000, 1, 1))
    long_text = " ".join(["Phối hợp tổ chức triển lãm ảnh"] * 8)
    full = ActionItemFactory(
        description=long_text,
        status=ActionItem.Status.DONE,
        priority=1,
        due_on=dt.date(2030, 5, 1),
        due_on_precision="month",
        owner_organisation=OrganisationFactory(name="Sở <Ngoại vụ> " + "rất dài " * 10),
        owner_person=PersonFactory(full_name="Trần Thị <B>"),
    )
    full.agreement = AgreementFactory(partnership=full.partnership, reference="R&D-1")
    full.save()
    # One at a time, the later account first: both sides name them in the order assigned.
    lan, plain_account, padded = (
        UserFactory(first_name="Lan", last_name="Nguyễn <x>"),
        UserFactory(username="plain"),
        UserFactory(first_name="\u3000Hoa", last_name="Trần\xa0"),  # trimmed as str.strip() does
    )
    full.assignees.add(plain_account)
    full.assignees.add(lan)
    full.assignees.add(padded)
    agreement = AgreementFactory()
    agreement_only = ActionItemFactory(
        visit=None, agreement=agreement, partnership=agreement.partnership, priority=3
    )
    return [plain, full, agreement_only]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("make_user", [editor, viewer])
def test_the_rows_written_in_python_equal_the_template_they_replace(items, language, make_user):
    user = make_user()
    with translation.override(language):
        expected = rows(user, TEMPLATE_LOOP)
        written = rows(user, PYTHON_LOOP, as_listed())
    assert written == expected
    assert "&lt;b&gt;&quot;A&quot;&lt;/b&gt; &amp; B" in written
    assert 'class="assignees"' in written
    assert ("csrfmiddlewaretoken" in written) == (make_user is editor)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("make_user", [editor, viewer])
def test_the_page_of_rows_read_with_the_list_columns_equals_the_template(
    items, language, make_user, django_assert_num_queries
):
    user = make_user()
    with translation.override(language):
        expected = rows(user, TEMPLATE_LOOP)
        # Expect 1 query: the rows joined to what they show, with their assignees' names
        # (issue 16: no prefetch); no deferred column read afterwards.
        with django_assert_num_queries(1):
            written = rows(user, PYTHON_ROWS, as_listed())
    assert written == expected


def test_the_list_reads_the_assignees_names_as_accounts_name_themselves():
    """``with_assignee_names`` reads the assignees' names with the row (issue 16), named by
    the database as ``get_full_name() or get_username()`` would, in the order assigned."""
    item = ActionItemFactory()
    accounts = [
        UserFactory(first_name="Lan", last_name="Nguyễn"),
        UserFactory(first_name="", last_name="", username="only-username"),
        UserFactory(first_name="Minh", last_name=""),
        UserFactory(first_name="", last_name="Trần"),
    ]
    # Spaces of every kind around the names (str.strip() trims them all), none but them.
    padded = [
        UserFactory(first_name="\u3000\tHoa\xa0", last_name="Lê\u2028"),
        UserFactory(first_name="\x85\x1c", last_name="\u205f", username="blank-names"),
    ]
    for account in reversed(accounts):  # assigned last first: the order is the assigning
        item.assignees.add(account)
    listed = ActionItem.objects.for_list().with_assignee_names()
    [read] = listed.filter(pk=item.pk)
    expected = [a.get_full_name() or a.get_username() for a in reversed(accounts)]
    assert read.assigned_names() == expected == ["Trần", "Minh", "only-username", "Lan Nguyễn"]
    for account in padded:
        item.assignees.add(account)
    [read] = listed.filter(pk=item.pk)
    expected += [a.get_full_name() or a.get_username() for a in padded]
    assert read.assigned_names() == expected
    assert expected[-2:] == ["Hoa\xa0 Lê", "blank-names"]  # the inner spaces kept
    unread = ActionItem.objects.get(pk=item.pk)  # read without them: from its assignees
    assert unread.assigned_names() == expected
    assert listed.get(pk=ActionItemFactory().pk).assigned_names() == []
