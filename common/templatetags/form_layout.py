"""``{% load form_layout %}``: lay out a form's fields in groups.

``form|fields:"name name_en country"`` is the form's bound fields of those names, in that
order, for a loop that renders each through the form renderer::

    <div class="form-grid">{% for field in form|fields:"name country" %}{{ field.as_field_group }}{% endfor %}</div>

A misspelt name fails loudly (KeyError names the field and the form).
"""

from django import forms, template
from django.forms.boundfield import BoundField

register = template.Library()


@register.filter
def fields(form: forms.BaseForm, names: str) -> list[BoundField]:
    return [form[name] for name in names.split()]
