"""The lists' filter forms served from the cache ({% list_filters %}) equal the template
they were rendered by (common/list_filters.html), for every list, in both languages,
filtered and not, with values that show an error; a change to the record, another
language or other filters give the form afresh (issue 16).

Outside a transaction (``transaction=True``): inside one the data version is not known
and the forms that read the record are not cached.
"""

import functools

import pytest
from django.db import connection, transaction
from django.http import QueryDict
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agreements.forms import AgreementFilterForm
from agreements.models import Agreement
from common.templatetags import list_filters
from delegations.forms import ActionItemFilterForm, VisitFilterForm
from delegations.models import ActionItem, Visit
from partnerships.forms import OrganisationFilterForm, PersonFilterForm
from partnerships.models import Organisation, Partnership, Person
from tests.factories import (
    ActionItemFactory,
    CityFactory,
    FieldOfCooperationFactory,
    HomeCityFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonFactory,
    editor,
)
from workspace.forms import PartnershipFilterForm
from workspace.my_work import MyWorkFilterForm

pytestmark = pytest.mark.django_db(transaction=True)

# The form as list_page.html included it before it was cached.
INCLUDED = (
    '{% include "common/list_filters.html" with filters=filters action=action target=target %}'
)
CACHED = "{% load list_filters %}{% list_filters filters action target %}"
ACTION, TARGET = "/lists/", "list-results"


def rendered(template: str, filters) -> str:
    context = {"filters": filters, "action": ACTION, "target": TARGET}
    return Template(template).render(Context(context))


def as_the_view_builds_it(form_class, query: str, rows, **kwargs):
    """The form of a list's request: validated, its typed records' labels remembered
    (``results``), the data version read for the results' key (``list_context``)."""
    filters = form_class(QueryDict(query), **kwargs)
    filters.results(rows)
    if filters.reads_record:
        filters.record_version()
    return filters


@pytest.fixture
def records():
    """A partnership with a field and an action item, a person, an organisation in a
    city; texts that must be escaped."""
    field = FieldOfCooperationFactory(name="Văn hóa <&> “nghệ thuật”", name_en="Culture & arts")
    home = HomeCityFactory(name="Hà Nội")
    partner = CityFactory(name='Viêng "Chăn"', country="LA")
    partnership = PartnershipFactory(home_city=home, partner_city=partner)
    partnership.fields.add(field)
    organisation = OrganisationFactory(name="Sở <Ngoại vụ>", city=partner, country="LA")
    ActionItemFactory(partnership=partnership, owner_organisation=organisation)
    PersonFactory(full_name="Nguyễn Văn Thử", country="LA")
    return {"field": field, "home": home, "partnership": partnership, "org": organisation}


FORMS = {
    PartnershipFilterForm: Partnership,
    PersonFilterForm: Person,
    OrganisationFilterForm: Organisation,
    AgreementFilterForm: Agreement,
    VisitFilterForm: Visit,
    ActionItemFilterForm: ActionItem,
    MyWorkFilterForm: ActionItem,
}


def queries(form_class, records) -> list[str]:
    """None, some valid filters, and some that show errors (a record typed that none
    matches, a date, a choice)."""
    p, field, home, org = records["partnership"], records["field"], records["home"], records["org"]
    return {
        PartnershipFilterForm: [
            f"country=LA&status=active&field={field.pk}&home_city={home.pk}&sort=-established",
            "q=%3Cb%3E%22x%22&status=bogus&home_city=999999",
        ],
        PersonFilterForm: [
            f"organisation={org.pk}&country=LA&sort=-updated",
            "organisation=zzz&country=ZZ",
        ],
        OrganisationFilterForm: [
            "city=Vi%C3%AAng&kind=education&sort=kind",
            "city=nowhere&kind=bad",
        ],
        AgreementFilterForm: [
            f"partnership={p.pk}&kind=mou&signed_from=01/01/2020&field={field.pk}",
            "partnership=zzz&signed_until=31/02/2020&sort=nope",
        ],
        VisitFilterForm: [
            "partnership=H%C3%A0+N%E1%BB%99i&direction=incoming&date_from=01/01/2020",
            "date_until=xx&field=999999&status=planned",
        ],
        ActionItemFilterForm: [
            f"status=open&mine=on&due=overdue&owner_organisation={org.pk}&q=%22%26",
            "due_from=xx&owner_organisation=999999&sort=-priority",
        ],
        MyWorkFilterForm: ["due=overdue&sort=status", "due=bogus"],
    }[form_class]


@pytest.mark.parametrize("form_class", FORMS)
def test_a_lists_form_from_the_cache_is_the_template_rendered_afresh(
    form_class, records, monkeypatch
):
    rows = FORMS[form_class]._default_manager.all()
    kwargs = {"user": editor()} if form_class is ActionItemFilterForm else {}
    for language in ("vi", "en"):
        for query in ["", *queries(form_class, records)]:
            build = functools.partial(as_the_view_builds_it, form_class, query, rows, **kwargs)
            with translation.override(language):
                expected = rendered(INCLUDED, build())
                first = rendered(CACHED, build())
                # The next one is served from the cache (its template is not read).
                with monkeypatch.context() as patched:
                    patched.setattr(list_filters, "TEMPLATE", "no/such/template.html")
                    again = rendered(CACHED, build())
            assert first == again == expected, (language, query)
        assert 'class="error"' in expected  # the last query's


def test_a_change_to_the_record_shows_in_the_form_at_once(records):
    query = "city=Minsk"
    rows = Organisation.objects.all()
    with translation.override("en"):
        before = rendered(CACHED, as_the_view_builds_it(OrganisationFilterForm, query, rows))
        assert "Nothing recorded is called “Minsk”" in before
        minsk = CityFactory(name="Minsk")
        filters = as_the_view_builds_it(OrganisationFilterForm, query, rows)
        after = rendered(CACHED, filters)
        assert after == rendered(INCLUDED, filters)
    assert f"Minsk (#{minsk.pk})" in after
    assert 'class="error"' not in after


def test_the_key_tells_apart_languages_queries_and_where_the_form_is_sent(records):
    rows = Partnership.objects.all()

    def key(query="", language="vi", action=ACTION, target=TARGET):
        with translation.override(language):
            filters = as_the_view_builds_it(PartnershipFilterForm, query, rows)
            return filters.html_key(action, target)

    keys = {key(), key("status=active"), key(language="en"), key(action="/x/"), key(target="t")}
    assert len(keys) == 5
    # The same form on every page of the list, whatever the order of the query.
    assert key("page=3") == key()
    assert key("status=active&q=a") == key("q=a&status=active")


def test_nothing_is_cached_inside_a_transaction(records):
    with transaction.atomic():
        filters = as_the_view_builds_it(PartnershipFilterForm, "", Partnership.objects.all())
        assert filters.html_key(ACTION, TARGET) is None
        assert rendered(CACHED, filters) == rendered(INCLUDED, filters)


def test_my_works_form_reads_nothing_from_the_record_for_its_key():
    filters = MyWorkFilterForm(QueryDict("due=overdue"))
    with CaptureQueriesContext(connection) as queries:
        key = filters.html_key(ACTION, TARGET)
    assert key is not None
    assert len(queries) == 0
