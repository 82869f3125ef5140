"""The project's form renderer (``FORM_RENDERER`` in config/settings.py).

Django's form-rendering API draws every form of the workspace: ``{{ form }}`` renders
``common/forms/form.html`` (the errors of no single field, the hidden fields, then each
visible field) and ``{{ form.name.as_field_group }}`` renders ``common/forms/field.html``
(label, widget, help text and errors next to the field, with Django's aria attributes).
A field may name its own template (``Field.template_name``), as the partnership choice
that narrows other lists does (``common/dependent_choices.py`` ``refresh_on_change``).

``TemplatesSetting`` loads these through the project's template engine, so templates of
our apps can be used and Django's own widget templates come from ``django.forms`` in
INSTALLED_APPS.
"""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "common/forms/form.html"
    field_template_name = "common/forms/field.html"
