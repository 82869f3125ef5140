"""The fast widgets write exactly the HTML of Django's template-rendered ones."""

import datetime as dt
import re
import unittest.mock
from typing import cast

import pytest
from django import forms
from django.utils import translation

from common.fast_widgets import FAST, FastInputMixin, speed_up_widgets
from delegations.forms import StatusForm
from tests.factories import ActionItemFactory


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


VALUES = [None, "", "Hà Nội", 'a "quoted" <b>&amp;</b>', 42, "dòng 1\ndòng 2"]
ATTRS = [None, {"rows": 2}, {"required": True, "disabled": False, "class": "x y"}]


@pytest.mark.parametrize("plain", [forms.TextInput, forms.HiddenInput, forms.Textarea])
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("attrs", ATTRS)
def test_fast_widget_renders_like_django(plain, value, attrs):
    assert FAST[plain](attrs=attrs).render("note", value, {"id": "id_note"}) == plain(
        attrs=attrs
    ).render("note", value, {"id": "id_note"})


@pytest.mark.parametrize("value", [None, "", "agreed", ["done"]])
def test_fast_select_renders_like_django(value):
    choices = [("", "---------"), ("agreed", "Đã thống nhất"), ("done", 'Xong "<ok>"')]
    fast_select = cast(type[forms.Select], FAST[forms.Select])
    fast = fast_select(choices=choices).render("status", value, {"id": "id_s"})
    plain = forms.Select(choices=choices).render("status", value, {"id": "id_s"})
    assert squeeze(fast) == squeeze(plain)  # the same but for the template's indentation


@pytest.mark.django_db
def test_status_form_renders_the_same_html_with_fast_widgets():
    item = ActionItemFactory()
    fast = StatusForm(instance=item, prefix="item1")
    plain = StatusForm(instance=item, prefix="item1")
    for field in plain.fields.values():  # back to Django's own widgets
        for slow, quick in FAST.items():
            if type(field.widget) is quick:
                field.widget.__class__ = slow
    for name in ("status", "note", "version"):
        if name in fast.fields:
            assert squeeze(str(fast[name])) == squeeze(str(plain[name]))
    assert any(type(f.widget) in FAST.values() for f in fast.fields.values())


def test_speed_up_leaves_other_widgets_alone():
    class F(forms.Form):
        when = forms.DateTimeField(widget=forms.DateTimeInput)
        many = forms.MultipleChoiceField(choices=[("a", "A")])

    form = F()
    speed_up_widgets(form)
    assert type(form.fields["when"].widget) is forms.DateTimeInput
    assert type(form.fields["many"].widget) is forms.SelectMultiple


DATES = [None, "", dt.date(2026, 2, 9), "09/02/2026", "not a date"]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("value", DATES)
@pytest.mark.parametrize("attrs", ATTRS)
def test_fast_date_input_renders_like_django(language, value, attrs):
    """The lists' "due from"/"due until" boxes (issue 16), formatted as Django formats them."""
    with translation.override(language):
        fast = FAST[forms.DateInput](attrs=attrs).render("due_from", value, {"id": "id_d"})
        plain = forms.DateInput(attrs=attrs).render("due_from", value, {"id": "id_d"})
    assert fast == plain


@pytest.mark.parametrize("value", [None, "", True, False, "on", "1", 0, "x"])
@pytest.mark.parametrize("attrs", ATTRS)
def test_fast_checkbox_renders_like_django(value, attrs):
    """ "Assigned to me" on the action items list: ticked exactly when Django ticks it."""
    fast = FAST[forms.CheckboxInput](attrs=attrs).render("mine", value, {"id": "id_mine"})
    plain = forms.CheckboxInput(attrs=attrs).render("mine", value, {"id": "id_mine"})
    assert fast == plain


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"mine": "on", "due_from": "01/02/2026", "due_until": "bad", "partnership": "Hà Nội"},
        {"partnership": "999999", "q": 'a "b" <c>'},
    ],
)
def test_a_list_filter_form_renders_the_same_html_with_fast_widgets(data):
    """Every filter of the action items list (dates, checkbox, the typed picker's box)
    writes what Django's template-rendered widgets write."""
    from common.autocomplete import AutocompleteInput
    from delegations.forms import ActionItemFilterForm

    fast = ActionItemFilterForm(data)
    plain = ActionItemFilterForm(data)
    for field in plain.fields.values():
        for slow, quick in FAST.items():
            if type(field.widget) is quick:
                field.widget.__class__ = slow
    picker = plain.fields["partnership"].widget
    assert isinstance(picker, AutocompleteInput)
    fast.is_valid()
    plain.is_valid()
    with unittest.mock.patch.object(
        AutocompleteInput, "render", _django_box(AutocompleteInput.render)
    ):
        expected = {name: squeeze(str(plain[name])) for name in plain.fields}
    for name in fast.fields:
        assert squeeze(str(fast[name])) == expected[name], name
    assert type(fast.fields["mine"].widget) is FAST[forms.CheckboxInput]
    assert type(fast.fields["due_from"].widget) is FAST[forms.DateInput]


def _django_box(render):
    """The picker's render with its box written by Django's own TextInput template."""

    def patched(self, name, value, attrs=None, renderer=None):
        with unittest.mock.patch.object(FastInputMixin, "render", forms.TextInput.render):
            return render(self, name, value, attrs, renderer)

    return patched


@pytest.mark.django_db(transaction=True)  # outside a transaction: the choices are cached
def test_cached_choices_options_are_written_once_and_render_like_django():
    """The options of a drop-down of cached choices are kept per data version; each render
    (whatever is selected, in either language) is still exactly Django's HTML."""
    from django.utils import translation

    from common import fast_widgets
    from partnerships.choices import partnership_field
    from tests.factories import PartnershipFactory

    partnerships = [PartnershipFactory() for _ in range(3)]

    class F(forms.Form):
        partnership = partnership_field(required=False, empty_label="— tất cả —")

    def both(value: object) -> tuple[str, str]:
        fast = F(data={"partnership": value})
        speed_up_widgets(fast)
        plain = F(data={"partnership": value})
        return str(fast["partnership"]), str(plain["partnership"])

    fast_widgets._OPTIONS.clear()
    for value in ["", partnerships[1].pk, partnerships[2].pk, "", "not a pk"]:
        fast, plain = both(value)
        assert squeeze(fast) == squeeze(plain)
    assert len(fast_widgets._OPTIONS) == 1  # written once for all five
    with translation.override("en"):
        fast, plain = both(partnerships[0].pk)
        assert squeeze(fast) == squeeze(plain)
    PartnershipFactory()  # a new version: the options are written afresh, with the new one
    fast, plain = both("")
    assert squeeze(fast) == squeeze(plain)
    assert fast.count("<option") == 5


@pytest.mark.django_db(transaction=True)  # outside a transaction: the choices are cached
def test_cached_choices_options_are_kept_across_versions_while_the_choices_are_the_same():
    """Issue 16: a change to an agreement makes a new data version; the partnerships'
    options read again under it are the same, and their HTML is not written again."""
    from common import fast_widgets
    from partnerships.choices import partnership_field
    from tests.factories import PartnershipFactory
    from workspace import freshness

    PartnershipFactory()

    class F(forms.Form):
        partnership = partnership_field(required=False)

    def render() -> str:
        form = F(data={})
        speed_up_widgets(form)
        return str(form["partnership"])

    fast_widgets._OPTIONS.clear()
    first = render()
    [kept] = fast_widgets._OPTIONS.values()
    before = freshness.cache_version()
    freshness.bump(apps=["agreements"])
    assert freshness.cache_version() != before
    assert render() == first
    [again] = fast_widgets._OPTIONS.values()
    assert again is kept


@pytest.mark.parametrize("value", ["", "c7", "c42"])
def test_a_long_plain_list_of_options_is_written_once_and_renders_like_django(value):
    """Issue 16: the country filters (249 countries at scale 4) kept their options' HTML
    only when the choices were cached model choices; a long plain list now too."""
    from common import fast_widgets

    choices = [("", "—")] + [
        (f"c{n}", f"Country <{n}> & co") for n in range(fast_widgets.LONG_LIST)
    ]
    fast_select = cast(type[forms.Select], FAST[forms.Select])
    fast_widgets._OPTIONS.clear()
    first = fast_select(choices=choices).render("country", value, {"id": "id_c"})
    assert len(fast_widgets._OPTIONS) == 1
    again = fast_select(choices=list(choices)).render("country", value, {"id": "id_c"})
    plain = forms.Select(choices=choices).render("country", value, {"id": "id_c"})
    assert first == again
    assert squeeze(first) == squeeze(plain)
    short = fast_select(choices=choices[:3]).render("country", value, {"id": "id_c"})
    assert len(fast_widgets._OPTIONS) == 1  # a short list is written each time
    assert squeeze(short) == squeeze(
        forms.Select(choices=choices[:3]).render("country", value, {"id": "id_c"})
    )
