"""One row of a visit at a time: add, change, delete (delegations/visit_parts.py).

Without JavaScript each action is a page of its own that posts and redirects back to the
visit page; with htmx the row's form opens in place and the answer replaces that row
(a new row: the whole list, so that it lands in its order).
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from common import quick_add
from common.concurrency import EditConflict
from common.editing import redirect_to, shown_without_errors
from common.file_delivery import send_file
from common.htmx import wants_partial
from common.http_request import AuthenticatedRequest
from common.permissions import can_edit, editor_required, viewer_required
from delegations.models import Gift, Visit, VisitDocument
from delegations.visit_parts import PARTS, PartKind, VisitPartForm

TEMPLATE = "delegations/visit_part.html"


def _kind(slug: str) -> PartKind:
    if slug not in PARTS:
        raise Http404
    return PARTS[slug]


def _row(visit: Visit, kind: PartKind, row_pk: int) -> Any:
    return get_object_or_404(kind.rows(visit), pk=row_pk)


def _section_url(visit: Visit, kind: PartKind) -> str:
    return f"{visit.get_absolute_url()}#part-{kind.slug}"


def _context(
    request: AuthenticatedRequest, visit: Visit, kind: PartKind, **extra: Any
) -> dict[str, Any]:
    return {"visit": visit, "kind": kind, "can_edit": can_edit(request.user), **extra}


def _save_or_render(
    request: AuthenticatedRequest, visit: Visit, kind: PartKind, form: VisitPartForm
) -> HttpResponse:
    """Save a valid posted row if nobody changed it since its form was loaded; otherwise
    (GET, errors, or an edit conflict) show its form."""
    status, conflict = HTTPStatus.OK, None
    if (to_create := quick_add.start(request)) is not None:
        return to_create  # "New person" pressed without JavaScript: the row is kept
    if request.method == "POST":
        is_new = form.instance.pk is None
        if not form.is_valid():
            status = HTTPStatus.UNPROCESSABLE_ENTITY
        else:
            try:
                row = form.save_versioned()
            except EditConflict as error:
                form, conflict = form.rebase(error)
                status = HTTPStatus.CONFLICT
            else:
                return _saved(request, visit, kind, row, is_new=is_new)
    context = _context(request, visit, kind, form=form, row=form.instance, conflict=conflict)
    if wants_partial(request):
        # htmx swaps 2xx answers only: the form with its errors goes back where it was.
        response = render(request, f"{TEMPLATE}#part-form", context)
        if status != HTTPStatus.OK:
            response["HX-Retarget"] = f"#{form_id(kind, form.instance)}"
            response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, TEMPLATE, context, status=status)


def _saved(
    request: AuthenticatedRequest, visit: Visit, kind: PartKind, row: Any, *, is_new: bool
) -> HttpResponse:
    if not wants_partial(request):
        messages.success(request, _("Saved."))
        return redirect_to(request, _section_url(visit, kind))
    if not is_new:  # a change: the row in place
        return render(request, f"{TEMPLATE}#part-row", _context(request, visit, kind, row=row))
    return _list(request, visit, kind)


def form_id(kind: PartKind, row: Any) -> str:
    return f"part-form-{kind.slug}-{row.pk or 'new'}"


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def part_new(request: AuthenticatedRequest, pk: int, kind: str) -> HttpResponse:
    visit = get_object_or_404(Visit.objects.select_related("partnership"), pk=pk)
    part = _kind(kind)
    kept = quick_add.restored(request)  # back from a person added from this row
    form = part.form(kept or request.POST or None, request.FILES or None, visit=visit)
    if kept is not None:
        shown_without_errors(form)
    return _save_or_render(request, visit, part, form)


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def part_edit(request: AuthenticatedRequest, pk: int, kind: str, row: int) -> HttpResponse:
    visit = get_object_or_404(Visit.objects.select_related("partnership"), pk=pk)
    part = _kind(kind)
    instance = _row(visit, part, row)
    kept = quick_add.restored(request)  # back from a person added from this row
    data = kept or request.POST or None
    form = part.form(data, request.FILES or None, instance=instance, visit=visit)
    if kept is not None:
        shown_without_errors(form)
    return _save_or_render(request, visit, part, form)


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def part_row(request: AuthenticatedRequest, pk: int, kind: str, row: int) -> HttpResponse:
    """One row as the visit page shows it (where htmx's Cancel goes back to)."""
    visit = get_object_or_404(Visit, pk=pk)
    part = _kind(kind)
    if not wants_partial(request):
        return redirect_to(request, _section_url(visit, part))
    context = _context(request, visit, part, row=_row(visit, part, row))
    return render(request, f"{TEMPLATE}#part-row", context)


def _list(request: AuthenticatedRequest, visit: Visit, kind: PartKind) -> HttpResponse:
    rows: Iterable[Any] = kind.rows(visit)
    if kind.slug == "gifts":
        rows = Gift.objects.with_earlier_repeats(rows)
    context = _context(request, visit, kind, rows=rows)
    return render(request, f"{TEMPLATE}#part-list", context)


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def part_list(request: AuthenticatedRequest, pk: int, kind: str) -> HttpResponse:
    """The rows of one kind (where htmx's Cancel of a new row goes back to)."""
    visit = get_object_or_404(Visit, pk=pk)
    part = _kind(kind)
    if not wants_partial(request):
        return redirect_to(request, _section_url(visit, part))
    return _list(request, visit, part)


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def part_delete(request: AuthenticatedRequest, pk: int, kind: str, row: int) -> HttpResponse:
    """GET: ask. POST: delete the row (its history keeps it and who removed it)."""
    visit = get_object_or_404(Visit, pk=pk)
    part = _kind(kind)
    instance = _row(visit, part, row)
    if request.method == "POST":
        name = str(instance)
        instance.delete()
        if wants_partial(request):
            return HttpResponse("")
        messages.success(request, _("“%(name)s” was removed.") % {"name": name})
        return redirect_to(request, _section_url(visit, part))
    context = _context(request, visit, part, row=instance, deleting=True)
    return render(request, TEMPLATE, context)


@require_GET
@viewer_required
def document_file(_request: AuthenticatedRequest, pk: int, row: int) -> HttpResponse | FileResponse:
    """A speech or other paper of the visit, to signed-in readers only (never a media URL)."""
    document = get_object_or_404(VisitDocument, visit_id=pk, pk=row)
    stored = document.file.name or ""
    if not stored:
        raise Http404
    path = Path(settings.MEDIA_ROOT) / stored
    return send_file(path, filename=PurePosixPath(stored).name)
