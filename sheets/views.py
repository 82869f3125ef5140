"""Import and export pages: upload → preview (dry run) → confirm; export; the template.

Nothing is written until the editor confirms. Between the two steps the uploaded file
waits under MEDIA_ROOT/imports/ with a random name known only to the editor's session
(``importing.stash_upload``), and it is validated again on confirm. A big file is
previewed and imported by the worker instead (sheets/import_jobs.py): the request
only stashes it, starts the job and redirects to the job's page.

One set of views serves every sheet of the registry (sheets/registry.py), named by its
kind in the URL (``/imports/visits/``); ``PAGES`` holds each sheet's title and buttons. The
older URLs keep their names in the record apps' namespaces and lead to the same views
(config/urls.py adds ``urls.py``'s patterns to them): ``agreements:import``,
``delegations:visit_import``…
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from common.http_request import AuthenticatedRequest
from common.permissions import editor_required, viewer_required
from jobs.services import TooManyJobsError
from sheets import import_jobs, importing
from sheets.exporting import ExportRefusedError
from sheets.forms import ImportForm, ReadingForm, preview_choices, save_mapping, value_choices
from sheets.importing import Stashed
from sheets.models import ImportLog
from sheets.office import office_bytes
from sheets.registry import registered_sheets, resource_for

if TYPE_CHECKING:
    import tablib
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

    from jobs.models import Job


@dataclass(frozen=True)
class SheetPage:
    """One sheet's pages: what they are called, where their buttons lead, what they export."""

    sheet: str  # an ImportLog.Sheet
    title: StrOrPromise
    stem: str  # of the downloaded files' names
    filter_form: str  # dotted path of the list page's filter form (the export's GET parameters)
    import_url: str
    template_url: str
    export_url: str
    done_url: str
    page: str = "sheets/import.html"


# Every sheet the registry knows has its pages here (tests/test_sheet_pages.py checks it).
PAGES = {
    page.sheet: page
    for page in (
        SheetPage(
            sheet=ImportLog.Sheet.AGREEMENTS,
            title=gettext_lazy("Import agreements"),
            stem="agreements",
            filter_form="agreements.forms.AgreementFilterForm",
            import_url="agreements:import",
            template_url="agreements:import_template",
            export_url="agreements:export",
            done_url="agreements:agreement_list",
        ),
        SheetPage(
            sheet=ImportLog.Sheet.VISITS,
            title=gettext_lazy("Import delegation visits"),
            stem="visits",
            filter_form="delegations.forms.VisitFilterForm",
            import_url="delegations:visit_import",
            template_url="delegations:visit_import_template",
            export_url="delegations:visit_export",
            done_url="delegations:visit_list",
        ),
        SheetPage(
            sheet=ImportLog.Sheet.ACTION_ITEMS,
            title=gettext_lazy("Import action items"),
            stem="action-items",
            filter_form="delegations.forms.ActionItemFilterForm",
            import_url="delegations:actionitem_import",
            template_url="delegations:actionitem_import_template",
            export_url="delegations:actionitem_export",
            done_url="delegations:actionitem_list",
        ),
    )
}


def page_for(sheet: str) -> SheetPage:
    """The pages of the sheet named in the URL; 404 for a kind the registry does not know."""
    if sheet not in PAGES or sheet not in registered_sheets():
        raise Http404
    return PAGES[sheet]


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
    context["reading"] = preview_choices(sheet=spec.sheet, outcome=outcome, options=stashed.options)


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
        value_choices=value_choices(spec.sheet),
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
    if import_jobs.runs_in_background(stashed.name, stashed.data):
        return _reread_in_background(request, spec, token, stashed)
    _preview(request, spec, context, token, stashed)
    return render(request, spec.page, context)


def _reread_in_background(
    request: AuthenticatedRequest, spec: SheetPage, token: str, stashed: Stashed
) -> HttpResponse:
    """A big file's preview again, with the choices made on its job's page: a new job."""
    try:
        job = _start_preview(request, spec, token, stashed)
    except TooManyJobsError as refusal:
        messages.error(request, str(refusal))
        return redirect(spec.import_url)
    return redirect(job)


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
        job = _start_preview(request, spec, token, upload)
    except TooManyJobsError as refusal:
        importing.discard_upload(request.session, token)
        context["form"].add_error("file", str(refusal))
        return render(request, spec.page, context, status=HTTPStatus.TOO_MANY_REQUESTS)
    return redirect(job)


def _start_preview(
    request: AuthenticatedRequest, spec: SheetPage, token: str, stashed: Stashed
) -> Job:
    return import_jobs.start_import(
        owner=_editor(request),
        page=spec,
        token=token,
        file_name=stashed.name,
        dry_run=True,
        options=stashed.options,
    )


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
def sheet_import(request: AuthenticatedRequest, sheet: str) -> HttpResponse:
    return import_page(request, page_for(sheet))


@require_GET
@editor_required
def sheet_template(_request: AuthenticatedRequest, sheet: str) -> HttpResponse:
    return template_response(sheet, page_for(sheet).stem)


@require_GET
@viewer_required
def sheet_export(request: AuthenticatedRequest, sheet: str) -> HttpResponse:
    """All the sheet's records, or those its list page shows for the same GET parameters."""
    page = page_for(sheet)
    resource_class = resource_for(sheet)
    resource: Any = resource_class()  # each sheet's resource has its export_queryset
    records = import_string(page.filter_form)(request.GET).results(
        resource_class._meta.model._default_manager.all()
    )
    dataset = resource.export_dataset(resource.export_queryset(records))
    return export_response(dataset, export_format(request), page.stem, request, sheet)
