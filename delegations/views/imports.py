"""Import and export of delegation visits and action items (same steps as agreements)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from agreements.models import ImportLog
from agreements.views.imports import (
    SheetPage,
    export_format,
    export_response,
    import_page,
    template_response,
)
from common.http_request import AuthenticatedRequest
from common.permissions import editor_required, viewer_required
from delegations.models import ActionItem, Visit

VISITS_PAGE = SheetPage(
    sheet=ImportLog.Sheet.VISITS,
    title=gettext_lazy("Import delegation visits"),
    import_url="delegations:visit_import",
    template_url="delegations:visit_import_template",
    export_url="delegations:visit_export",
    done_url="delegations:visit_list",
    page="delegations/import/visit_import.html",
)
ACTION_ITEMS_PAGE = SheetPage(
    sheet=ImportLog.Sheet.ACTION_ITEMS,
    title=gettext_lazy("Import action items"),
    import_url="delegations:actionitem_import",
    template_url="delegations:actionitem_import_template",
    export_url="delegations:actionitem_export",
    done_url="delegations:actionitem_list",
    page="delegations/import/actionitem_import.html",
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
    return export_response(dataset, export_format(request), "visits", request)


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
    return export_response(dataset, export_format(request), "action-items", request)
