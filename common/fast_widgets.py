"""Widgets that render in Python the HTML Django's templates would (issue 6: scale).

Django's ``Select`` renders every ``<option>`` through a template include, about
0.2 ms each: a filter listing the office's 400 partnerships spent more time on its
drop-down than on the page's queries. ``FastSelect`` writes the same HTML (values
and labels escaped with ``format_html``) in one pass; option groups fall back to
Django's own rendering. The inputs and the text area do the same for forms repeated
on every row of a page (an action item's inline status change): each template-rendered
widget costs about 0.4 ms, three per row, 25 rows a page; a list's filters have date
boxes, a checkbox and a typed picker's box (common/autocomplete.py) besides.
"""

from typing import TYPE_CHECKING, Any, override

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from django.forms.widgets import Input as _InputBase  # what the mixin is mixed into
else:
    _InputBase = object

# Attributes as Django's widgets take them.
type Attrs = dict[str, Any] | None
# A drop-down's options: each one's HTML (none selected) and its value.
type Options = tuple[list[SafeString], list[str]]

# The options' HTML of cached choices, per process, by the choices themselves.
OPTIONS_KEPT = 64
# From this many options a plain list's HTML is kept too (its key costs a fraction of
# writing it: the country filters' 249 options took ~2 ms a page, issue 16).
LONG_LIST = 50
_OPTIONS: dict[tuple[tuple[str, str], ...], Options] = {}


class FastSelect(forms.Select):
    @override
    def render(
        self, name: str, value: Any, attrs: Attrs = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        selected = {str(v) for v in self.format_value(value)}
        options = self._options()
        if options is None:
            return super().render(name, value, attrs, renderer)
        html, values = options
        if selected:
            html = list(html)
            for index, text in enumerate(values):
                if text in selected:
                    html[index] = _selected(text, html[index])
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            _attrs(self, attrs),
            mark_safe("\n".join(html)),  # noqa: S308 (each option built by format_html)
        )

    def _options(self) -> Options | None:
        """Each option's HTML (none selected) and value; None with option groups.

        The options of cached choices (``common.cached_choices``), and of any long list
        (the countries in use: 249 at scale 4), are written once per process for the same
        choices (issue 16: the 440-partnership filter cost a list
        ~3 ms a page even in one pass). They are kept by the choices' values and labels,
        not by the data version: a change to an agreement makes a new version, but the
        partnerships' options read again under it are the same, and so is their HTML.
        """
        field = getattr(self.choices, "field", None)
        # Reads the cached choices (and sets their key); iter(): list() would ask a
        # ModelChoiceIterator its len(), a COUNT query.
        choices = list(iter(self.choices))
        key = None
        if getattr(field, "choices_key", None) is not None or len(choices) >= LONG_LIST:
            # Labels as text (the empty label may be lazy: translated now).
            key = tuple(
                ("" if value is None else str(value), str(label)) for value, label in choices
            )
            kept = _OPTIONS.get(key)
            if kept is not None:
                return kept
        html, values = [], []
        for option_value, label in choices:
            if isinstance(label, list | tuple):
                return None
            text = "" if option_value is None else str(option_value)
            html.append(format_html('<option value="{}">{}</option>', text, label))
            values.append(text)
        options = (html, values)
        if key is not None:
            if len(_OPTIONS) >= OPTIONS_KEPT:
                _OPTIONS.clear()  # other choices' entries: mostly old ones, never asked for again
            _OPTIONS[key] = options
        return options


def _selected(text: str, html: SafeString) -> SafeString:
    """An option's HTML, selected: ``<option value="…" selected>…``."""
    head = format_html('<option value="{}"', text)
    return mark_safe(head + " selected" + html[len(head) :])  # noqa: S308 (from format_html)


def _attrs(widget: forms.Widget, attrs: Attrs) -> SafeString:
    """The attributes as django/forms/widgets/attrs.html writes them (in order)."""
    parts = []
    for name, value in widget.build_attrs(widget.attrs, attrs).items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value is not False:
            parts.append(format_html(' {}="{}"', name, str(value)))
    return mark_safe("".join(parts))  # noqa: S308 (each part built by format_html)


class FastInputMixin(_InputBase):
    @override
    def render(
        self, name: str, value: Any, attrs: Attrs = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        value = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            format_html(' value="{}"', str(value)) if value is not None else "",
            _attrs(self, attrs),
        )


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastHiddenInput(FastInputMixin, forms.HiddenInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    """The lists' "due from"/"due until" boxes: the value as DateInput formats it."""


class FastCheckboxInput(FastInputMixin, forms.CheckboxInput):
    @override
    def render(
        self, name: str, value: Any, attrs: Attrs = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        # As CheckboxInput.get_context: ticked by check_test; format_value then gives no
        # value for True, False, None and "".
        if self.check_test(value):
            attrs = {**(attrs or {}), "checked": True}
        return super().render(name, value, attrs, renderer)


class FastTextarea(forms.Textarea):
    @override
    def render(
        self, name: str, value: Any, attrs: Attrs = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        value = self.format_value(value)
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>', name, _attrs(self, attrs), value or ""
        )


FAST: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.Select: FastSelect,
    forms.TextInput: FastTextInput,
    forms.HiddenInput: FastHiddenInput,
    forms.Textarea: FastTextarea,
    forms.DateInput: FastDateInput,
    forms.CheckboxInput: FastCheckboxInput,
}


def speed_up_widgets(form: forms.BaseForm) -> None:
    """Render the form's plain drop-downs, text, hidden, date and checkbox inputs and text
    areas in Python (same HTML as Django's templates, one pass each)."""
    for field in form.fields.values():
        fast = FAST.get(type(field.widget))
        if fast is not None:
            field.widget.__class__ = fast
