"""The visit pages: the list, a visit's page, the form (with participants and programme), delete."""

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from common.editing import delete_or_explain, save_or_render
from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.listing import list_context
from common.permissions import (
    administrator_required,
    can_edit,
    editor_required,
    viewer_required,
)
from delegations.forms import EngagementFormSet, ParticipantFormSet, VisitFilterForm, VisitForm
from delegations.models import Gift, Visit, VisitParticipant
from delegations.visit_parts import HISTORY_CHILDREN, PARTS

CITIES = ("partnership__home_city", "partnership__partner_city")


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def visit_list(request: AuthenticatedRequest) -> HttpResponse:
    filters = VisitFilterForm(request.GET)
    visits = filters.results(Visit.objects.select_related(*CITIES))
    context = list_context(request, filters, visits)
    return render_partial_or_page(request, "delegations/visit_list.html", context, "visit-results")


MAIN_PARTS = ("programme", "points", "documents", "sources")
SIDE_PARTS = ("people", "travel", "accommodation", "contacts", "gifts")


# What a visit's page reads of each list of the visit's rows. A list without rows is not
# asked for (issue 16: most visits have no travel, gifts, sources…, and each empty list
# cost a query): the visit's own query says which have rows (``with_rows_present``).
PAGE_ROWS: dict[str, tuple[str | Prefetch[Any], ...]] = {
    "participants": (Prefetch("participants", VisitParticipant.objects.select_related("person")),),
    "engagements": ("engagements__counterparts", "engagements__accompanied_by"),
    "brief_points": ("brief_points",),
    "travel_segments": ("travel_segments",),
    "accommodations": ("accommodations",),
    "local_contacts": ("local_contacts",),
    "gifts": (Prefetch("gifts", Gift.objects.select_related("person", "organisation")),),
    "documents": ("documents",),
    "sources": ("sources",),
    "agreements_signed": ("agreements_signed",),
    "action_items": ("action_items__owner_organisation",),
}


def _visit_with_rows(pk: int) -> Visit:
    visit = get_object_or_404(
        Visit.objects.select_related(*CITIES).with_rows_present(PAGE_ROWS), pk=pk
    )
    lookups: list[str | Prefetch[Any]] = []
    for name, reads in PAGE_ROWS.items():
        if getattr(visit, f"has_{name}"):
            lookups += reads
        else:
            _known_empty(visit, name)
    prefetch_related_objects([visit], *lookups)
    return visit


def _known_empty(visit: Visit, relation: str) -> None:
    """``visit.<relation>.all()`` is empty without a query, as a prefetch leaves it (a
    ``Prefetch`` of ``none()`` cost ~1.3 ms of CPU for nothing)."""
    rows = getattr(visit, relation).none()
    rows._result_cache = []
    rows._prefetch_done = True
    visit.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = rows


@require_GET
@viewer_required
def visit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = _visit_with_rows(pk)
    rows = {slug: list(kind.rows(visit)) for slug, kind in PARTS.items()}
    rows["gifts"] = Gift.objects.with_earlier_repeats(rows["gifts"])
    context = {
        "visit": visit,
        "can_edit": can_edit(request.user),
        "main_parts": [(PARTS[slug], rows[slug]) for slug in MAIN_PARTS],
        "side_parts": [(PARTS[slug], rows[slug]) for slug in SIDE_PARTS],
        "history_children": HISTORY_CHILDREN,
    }
    return render_partial_or_page(request, "delegations/visit_detail.html", context)


def _visit_formsets(request: AuthenticatedRequest, visit: Visit) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else None
    return {
        "participants": ParticipantFormSet(data, instance=visit, prefix="participants"),
        "engagements": EngagementFormSet(data, instance=visit, prefix="engagements"),
    }


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def visit_create(request: AuthenticatedRequest) -> HttpResponse:
    visit = Visit()
    return save_or_render(
        request,
        VisitForm(request.POST or None, instance=visit, initial=request.GET.dict() or None),
        "delegations/visit_form.html",
        formsets=_visit_formsets(request, visit),
        saved_message=_("The visit was recorded."),
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def visit_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(Visit, pk=pk)
    return save_or_render(
        request,
        VisitForm(request.POST or None, instance=visit),
        "delegations/visit_form.html",
        # No formsets: the people and the programme are edited one row at a time on the
        # visit page, so a big visit never posts a form near the 1,000-field limit.
        context={"visit": visit},
        saved_message=_("The visit was saved."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def visit_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(Visit, pk=pk)
    return delete_or_explain(
        request,
        visit,
        success_url=reverse("delegations:visit_list"),
        cancel_url=visit.get_absolute_url(),
    )
