"""Import and export pages: upload → preview (dry run) → confirm; export; the template.

Nothing is written until the editor confirms. Between the two steps the uploaded file
waits under MEDIA_ROOT/imports/ with a random name known only to the editor's session
(``importing.stash_upload``), and it is validated again on confirm. A big file is
previewed and imported by the worker instead (sheets/import_jobs.py): the request
only stashes it, starts the job and redirects to the job's page.

One page serves every sheet (``SheetPage``): agreements, delegation visits, action items.
The URLs keep the names of the record apps' namespaces (config/urls.py adds ``urls.py``'s
patterns to them): ``agreements:import``, ``delegations:visit_import``…
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from agreements.models import Agreement
from common.http_request import AuthenticatedRequest
from common.permissions import editor_required, viewer_required
from delegations.models import ActionItem, Visit
from jobs.services import TooManyJobsError
from sheets import import_jobs, importing
from sheets.exporting import ExportRefusedError
from sheets.forms import ImportForm, ReadingForm, save_mapping
from sheets.importing import Stashed
from sheets.models import ImportLog
from sheets.office import office_bytes
from sheets.registry import resource_for

if TYPE_CHECKING:
    import tablib
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class SheetPage:
    """One sheet's import page: what it is called, its template, where its buttons lead."""

    sheet: str  # an ImportLog.Sheet
    title: StrOrPromise
    import_url: str
    template_url: str
    export_url: str
    done_url: str
    page: str


AGREEMENTS_PAGE = SheetPage(
    sheet=ImportLog.Sheet.AGREEMENTS,
    title=gettext_lazy("Import agreements"),
    import_url="agreements:import",
    template_url="agreements:import_template",
    export_url="agreements:export",
    done_url="agreements:agreement_list",
    page="sheets/import.html",
)


def import_page(request: AuthenticatedRequest, spec: SheetPage) -> HttpResponse:
    """The three steps of one sheet's import, for every sheet (the views are its doors)."""
    sheet = spec.sheet
    columns = resource_for(sheet).COLUMNS
    context: dict[str, Any] = {"sheet": spec, "columns": columns}
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "cancel":
        importing.discard_upload(request.session, request.POST.get("token", ""))
        return redirect(spec.import_url)
    if action == "confirm":
        return _confirm(request, spec, context)
    if action == "reread":
        return _reread(request, spec, context)
    form = ImportForm(request.POST or None, request.FILES or None, sheet=sheet, columns=columns)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        options = form.options()
        if import_jobs.runs_in_background(upload.name, data):
            return _in_background(request, spec, context, Stashed(upload.name, data, options))
        token = importing.stash_upload(request.session, sheet, upload.name, data, options)
        _preview(request, spec, context, token, Stashed(upload.name, data, options))
    invalid = request.method == "POST" and not form.is_valid()
    status = HTTPStatus.UNPROCESSABLE_ENTITY if invalid else HTTPStatus.OK
    return render(request, spec.page, context, status=status)


def _preview(
    request: AuthenticatedRequest,
    spec: SheetPage,
    context: dict[str, Any],
    token: str,
    stashed: Stashed,
) -> None:
    """The dry run of the stashed upload; its token to confirm, or to read it again."""
    outcome = importing.run_import(
        sheet=spec.sheet,
        file_name=stashed.name,
        data=stashed.data,
        user=request.user,
        dry_run=True,
        options=stashed.options,
        limits=importing.REQUEST_LIMITS,
    )
    context["outcome"] = outcome
    if outcome.ok:
        context["token"] = token
    context["reread_token"] = token
    context["reading"] = ReadingForm(
        sheet=spec.sheet,
        columns=context["columns"],
        unknown=outcome.ignored_columns,
        unknown_values=outcome.unknown_values,
        value_choices=_value_choices(spec.sheet),
        unknown_cities=outcome.unknown_cities,
        ambiguous_columns=outcome.ambiguous_columns,
        initial=_initial(stashed.options),
        # The upload form above has the same fields: ids of their own keep each label on its input.
        auto_id="reread_%s",
    )


def _value_choices(sheet: str) -> dict[str, list[tuple[str, str]]]:
    """The codes (with their labels, in the user's language) of the sheet's choice columns."""
    return {
        column: [(str(code), f"{code} ({label})") for code, label in choices.choices]
        for column, (choices, _synonyms) in resource_for(sheet).CHOICE_COLUMNS.items()
    }


def _initial(options: importing.ImportOptions) -> dict[str, Any]:
    return {
        "header_row": options.header_row,
        "home_city": options.home_city,
        "blank_clears": options.blank == "clear",
        "date_cells": options.date_cells,
    }


def _reread(
    request: AuthenticatedRequest, spec: SheetPage, context: dict[str, Any]
) -> HttpResponse:
    """The preview again, with the choices made in it (columns, date cells, header row…)."""
    token = request.POST.get("token", "")
    stashed = importing.stashed_upload(request.session, token, spec.sheet)
    if stashed is None:
        messages.error(request, _("The uploaded file has expired: upload it again."))
        return redirect(spec.import_url)
    reading = ReadingForm(
        request.POST,
        sheet=spec.sheet,
        columns=context["columns"],
        unknown=ReadingForm.unknown_from(request.POST),
        unknown_values=ReadingForm.unknown_values_from(request.POST),
        value_choices=_value_choices(spec.sheet),
        unknown_cities=ReadingForm.unknown_cities_from(request.POST),
        ambiguous_columns=ReadingForm.ambiguous_columns_from(request.POST),
    )
    context["form"] = ImportForm(sheet=spec.sheet, columns=context["columns"])
    if not reading.is_valid():
        context.update(reading=reading, reread_token=token)
        return render(request, spec.page, context, status=HTTPStatus.UNPROCESSABLE_ENTITY)
    options = reading.options(stashed.options)
    if name := reading.cleaned_data.get("save_mapping_as"):
        save_mapping(sheet=spec.sheet, name=name, options=options, user=request.user)
        messages.success(request, _("Column mapping “%(name)s” saved.") % {"name": name})
    importing.restash_options(request.session, token, options)
    stashed = Stashed(stashed.name, stashed.data, options)
    _preview(request, spec, context, token, stashed)
    return render(request, spec.page, context)


def _confirm(
    request: AuthenticatedRequest, spec: SheetPage, context: dict[str, Any]
) -> HttpResponse:
    """Import the file previewed earlier (validated again: the data may have changed since)."""
    token = request.POST.get("token", "")
    stashed = importing.stashed_upload(request.session, token, spec.sheet)
    if stashed is None:
        messages.error(request, _("The uploaded file has expired: upload it again."))
        return redirect(spec.import_url)
    if import_jobs.runs_in_background(stashed.name, stashed.data):
        return _confirm_in_background(request, spec, context, token, stashed)
    outcome = importing.run_import(
        sheet=spec.sheet,
        file_name=stashed.name,
        data=stashed.data,
        user=request.user,
        dry_run=False,
        options=stashed.options,
        limits=importing.REQUEST_LIMITS,
    )
    importing.discard_upload(request.session, token)  # imported, or to be corrected first
    if not outcome.ok:
        context.update(
            form=ImportForm(sheet=spec.sheet, columns=context["columns"]), outcome=outcome
        )
        return render(request, spec.page, context, status=HTTPStatus.UNPROCESSABLE_ENTITY)
    messages.success(request, _imported_message(stashed.name, outcome))
    return redirect(spec.done_url)


def _imported_message(name: str, outcome: importing.ImportOutcome) -> str:
    """What the import did, with a link to its log page (where it can be reverted)."""
    text = _("Imported “%(name)s”: %(summary)s.") % {"name": name, "summary": outcome.summary()}
    if outcome.log is None:
        return text
    return format_html(
        '{} <a href="{}">{}</a>',
        text,
        reverse("sheets:import_log", args=[outcome.log.pk]),
        _("Import #%(id)s") % {"id": outcome.log.pk},
    )


def _in_background(
    request: AuthenticatedRequest, spec: SheetPage, context: dict[str, Any], upload: Stashed
) -> HttpResponse:
    """A big file: its preview runs as a job (sheets/import_jobs.py); off to its page."""
    token = importing.stash_upload(
        request.session, spec.sheet, upload.name, upload.data, upload.options
    )
    try:
        job = import_jobs.start_import(
            owner=_editor(request),
            page=spec,
            token=token,
            file_name=upload.name,
            dry_run=True,
            options=upload.options,
        )
    except TooManyJobsError as refusal:
        importing.discard_upload(request.session, token)
        context["form"].add_error("file", str(refusal))
        return render(request, spec.page, context, status=HTTPStatus.TOO_MANY_REQUESTS)
    return redirect(job)


def _confirm_in_background(
    request: AuthenticatedRequest,
    spec: SheetPage,
    context: dict[str, Any],
    token: str,
    stashed: Stashed,
) -> HttpResponse:
    """The import of a big file runs as a job, which takes the stashed file over."""
    try:
        job = import_jobs.start_import(
            owner=_editor(request),
            page=spec,
            token=token,
            file_name=stashed.name,
            dry_run=False,
            options=stashed.options,
        )
    except TooManyJobsError as refusal:
        context.update(
            form=ImportForm(sheet=spec.sheet, columns=context["columns"]),
            token=token,
            waiting=str(refusal),
        )
        return render(request, spec.page, context, status=HTTPStatus.TOO_MANY_REQUESTS)
    importing.forget_upload(request.session, token)  # it cannot be confirmed twice
    return redirect(job)


def _editor(request: AuthenticatedRequest) -> User:
    return request.user  # editor_required: signed in


def export_response(
    dataset: tablib.Dataset, fmt: str, stem: str, request: HttpRequest, sheet: str = ""
) -> HttpResponse:
    """The file; ``?style=office`` (and the sheet's kind): the export for people."""
    content_type, extension = importing.EXPORT_FORMATS[fmt]
    office = bool(sheet) and request.GET.get("style") == "office"
    try:
        if office:
            data = office_bytes(
                resource_for(sheet), dataset, fmt, translation.get_language() or "vi"
            )
        else:
            data = importing.export_bytes(dataset, fmt)
    except ExportRefusedError as refusal:
        return _export_refused(request, refusal)
    response = HttpResponse(data, content_type=content_type)
    name = f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export_refused(request: HttpRequest, refusal: ExportRefusedError) -> HttpResponse:
    """The page that names the records a format cannot hold and links to the formats that do."""
    links = []
    for fmt in refusal.formats:
        query = request.GET.copy()
        query["format"] = fmt
        links.append((f".{fmt}", f"?{query.urlencode()}"))
    return render(
        request,
        "sheets/export_refused.html",
        {"refusal": refusal, "links": links},
        status=HTTPStatus.UNPROCESSABLE_ENTITY,
    )


def template_response(sheet: str, stem: str) -> HttpResponse:
    content_type, _ext = importing.EXPORT_FORMATS["xlsx"]
    response = HttpResponse(
        importing.template_bytes(resource_for(sheet)), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}-template.xlsx"'
    return response


def export_format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "xlsx")
    return fmt if fmt in importing.EXPORT_FORMATS else "xlsx"


@require_http_methods(["GET", "POST"])
@editor_required
def agreement_import(request: AuthenticatedRequest) -> HttpResponse:
    return import_page(request, AGREEMENTS_PAGE)


@require_GET
@editor_required
def agreement_import_template(_request: AuthenticatedRequest) -> HttpResponse:
    return template_response(ImportLog.Sheet.AGREEMENTS, "agreements")


@require_GET
@viewer_required
def agreement_export(request: AuthenticatedRequest) -> HttpResponse:
    """The whole list, or the list as filtered on the agreements page (same GET parameters)."""
    from agreements.forms import AgreementFilterForm
    from agreements.resources import AgreementResource

    resource = AgreementResource()
    agreements = AgreementFilterForm(request.GET).results(Agreement.objects.all())
    dataset = resource.export_dataset(resource.export_queryset(agreements))
    return export_response(
        dataset, export_format(request), "agreements", request, ImportLog.Sheet.AGREEMENTS
    )


VISITS_PAGE = SheetPage(
    sheet=ImportLog.Sheet.VISITS,
    title=gettext_lazy("Import delegation visits"),
    import_url="delegations:visit_import",
    template_url="delegations:visit_import_template",
    export_url="delegations:visit_export",
    done_url="delegations:visit_list",
    page="sheets/import.html",
)
ACTION_ITEMS_PAGE = SheetPage(
    sheet=ImportLog.Sheet.ACTION_ITEMS,
    title=gettext_lazy("Import action items"),
    import_url="delegations:actionitem_import",
    template_url="delegations:actionitem_import_template",
    export_url="delegations:actionitem_export",
    done_url="delegations:actionitem_list",
    page="sheets/import.html",
)


@require_http_methods(["GET", "POST"])
@editor_required
def visit_import(request: AuthenticatedRequest) -> HttpResponse:
    return import_page(request, VISITS_PAGE)


@require_GET
@editor_required
def visit_import_template(_request: AuthenticatedRequest) -> HttpResponse:
    return template_response(ImportLog.Sheet.VISITS, "visits")


@require_GET
@viewer_required
def visit_export(request: AuthenticatedRequest) -> HttpResponse:
    """All visits, or those the visit list shows for the same GET parameters."""
    from delegations.forms import VisitFilterForm
    from delegations.resources import VisitResource

    resource = VisitResource()
    visits = VisitFilterForm(request.GET).results(Visit.objects.all())
    dataset = resource.export_dataset(resource.export_queryset(visits))
    return export_response(
        dataset, export_format(request), "visits", request, ImportLog.Sheet.VISITS
    )


@require_http_methods(["GET", "POST"])
@editor_required
def actionitem_import(request: AuthenticatedRequest) -> HttpResponse:
    return import_page(request, ACTION_ITEMS_PAGE)


@require_GET
@editor_required
def actionitem_import_template(_request: AuthenticatedRequest) -> HttpResponse:
    return template_response(ImportLog.Sheet.ACTION_ITEMS, "action-items")


@require_GET
@viewer_required
def actionitem_export(request: AuthenticatedRequest) -> HttpResponse:
    """All action items, or those the action-item list shows for the same GET parameters."""
    from delegations.forms import ActionItemFilterForm
    from delegations.resources import ActionItemResource

    resource = ActionItemResource()
    items = ActionItemFilterForm(request.GET).results(ActionItem.objects.all())
    dataset = resource.export_dataset(resource.export_queryset(items))
    return export_response(
        dataset, export_format(request), "action-items", request, ImportLog.Sheet.ACTION_ITEMS
    )
