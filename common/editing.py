"""The create / edit / delete flow shared by the records workspace's views.

Responses (documented here once for every form of agreements, visits, action items):

* plain POST, saved            → 302 to the record's page (Post/Redirect/Get), with a message;
                                 with ``then=add_another`` ("Save and add another" on a new
                                 record's form) 302 to the same blank form instead
* htmx POST, saved             → 204 + ``HX-Redirect`` to the record's page
* plain POST, invalid          → 422, the whole page with errors next to the fields
* htmx POST, invalid           → 200, only the form partial (htmx swaps 2xx answers only)
* plain POST, edit conflict    → 409, the whole page with the conflict explained and a
                                 form rebased on the fresh version
* htmx POST, edit conflict     → 200, the form partial with the same
* delete refused (dependants)  → 409, the confirmation page listing what depends on it
* POST with ``add_row=<formset prefix>`` (the "Add a row" button of an inline table)
                               → 200, the same form with one more blank row, nothing saved
                                 and no errors shown (the partial for htmx, the page otherwise)
* POST with ``quick_add=<kind>:<field>`` (the "New person" button beside a picker)
                               → 302 to that kind's create page, the form kept in the
                                 session; once the record is saved, 302 back here, where
                                 ``?restore=`` shows the form again with the record picked
                                 (common/quick_add.py)
* POST with ``refresh=<field>`` (a choice that narrows other lists changed: the partnership)
                               → 200, the same form re-rendered, nothing saved, no errors
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.db import models
from django.forms.utils import ErrorDict
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from common import quick_add
from common.concurrency import EditConflict, InlineFormSet, VersionedFormMixin
from common.htmx import render_partial_or_page, wants_partial
from common.http_request import HtmxRequest
from common.permissions import try_delete


def redirect_to(request: HtmxRequest, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def save_or_render(  # noqa: PLR0913 (keyword-only options of the one save flow of every edit view)
    request: HtmxRequest,
    form: VersionedFormMixin,
    template: str,
    *,
    formsets: dict[str, InlineFormSet] | None = None,
    context: Mapping[str, Any] | None = None,
    partial: str = "record-form",
    saved_message: str = "",
) -> HttpResponse:
    """Validate and save ``form`` (+ inline ``formsets``) on POST, or render the page."""
    formsets = formsets or {}
    conflict, status = None, HTTPStatus.OK
    obj: Any
    if (to_create := quick_add.start(request)) is not None:
        return to_create  # "New person" pressed without JavaScript: the form is kept
    if quick_add.in_dialog(request):
        template, partial, formsets = quick_add.DIALOG_TEMPLATE, quick_add.DIALOG_PARTIAL, {}
    if (shown_again := _redisplay_data(request, formsets)) is not None:
        form, formsets = redisplayed(request, form, formsets, shown_again)
    elif request.method == "POST":
        # Validate every part so that all errors show at once.
        results = [form.is_valid()] + [fs.is_valid() for fs in formsets.values()]
        if all(results):
            try:
                obj = form.save_versioned(formsets=list(formsets.values()))
            except EditConflict as error:
                form, conflict = form.rebase(error)
                conflict.note_changed_parts(error, formsets.values())
                formsets = {
                    name: type(fs)(fs.data, fs.files, instance=error.current, prefix=fs.prefix)
                    for name, fs in formsets.items()
                }
                status = HTTPStatus.CONFLICT
            else:
                return after_save(request, obj, saved_message)
        else:
            status = HTTPStatus.UNPROCESSABLE_ENTITY
    page = {"form": form, "formsets": formsets, "conflict": conflict, **(context or {})}
    page["dialog_fields"] = quick_add.DIALOG_FIELDS
    if not wants_partial(request):
        return render_partial_or_page(request, template, page, partial, status=status)
    response = render_partial_or_page(request, template, page, partial)
    if status != HTTPStatus.OK and not quick_add.in_dialog(request):
        # The conflict message and form-wide errors sit at the top of the form: show them.
        response["HX-Reswap"] = "outerHTML show:#record-form:top"
    return response


def _redisplay_data(request: HtmxRequest, formsets: dict[str, InlineFormSet]) -> QueryDict | None:
    """The data of a form shown again, nothing saved: back from a quick-add, or a POST
    that adds a row or refreshes the narrowed lists."""
    if (kept := quick_add.restored(request)) is not None:
        return kept
    if request.method == "POST" and (
        request.POST.get(ADD_ROW) in formsets or request.POST.get(REFRESH)
    ):
        return request.POST.copy()
    return None


ADD_ROW = "add_row"
REFRESH = "refresh"
THEN = "then"
ADD_ANOTHER = "add_another"


def after_save(request: HtmxRequest, obj: models.Model, saved_message: str) -> HttpResponse:
    """To the record's page; with "Save and add another" (``then=add_another``), back to
    the same blank form (its query string kept: ``?partnership=`` stays preselected);
    a record added from inside another form goes back there (common/quick_add.py)."""
    if (picked := quick_add.finish(request, obj)) is not None:
        return picked
    if request.POST.get(THEN) == ADD_ANOTHER:
        messages.success(
            request,
            _("%(saved)s Fill in the next one.") % {"saved": saved_message or _("Saved.")},
        )
        return redirect_to(request, request.get_full_path())
    messages.success(request, saved_message or _("Saved."))
    return redirect_to(request, obj.get_absolute_url())  # type: ignore[attr-defined]


def redisplayed(
    request: HtmxRequest,
    form: VersionedFormMixin,
    formsets: dict[str, InlineFormSet],
    kept: QueryDict | None = None,
) -> tuple[VersionedFormMixin, dict[str, InlineFormSet]]:
    """The posted (or ``kept``) form and formsets again (one blank row more if asked),
    without errors."""
    data = kept if kept is not None else request.POST.copy()
    if data.get(ADD_ROW) in formsets:
        key = f"{data[ADD_ROW]}-TOTAL_FORMS"
        try:
            data[key] = str(int(data.get(key, 0)) + 1)
        except ValueError:
            data[key] = "1"
    form = type(form)(data, request.FILES, instance=form.instance, **form._init_kwargs)
    formsets = {
        name: type(fs)(data, request.FILES, instance=fs.instance, prefix=fs.prefix)
        for name, fs in formsets.items()
    }
    # Nothing was submitted for saving: show the rows without complaining about them.
    _without_errors(form)
    for fs in formsets.values():
        _formset_without_errors(fs)
    return form, formsets


# Django has no public way to mark a bound form as validated without errors: these set the
# caches ``errors`` reads (private, hence absent from django-stubs: the parameters are Any).
def _without_errors(form: Any) -> None:
    form._errors = ErrorDict()


def shown_without_errors(form: Any) -> None:
    """A bound form shown again before anything was submitted for saving (no errors)."""
    _without_errors(form)


def _formset_without_errors(formset: Any) -> None:
    formset._errors, formset._non_form_errors = [], formset.error_class()
    for row in formset.forms:
        _without_errors(row)


def delete_or_explain(
    request: HtmxRequest, obj: models.Model, *, success_url: str, cancel_url: str
) -> HttpResponse:
    """GET: ask. POST: delete, or explain which records still depend on ``obj``."""
    blockers, status = [], HTTPStatus.OK
    if request.method == "POST":
        name = str(obj)
        blockers = try_delete(obj)
        if not blockers:
            messages.success(request, _("“%(name)s” was deleted.") % {"name": name})
            return redirect_to(request, success_url)
        status = HTTPStatus.CONFLICT
    context = {
        "object": obj,
        "verbose_name": obj._meta.verbose_name,
        "blockers": blockers,
        "cancel_url": cancel_url,
    }
    return render(request, "includes/records_confirm_delete.html", context, status=status)
