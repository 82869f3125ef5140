"""Hostile input: script in every text field, over-long text, wrong types, absurd dates.

Part one stores ``<script>`` in every text field of a whole partnership's
record and fetches every page that shows it, the admin included: the tag must
never come back unescaped. Part two posts hostile values into every field of
every workspace form and htmx endpoint: the answer is the form with its errors
(or a saved record), never a server error.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import models
from django.urls import reverse

from agreements.models import Agreement
from delegations.models import ActionItem, Engagement, Visit
from partnerships.models import City, Organisation, Partnership, Person, Position
from tests import factories as f

PAYLOAD = "<script>alert(1)</script>"
SHORT = "<x7>"  # for fields too short for the whole payload
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
JS_URL = "javascript:alert(1)"
URL = "https://example.org/?q=" + PAYLOAD

pytestmark = pytest.mark.django_db


# --- a record full of markup ---------------------------------------------------


def poison[M: models.Model](instance: M) -> M:
    """Every free-text field of ``instance`` set to markup, saved without validation."""
    for field in instance._meta.concrete_fields:
        if field.choices or field.primary_key or field.name.endswith("_precision"):
            continue
        if isinstance(field, models.URLField):
            setattr(instance, field.attname, URL)
        elif isinstance(field, models.EmailField | models.SlugField):
            continue
        elif isinstance(field, models.CharField | models.TextField):
            room = field.max_length or 10_000
            setattr(instance, field.attname, PAYLOAD if room >= len(PAYLOAD) else SHORT[:room])
    instance.save()
    return instance


@pytest.fixture
def hostile():
    home = poison(f.HomeCityFactory(name="Hà Nội"))
    partner = poison(f.CityFactory(country="LA"))
    f.CityNameFactory(city=partner, name=PAYLOAD)
    organisation = poison(f.OrganisationFactory(city=partner))
    person = poison(f.PersonFactory())
    poison(Position.objects.create(person=person, organisation=organisation, title="x"))
    field = poison(f.FieldOfCooperationFactory())
    partnership = poison(f.PartnershipFactory(home_city=home, partner_city=partner))
    partnership.fields.add(field)
    agreement = poison(f.AgreementFactory(partnership=partnership))
    agreement.fields.add(field)
    poison(f.SignatoryFactory(agreement=agreement, person=person, organisation=organisation))
    visit = poison(f.VisitFactory(partnership=partnership))
    poison(f.VisitParticipantFactory(visit=visit, person=person))
    poison(f.EngagementFactory(visit=visit))
    item = poison(
        f.ActionItemFactory(
            visit=visit,
            agreement=agreement,
            owner_organisation=organisation,
            owner_person=person,
            field=field,
        )
    )
    poison(f.ProgressUpdateFactory(action_item=item))
    return {
        "city": partner,
        "organisation": organisation,
        "person": person,
        "partnership": partnership,
        "agreement": agreement,
        "visit": visit,
        "item": item,
        "field": field,
    }


@pytest.fixture
def staff(client):
    client.force_login(f.administrator(is_staff=True, is_superuser=True))
    return client


def assert_escaped(response, *, shown: bool = False):
    html = response.content.decode()
    where = response.request["PATH_INFO"]
    assert response.status_code == 200, where
    assert PAYLOAD not in html, f"{where} shows the script tag unescaped"
    assert SHORT not in html, f"{where} shows a short tag unescaped"
    if shown:
        assert ESCAPED in html, f"{where} does not show the record's text at all"


WORKSPACE_DETAILS = {
    "partnerships:partnership_detail": "partnership",
    "partnerships:city_detail": "city",
    "partnerships:person_detail": "person",
    "partnerships:organisation_detail": "organisation",
    "agreements:agreement_detail": "agreement",
    "delegations:visit_detail": "visit",
    "delegations:actionitem_detail": "item",
}
WORKSPACE_FORMS = {
    "partnerships:partnership_edit": "partnership",
    "partnerships:city_edit": "city",
    "partnerships:person_edit": "person",
    "partnerships:organisation_edit": "organisation",
    "agreements:agreement_edit": "agreement",
    "delegations:visit_edit": "visit",
    "delegations:actionitem_edit": "item",
    "partnerships:partnership_delete": "partnership",
    "partnerships:city_delete": "city",
    "partnerships:person_delete": "person",
    "partnerships:organisation_delete": "organisation",
    "agreements:agreement_delete": "agreement",
    "delegations:visit_delete": "visit",
    "delegations:actionitem_delete": "item",
}
LISTS = [
    "dashboard",
    "partnerships:partnership_list",
    "partnerships:person_list",
    "partnerships:organisation_list",
    "agreements:agreement_list",
    "delegations:visit_list",
    "delegations:actionitem_list",
]
ADMIN_MODELS = {
    "partnerships_city": "city",
    "partnerships_organisation": "organisation",
    "partnerships_person": "person",
    "partnerships_partnership": "partnership",
    "partnerships_fieldofcooperation": "field",
    "agreements_agreement": "agreement",
    "delegations_visit": "visit",
    "delegations_actionitem": "item",
}


@pytest.mark.parametrize("name", WORKSPACE_DETAILS)
def test_detail_pages_show_markup_as_text(staff, hostile, name):
    record = hostile[WORKSPACE_DETAILS[name]]
    assert_escaped(staff.get(reverse(name, args=[record.pk])), shown=True)


@pytest.mark.parametrize("name", WORKSPACE_FORMS)
def test_forms_and_confirmations_show_markup_as_text(staff, hostile, name):
    record = hostile[WORKSPACE_FORMS[name]]
    assert_escaped(staff.get(reverse(name, args=[record.pk])), shown=True)


@pytest.mark.parametrize("name", LISTS)
def test_lists_and_the_dashboard_show_markup_as_text(staff, hostile, name):
    assert_escaped(staff.get(reverse(name)))


@pytest.mark.parametrize("name", LISTS[1:])
def test_htmx_list_partials_show_markup_as_text(staff, hostile, name):
    response = staff.get(reverse(name), {"q": "alert"}, headers={"HX-Request": "true"})
    assert_escaped(response)


def test_search_results_and_the_echoed_query_are_escaped(staff, hostile):
    response = staff.get(reverse("search"), {"q": PAYLOAD})
    assert_escaped(response, shown=True)
    assert_escaped(staff.get(reverse("search"), {"q": "alert"}), shown=True)


def test_the_htmx_status_answer_shows_markup_as_text(staff, hostile):
    item = hostile["item"]
    prefix = f"item{item.pk}"
    response = staff.post(
        reverse("delegations:actionitem_status", args=[item.pk]),
        {
            f"{prefix}-status": item.status,
            f"{prefix}-note": PAYLOAD,
            f"{prefix}-version": item.version,
            f"{prefix}-date": "",
        },
        headers={"HX-Request": "true", "HX-Target": f"item-{item.pk}"},
    )
    assert_escaped(response)


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_lists_and_change_pages_show_markup_as_text(staff, hostile, model):
    record = hostile[ADMIN_MODELS[model]]
    assert_escaped(staff.get(reverse(f"admin:{model}_changelist")))
    assert_escaped(staff.get(reverse(f"admin:{model}_change", args=[record.pk])), shown=True)


@pytest.mark.parametrize("model", ["partnerships_partnership", "delegations_actionitem"])
def test_admin_history_pages_show_markup_as_text(staff, hostile, model):
    record = hostile[ADMIN_MODELS[model]]
    assert_escaped(staff.get(reverse(f"admin:{model}_history", args=[record.pk])))
    entry = record.history.latest("history_date")
    url = reverse(f"admin:{model}_simple_history", args=[record.pk, entry.history_id])
    assert_escaped(staff.get(url), shown=True)


# --- hostile values posted into every form -------------------------------------


class FormFields(HTMLParser):
    """Names and kinds of the fields of the page's POST forms; options of selects."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self.selected: dict[str, str] = {}
        self._current: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = {}
            self.forms.append(self._current)
        elif self._current is not None and tag == "option" and self._select:
            self.options[self._select].append(a.get("value") or "")
            if "selected" in a:
                self.selected.setdefault(self._select, a.get("value") or "")
        elif self._current is not None and a.get("name"):
            if tag == "input":
                kind = (a.get("type") or "text").lower()
                if kind not in ("submit", "button", "reset"):
                    self._current.setdefault(a["name"], f"{kind}:{a.get('value') or ''}")
            elif tag in ("select", "textarea"):
                kind = "multiselect" if "multiple" in a else tag
                self._current.setdefault(a["name"], f"{kind}:")
                if tag == "select":
                    self._select = a["name"]
                    self.options.setdefault(a["name"], [])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def main_form(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return max(parser.forms, key=len)


def hostile_data(fields: dict[str, str], value) -> dict[str, str]:
    """Every field set to ``value``; hidden bookkeeping (version, management forms) kept."""
    data = {}
    for name, spec in fields.items():
        kind, _, default = spec.partition(":")
        if name == "csrfmiddlewaretoken" or kind == "hidden":
            data[name] = default
        elif kind in ("checkbox", "radio"):
            data[name] = value if isinstance(value, str) else "on"
        else:
            data[name] = value
    return data


HOSTILE_VALUES = {
    "script": PAYLOAD,
    "over-long text": "ĐàNẵng " * 1_000,
    "NUL byte": "abc\x00def",
    "year zero": "00/00/0000",
    "year 99999": "31/12/99999",
    "ISO year 99999": "99999-12-31",
    "impossible day": "31/02/2025",
    "negative number": "-1",
    "huge number": "9" * 40,
    "not a number": "NaN",
    "unknown id": "2147483648",
    "unicode controls": "\u202e\u200b\ufeff",
}
CREATE_FORMS = [
    "partnerships:partnership_create",
    "partnerships:city_create",
    "partnerships:person_create",
    "partnerships:organisation_create",
    "agreements:agreement_create",
    "delegations:visit_create",
    "delegations:actionitem_create",
]
EDIT_FORMS = [name for name in WORKSPACE_FORMS if name.endswith("_edit")]
ALLOWED = {200, 302, 409, 422}


@pytest.fixture
def editor_client(client):
    client.force_login(f.editor())
    return client


def model_counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (City, Organisation, Person, Partnership, Agreement, Visit, ActionItem, Engagement)
    }


@pytest.mark.parametrize("name", CREATE_FORMS + EDIT_FORMS)
def test_hostile_values_in_every_field_get_form_errors_not_a_server_error(
    editor_client, hostile, name
):
    key = WORKSPACE_FORMS.get(name)
    url = reverse(name, args=[hostile[key].pk]) if key else reverse(name)
    fields = main_form(editor_client.get(url).content.decode())
    assert fields, f"{url} has no form"
    for label, value in HOSTILE_VALUES.items():
        before = model_counts()
        response = editor_client.post(url, hostile_data(fields, value))
        assert response.status_code in ALLOWED, f"{label}: HTTP {response.status_code}"
        if response.status_code in (200, 422):
            assert model_counts() == before, f"{label}: a refused form saved something"
        assert PAYLOAD not in response.content.decode(), f"{label}: echoed unescaped"


@pytest.mark.parametrize("name", [*LISTS[1:], "search"])
def test_hostile_filters_and_page_numbers_do_not_break_lists(editor_client, hostile, name):
    url = reverse(name)
    for value in ("<script>", "abc", "-1", "99999999999999999999", "\x00", "' OR 1=1 --"):
        params = {
            "q": value,
            "page": value,
            "status": value,
            "partnership": value,
            "field": value,
            "sort": value,
            "year": value,
        }
        response = editor_client.get(url, params)
        assert response.status_code in (200, 400, 404), f"{value!r}: HTTP {response.status_code}"
        assert "<script>" not in response.content.decode(), f"{value!r} echoed unescaped"


def test_hostile_values_in_the_htmx_status_change_get_errors_not_a_server_error(
    editor_client, hostile
):
    item = hostile["item"]
    prefix = f"item{item.pk}"
    url = reverse("delegations:actionitem_status", args=[item.pk])
    for label, value in HOSTILE_VALUES.items():
        data = {
            f"{prefix}-status": value,
            f"{prefix}-note": value,
            f"{prefix}-date": value,
            f"{prefix}-version": value if label.endswith("number") else item.version,
        }
        response = editor_client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code in ALLOWED, f"{label}: HTTP {response.status_code}"


@pytest.mark.parametrize(
    ("name", "field"),
    [("partnerships:organisation_edit", "website"), ("delegations:visit_edit", "source_url")],
)
def test_links_can_only_be_saved_as_web_addresses(editor_client, hostile, name, field):
    # Stored links are rendered as <a href>; only http(s) addresses get in.
    record = hostile["organisation" if "organisation" in name else "visit"]
    url = reverse(name, args=[record.pk])
    fields = main_form(editor_client.get(url).content.decode())
    for value in (JS_URL, "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>"):
        data = hostile_data(fields, "")
        data.update({k: v.partition(":")[2] for k, v in fields.items() if k not in data})
        data[field] = value
        response = editor_client.post(url, data)
        assert response.status_code in (200, 422), value
        assert field in response.context["form"].errors, value


def test_a_request_body_over_the_upload_limit_is_refused_with_400(editor_client, settings):
    url = reverse("delegations:actionitem_create")
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = editor_client.post(url, {"description": big})
    assert response.status_code == 400
    assert not ActionItem.objects.filter(description__startswith="xxx").exists()
