"""Forms render through the project form renderer (common/forms_rendering.py); the record
forms lay their fields out with ``form|fields:"…"``; list and form pages extend one page each
(common/templates/common/list_page.html, record_form.html)."""

import re

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from agreements.forms import AgreementForm
from tests.factories import PartnershipFactory, editor
from tests.test_hostile_input import CREATE_FORMS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source texts (the office's default is Vietnamese)."""
    settings.LANGUAGE_CODE = "en"


class NoteForm(forms.Form):
    title = forms.CharField(help_text="Short and clear.")
    urgent = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict:
        raise forms.ValidationError("Nothing was saved.")


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_a_field_shows_its_label_help_and_error_next_to_it():
    html = squeeze(NoteForm({})["title"].as_field_group())
    assert html == (
        '<div class="field field-invalid field-required">'
        '<label for="id_title">Title</label>'
        '<input type="text" name="title" required aria-invalid="true" '
        'aria-describedby="id_title_helptext id_title_error" id="id_title">'
        '<small id="id_title_helptext">Short and clear.</small>'
        '<small class="error" id="id_title_error">This field is required.</small></div>'
    )


def test_a_checkbox_sits_inside_its_label():
    html = squeeze(NoteForm()["urgent"].as_field_group())
    assert html == (
        '<div class="field"><label for="id_urgent">'
        '<input type="checkbox" name="urgent" id="id_urgent"> Urgent</label></div>'
    )


def test_a_whole_form_shows_its_own_errors_then_hidden_then_visible_fields():
    html = squeeze(str(NoteForm({"title": "x"})))
    assert html.startswith(
        '<div class="form-errors" role="alert"><p>Nothing was saved.</p></div>'
        '<input type="hidden" name="version" id="id_version">'
        '<div class="field field-required"><label for="id_title">Title</label>'
    )


def test_a_management_form_keeps_django_rendering_with_its_errors():
    formset = forms.formset_factory(NoteForm)({})
    html = str(formset.management_form)
    assert '<ul class="errorlist nonfield">' in html
    assert "(Hidden field TOTAL_FORMS)" in html


def test_the_partnership_choice_carries_the_button_that_narrows_the_lists_without_javascript():
    html = AgreementForm()["partnership"].as_field_group()
    assert html.index('name="partnership"') < html.index(
        '<button type="submit" name="refresh" value="partnership" class="no-js-only'
    )


def test_a_layout_names_fields_in_its_order():
    template = Template(
        "{% load form_layout %}{% for field in form|fields:'urgent title' %}{{ field.name }} {% endfor %}"
    )
    assert template.render(Context({"form": NoteForm()})) == "urgent title "


def test_a_misspelt_field_in_a_layout_fails_loudly():
    template = Template("{% load form_layout %}{% for field in form|fields:'titel' %}{% endfor %}")
    with pytest.raises(KeyError, match="titel"):
        template.render(Context({"form": NoteForm()}))


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_a_record_form_page_lays_out_every_field_of_its_form_once(client, name):
    PartnershipFactory()
    client.force_login(editor())
    response = client.get(reverse(name))
    form = response.context["form"]
    for field in form:
        assert response.text.count(f'id="{field.auto_id}"') == 1, field.name


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_a_record_form_partial_is_the_form_alone(client, name):
    client.force_login(editor())
    response = client.get(reverse(name), headers={"HX-Request": "true"})
    html = response.text.strip()
    assert html.startswith('<form id="record-form"')
    assert html.endswith("</form>")


LIST_PAGES = {
    "partnerships:partnership_list": "partnership-results",
    "partnerships:person_list": "person-results",
    "partnerships:organisation_list": "organisation-results",
    "agreements:agreement_list": "agreement-results",
    "delegations:visit_list": "visit-results",
    "delegations:actionitem_list": "actionitem-results",
}


@pytest.mark.parametrize(("name", "results"), LIST_PAGES.items())
def test_a_list_page_filters_into_its_results(client, name, results):
    client.force_login(editor())
    html = client.get(reverse(name)).text
    form_tag = re.search(r'<form class="filters records-filters"[^>]*>', html)
    assert form_tag is not None
    filters = form_tag.group()
    assert f'hx-target="#{results}"' in filters
    assert f'<div id="{results}" hx-target="#{results}"' in html


@pytest.mark.parametrize(("name", "results"), LIST_PAGES.items())
def test_a_list_partial_is_the_results_alone(client, name, results):
    client.force_login(editor())
    headers = {"HX-Request": "true", "HX-Target": results}
    html = client.get(reverse(name), headers=headers).text.strip()
    assert html.startswith(f'<div id="{results}"')
    assert html.endswith("</div>")
    assert "records-filters" not in html
