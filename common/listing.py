"""List pages and inline formsets of the records workspace (agreements, visits, action items).

``ListFilterForm`` is a GET form of filters plus ``sort``; ``results()`` applies the
valid filters (an invalid one shows its error and is ignored) and the chosen order.
``paginate`` cuts a page. ``SharedChoicesFormSet`` renders the person/organisation
drop-downs of every row from one query instead of one query per row.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from common.fast_widgets import speed_up_widgets

PER_PAGE = 25


class ListFilterForm(forms.Form):
    SORTS: dict[str, tuple[str, str]] = {}
    default_sort = ""

    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.fields["sort"].choices = [(key, label) for key, (_f, label) in self.SORTS.items()]
        self.fields["sort"].initial = self.default_sort
        speed_up_widgets(self)  # long drop-downs (partnerships) render in one pass (issue 6)

    def filter(self, queryset):
        return queryset

    def ordering(self):
        key = (self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else "") or ""
        field = self.SORTS.get(key or self.default_sort, ("pk", ""))[0]
        if field.startswith("-"):
            return [F(field[1:]).desc(nulls_last=True), "-pk"]
        return [F(field).asc(nulls_last=True), "pk"]

    def results(self, queryset):
        self.is_valid()  # cleaned_data keeps the valid filters; errors show on the form
        return self.filter(queryset).order_by(*self.ordering())

    @property
    def active(self) -> bool:
        """Some filter other than the sort order is set."""
        return any(v for k, v in self.data.items() if k not in ("sort", "page"))


def paginate(request, queryset, per_page: int = PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


class SharedChoicesFormSet(forms.BaseInlineFormSet):
    """Inline formset whose rows share their drop-down choices (one query per field)."""

    def __init__(self, *args, **kwargs):
        self._shared_choices = {}
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        for name, field in form.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or field.widget.is_hidden:
                continue
            if name not in self._shared_choices:
                self._shared_choices[name] = list(field.choices)
            field.choices = self._shared_choices[name]
        return form
