"""List pages and inline formsets of the records workspace (agreements, visits, action items).

``ListFilterForm`` is a GET form of filters plus ``sort``; ``results()`` applies the
valid filters (an invalid one shows its error and is ignored; a record typed into a
picker that names none or several shows its error and no rows) and the chosen order.
``paginate`` cuts a page; ``list_context`` is a list page's context with its results
cached per data version (``results_cache_key``), as the form's own HTML is
(``ListFilterForm.html_key``). ``SharedChoicesFormSet`` renders the person/organisation
drop-downs of every row from one query instead of one query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import F, OrderBy, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common import permissions
from common.autocomplete import remember_label
from common.cached_choices import share_version
from common.collation import vietnamese
from common.fast_widgets import speed_up_widgets

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PER_PAGE = 25
# A list counts its rows exactly up to this many; past it, "more than 1,000" (issue 16:
# counting 100,000 action items took 3.5 ms a page and grew with the archive).
COUNT_CAP = 1000


class ListFilterForm[Q: QuerySet[Any]](forms.Form):
    """Filters of a list of records; ``Q`` is the list's QuerySet (``ListFilterForm[VisitQuerySet]``)."""

    SORTS: dict[str, tuple[str, StrOrPromise]] = {}
    default_sort = ""
    # Names sorted in Vietnamese alphabetical order (Đ after D, not after Y:
    # common/collation.py), not by code point.
    NAME_FIELDS: frozenset[str] = frozenset()
    # The form shows what the record holds: choices read from it, the names of records
    # typed into a picker, an error saying that none matches. Its HTML is then cached per
    # data version (``html_key``); a form whose choices are all fixed in its class says
    # False, and is cached without reading the version (a query its list may not make).
    reads_record: ClassVar[bool] = True

    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # The form is always bound (its filters come from the URL), so a bound form's
        # drop-down would show its first choice when the URL names no order: the order
        # applied (``default_sort``) is put in the data, so that the control says what
        # the list does and the next htmx submit keeps it (issue 14, finding 2).
        data = data.copy() if data is not None else {}  # a QueryDict's copy is mutable
        if not data.get("sort") and self.default_sort:
            data["sort"] = self.default_sort
        super().__init__(data, **kwargs)
        self.sorts = with_reversed(self.SORTS)
        sort = cast(forms.ChoiceField, self.fields["sort"])
        sort.choices = [(key, label) for key, (_f, label) in self.sorts.items()]
        sort.initial = self.default_sort
        share_version(self)  # cached drop-downs: one read of the data version (issue 16)
        speed_up_widgets(self)  # long drop-downs (partnerships) render in one pass (issue 6)

    def filter(self, queryset: Q) -> Q:
        return queryset

    def ordering(self) -> list[OrderBy | str]:
        key = (self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else "") or ""
        field = self.sorts.get(key or self.default_sort, ("pk", ""))[0]
        name = field.removeprefix("-")
        expression = vietnamese(name) if name in self.NAME_FIELDS else F(name)
        if field.startswith("-"):
            return [expression.desc(nulls_last=True), "-pk"]
        return [expression.asc(nulls_last=True), "pk"]

    def results(self, queryset: Q) -> Q:
        self.is_valid()  # cleaned_data keeps the valid filters; errors show on the form
        for name, field in self.fields.items():
            if not getattr(field, "autocomplete", False):
                continue
            if name in self.errors:
                # A record typed that names none or several: nothing, not every row as if
                # unfiltered (the error says why, in the form and above the results).
                return queryset.none()
            # The box shows "Name (#id)", also when a name was typed without JavaScript.
            remember_label(field, self.cleaned_data.get(name), self.data.get(name))
        return self.filter(queryset).order_by(*self.ordering())

    def html_key(self, action: str, target: str) -> str | None:
        """What the form's HTML (common/list_filters.html, sent to ``action``, swapping
        ``#target``) depends on, as the key it is cached under ({% list_filters %}); None:
        rendered every time (inside a transaction, where the record's version is not
        known; data not from a query).

        Its class (its fields, their fixed choices and labels), the language, the query's
        values (all but the page number: the same form on every page), the record's data
        version when the form reads the record (``reads_record``), and where it is sent.
        So a list's view changes its form only through the form's data and the record:
        any other change (a choice added for one user) would be served to everyone.
        """
        if not isinstance(self.data, MultiValueDict):
            return None
        version = self.record_version() if self.reads_record else "-"  # type: ignore[attr-defined]  # share_version
        if version is None:
            return None
        values = [(k, v) for k, vs in sorted(self.data.lists()) if k != "page" for v in vs]
        form = type(self)
        parts = [f"{form.__module__}.{form.__qualname__}", get_language(), version]
        return "list-filters\n" + "\n".join([*parts, action, target, urlencode(values)])

    def results_for_user(self) -> bool:
        """The results depend on who asks (a filter such as "assigned to me"): their
        cached HTML is then kept per user, not per role (``results_cache_key``)."""
        return False

    @property
    def active(self) -> bool:
        """Some filter other than the sort order is set."""
        return any(v for k, v in self.data.items() if k not in ("sort", "page"))

    @property
    def active_count(self) -> int:
        """How many filters other than the text search and the page are set (the sort
        order counts when it is not the default): the folded filters' summary shows it."""
        return sum(
            1
            for name in self.fields
            if name != "q"
            and self.data.get(name)
            and not (name == "sort" and self.data.get(name) == self.default_sort)
        )


def flipped(key: str) -> str:
    """The same order the other way round: "name" ↔ "-name"."""
    return key[1:] if key.startswith("-") else f"-{key}"


def with_reversed(
    sorts: dict[str, tuple[str, StrOrPromise]],
) -> dict[str, tuple[str, StrOrPromise]]:
    """Every order of a list both ways, so that a column heading can turn it round."""
    both = dict(sorts)
    for key, (field, label) in sorts.items():
        if flipped(key) not in both:
            both[flipped(key)] = (flipped(field), format_lazy(_("{order}, reversed"), order=label))
    return both


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any] | Sequence[Any],
    per_page: int = PER_PAGE,
    *,
    counted: QuerySet[Any] | None = None,
) -> Page[Any]:
    """The requested page of ``queryset``; ``counted``: the same rows, to count (see
    ``CappedPaginator``)."""
    paginator = CappedPaginator(queryset, per_page, counted=counted)
    return paginator.get_page(request.GET.get("page"))


def results_cache_key(request: HttpRequest, filters: ListFilterForm[Any]) -> str | None:
    """What a list's results (count, table, pagination) depend on, as the key of their
    cached HTML (``{% cached_fragment %}`` in common/list_page.html); None (not cached)
    inside a transaction, where the record's version is not known.

    The record's data version (any change to the three apps makes a new key), the day
    (what is overdue, who holds a position now), the language, the user's role, the
    page's address with its query (filters, order, page), and the user when the filters
    make the results the user's own ("assigned to me"). Only for results that show
    nothing else of the user's own: no name, no form state; a CSRF token is put in when
    the fragment is served (common/templatetags/fragments.py), so the action items'
    inline status forms are cached too.
    """
    version = filters.record_version()  # type: ignore[attr-defined]  # share_version
    if version is None:
        return None
    parts = [
        version,
        timezone.localdate().isoformat(),
        get_language(),
        str(permissions.user_role(request.user)),
        request.get_full_path(),
    ]
    if filters.results_for_user():
        parts.append(f"user={request.user.pk}")
    return "list-results\n" + "\n".join(parts)


def list_context[Q: QuerySet[Any]](
    request: HttpRequest,
    filters: ListFilterForm[Q],
    rows: Q,
    *,
    read_page: Callable[[HttpRequest, Q], Page[Any]] = paginate,
) -> dict[str, Any]:
    """A list page's context: its filter form, its page of ``rows`` and the key its results
    are cached under. The page is read lazily (on first use in the template, by
    ``read_page``): results served from the cache cost no query (issue 16: the lists
    near the logged-in floor)."""
    return {
        "filters": filters,
        "page_obj": SimpleLazyObject(lambda: read_page(request, rows)),
        "results_key": results_cache_key(request, filters),
    }


class CappedPaginator(Paginator):
    """A paginator that stops counting at ``COUNT_CAP`` rows.

    Up to the cap the count, the number of pages and the last page are exact (a filter
    that leaves few rows is counted as before). Past it the list is "capped": the count
    reads ``COUNT_CAP + 1`` rows whatever the table's size, a page reads one row more
    than it shows to know whether a next page exists, and every page number is open.

    ``counted``, if given, is counted instead of the rows: the same rows without what only
    showing them needs (annotations of related records' names, whose joins would stay in
    the count's statement: ``ActionItemQuerySet.with_list_names``).
    """

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        cap: int | None = None,
        *,
        counted: QuerySet[Any] | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap or COUNT_CAP
        self.counted = object_list if counted is None else counted

    @cached_property
    def count(self) -> int:
        if isinstance(self.counted, QuerySet):
            # Only the ids: the rows' annotations (a list's ARRAY subqueries, counts)
            # would otherwise be computed for each of up to cap + 1 rows just to count.
            return self.counted.order_by().values("pk")[: self.cap + 1].count()
        return len(self.counted)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number: Any) -> Page[Any]:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number: Any) -> Page[Any]:
        if not self.capped:
            return super().get_page(number)
        try:
            return self.page(number)
        except (PageNotAnInteger, EmptyPage):  # not a number, or past the end: the first page
            return self.page(1)


class CappedPage(Page[Any]):
    """A page of a capped list: whether a next page exists comes from the extra row read."""

    def __init__(self, object_list: Any, number: int, paginator: Paginator, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class SharedChoicesFormSet(forms.BaseInlineFormSet):
    """Inline formset whose rows share their drop-down choices (one query per field)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._shared_choices: dict[str, list[Any]] = {}
        super().__init__(*args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        """The rows with the records their pickers show (``Name (#id)``, no query per row)."""
        if not hasattr(self, "_rows_with_pickers"):  # Django calls it for every row
            pickers = list(getattr(self.form, "pickers", {}))
            rows = super().get_queryset()
            self._rows_with_pickers = rows.select_related(*pickers) if pickers else rows
        return self._rows_with_pickers

    def add_fields(self, form: forms.ModelForm[Any], index: int | None) -> None:
        """After Django adds its own fields to a row: give its drop-downs the shared choices."""
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if getattr(field, "autocomplete", False):
                if form.instance.pk is not None:
                    remember_label(field, getattr(form.instance, name))
                continue
            if not isinstance(field, forms.ModelChoiceField) or field.widget.is_hidden:
                continue
            if name not in self._shared_choices:
                # The field's ModelChoiceIterator: one query, here only.
                self._shared_choices[name] = list(cast("Iterable[Any]", field.choices))
            field.choices = self._shared_choices[name]
