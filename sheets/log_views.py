"""An import's log page and its revert (issue 12, point 10): sheets/reverting.py does the work.

The log page is for every reader; reverting is for administrators only, asked on a
confirmation page (GET, which says what the revert would do or what blocks it) and done
by its form (POST). Nothing needs JavaScript.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.permissions import administrator_required, can_delete, viewer_required

from .models import ImportLog
from .reverting import RevertRefusedError, refusal_reason, revert_import

if TYPE_CHECKING:
    from django.http import HttpResponse

    from common.http_request import AuthenticatedRequest


def _counts(entries: list[list[object]]) -> list[tuple[str, int]]:
    """(kind of record, how many) per model named in ``ImportLog.changes``."""
    totals: dict[str, int] = {}
    for label, pks in entries:
        kind = str(apps.get_model(str(label))._meta.verbose_name_plural)
        totals[kind] = totals.get(kind, 0) + len(pks)  # type: ignore[arg-type]  # a list from JSON
    return sorted(totals.items())


def _log_context(log: ImportLog) -> dict[str, object]:
    return {
        "log": log,
        "created": _counts(log.changes.get("created", [])),
        "updated": _counts(log.changes.get("updated", [])),
        "refusal": refusal_reason(log),
    }


@require_GET
@viewer_required
def import_log(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    log = get_object_or_404(ImportLog.objects.select_related("user", "reverted_by"), pk=pk)
    context = _log_context(log)
    context["may_revert"] = can_delete(request.user) and not context["refusal"]
    return render(request, "sheets/import_log.html", context)


@require_http_methods(["GET", "POST"])
@administrator_required
def import_revert(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    log = get_object_or_404(ImportLog.objects.select_related("user", "reverted_by"), pk=pk)
    context = _log_context(log)
    try:
        done = revert_import(log, request.user, dry_run=request.method != "POST")
    except RevertRefusedError as refusal:
        context["blockers"] = refusal.reasons
        status = HTTPStatus.CONFLICT if request.method == "POST" else HTTPStatus.OK
        return render(request, "sheets/import_revert.html", context, status=status)
    if request.method != "POST":
        context["plan"] = done
        return render(request, "sheets/import_revert.html", context)
    messages.success(
        request,
        _("Import #%(id)s reverted: %(deleted)d records deleted, %(restored)d restored.")
        % {"id": log.pk, "deleted": done.deleted, "restored": done.restored},
    )
    return redirect("sheets:import_log", pk=log.pk)
