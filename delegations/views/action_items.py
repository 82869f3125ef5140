"""The action-item pages: the list, an item's page, the form, delete, the inline status change."""

from http import HTTPStatus
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from common.concurrency import EditConflict
from common.editing import delete_or_explain, redirect_to, save_or_render
from common.htmx import render_partial_or_page, wants_partial
from common.http_request import AuthenticatedRequest
from common.join_planning import joins_as_written, read_now
from common.listing import list_context, paginate
from common.permissions import administrator_required, editor_required, viewer_required
from common.text import truncate_at_word
from delegations.bulk_status import BulkOutcome, change_statuses, parse_selection
from delegations.forms import ActionItemFilterForm, ActionItemForm, BulkStatusForm, StatusForm
from delegations.models import ActionItem, ActionItemQuerySet

CITIES = ("partnership__home_city", "partnership__partner_city")
ITEM_RELATED = (*CITIES, "owner_organisation", "owner_person", "visit", "agreement", "field")


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def actionitem_list(request: AuthenticatedRequest) -> HttpResponse:
    """The rows are cached as HTML like the other lists' (issue 16): their status forms
    are the same for every user of a role, the CSRF token is put in when served."""
    filters = ActionItemFilterForm(request.GET, user=request.user)
    items = filters.results(ActionItem.objects.for_list())
    context = list_context(request, filters, items, read_page=_page_read_as_joined)
    context["bulk_form"] = BulkStatusForm()
    return render_partial_or_page(
        request, "delegations/actionitem_list.html", context, "actionitem-results"
    )


def _page_read_as_joined(request: HttpRequest, items: ActionItemQuerySet) -> Page[ActionItem]:
    with joins_as_written():  # eight joined tables: 20 ms of planning saved (issue 16)
        return read_now(paginate(request, items.with_list_names(), counted=items))


@require_POST
@editor_required
def actionitem_bulk_status(request: AuthenticatedRequest) -> HttpResponse:
    """The status of the items selected on the list, each changed as one would be."""
    back = _next_url(request, reverse("delegations:actionitem_list"))
    form = BulkStatusForm(request.POST)
    selection = parse_selection(request.POST.getlist("items"), request.POST)
    if not selection or not form.is_valid():
        messages.warning(request, _("Select some action items and the status to give them."))
        return redirect(back)
    outcome = change_statuses(
        selection=selection,
        status=form.cleaned_data["status"],
        note=form.cleaned_data["note"],
        author=request.user,
    )
    report_bulk_outcome(request, outcome)
    return redirect(back)


@require_GET
@viewer_required
def actionitem_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    with joins_as_written():  # ten joined tables: 5.8 -> 1.9 ms, mostly planning (issue 16)
        item = get_object_or_404(
            ActionItem.objects.select_related(*ITEM_RELATED, "counterpart")
            .prefetch_related("updates__author")
            .with_assignee_names(),  # in the order assigned, as on the list
            pk=pk,
        )
    context = {"item": item, "status_form": StatusForm(instance=item, prefix=f"item{item.pk}")}
    return render_partial_or_page(request, "delegations/actionitem_detail.html", context)


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def actionitem_create(request: AuthenticatedRequest) -> HttpResponse:
    return save_or_render(
        request,
        ActionItemForm(request.POST or None, initial=request.GET.dict() or None),
        "delegations/actionitem_form.html",
        saved_message=_("The action item was recorded."),
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def actionitem_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ActionItem, pk=pk)
    return save_or_render(
        request,
        ActionItemForm(request.POST or None, instance=item),
        "delegations/actionitem_form.html",
        context={"item": item},
        saved_message=_("The action item was saved."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def actionitem_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ActionItem, pk=pk)
    return delete_or_explain(
        request,
        item,
        success_url=reverse("delegations:actionitem_list"),
        cancel_url=item.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@viewer_required
def actionitem_status_or_item(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The status URL is for POSTs; a GET there (a reload, a bookmark) goes to the item."""
    if request.method == "POST":
        return actionitem_status(request, pk)
    return redirect(get_object_or_404(ActionItem, pk=pk))


@editor_required
@vary_on_headers("HX-Request")
def actionitem_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change status / add a progress note from a list row, the partnership page or the item page.

    htmx: answers the updated row (``delegations/includes/actionitem_row.html``), or the
    row with the errors or the conflict (status 200 so htmx swaps it). Plain POST:
    redirects to ``next`` (or the item's page); errors and conflicts re-render the item page.
    """
    item = get_object_or_404(ActionItem.objects.select_related(*ITEM_RELATED), pk=pk)
    form = StatusForm(request.POST, instance=item, author=request.user, prefix=f"item{pk}")
    conflict = None
    if form.is_valid():
        try:
            form.save_versioned()
        except EditConflict as error:
            form, conflict = form.rebase(error)
        else:
            if not wants_partial(request):
                return redirect_to(request, _next_url(request, item.get_absolute_url()))
            item = ActionItem.objects.select_related(*ITEM_RELATED).get(pk=pk)
            form = StatusForm(instance=item, prefix=f"item{pk}")
    context = {
        "item": item,
        "status_form": form,
        "conflict": conflict,
        "saved": not form.errors and not conflict,
        # On the list, the row's version for the bulk change moves on with the item.
        "on_list": bool(request.htmx)
        and _path(request.htmx.current_url) == reverse("delegations:actionitem_list"),
        # The page the row sits on, so that a later plain POST comes back to it.
        "next_url": request.htmx.current_url_abs_path if request.htmx else "",
    }
    if wants_partial(request):
        return render_partial_or_page(
            request, "delegations/includes/actionitem_status.html", context
        )
    status = HTTPStatus.CONFLICT if conflict else HTTPStatus.UNPROCESSABLE_ENTITY
    return render_partial_or_page(
        request, "delegations/actionitem_detail.html", context, status=status
    )


def _path(url: str | None) -> str:
    return urlsplit(url or "").path


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def report_bulk_outcome(request: HttpRequest, outcome: BulkOutcome) -> None:
    """One message for what changed, one naming what someone else saved meanwhile."""
    if outcome.changed:
        messages.success(
            request,
            ngettext(
                "%(n)d action item changed.", "%(n)d action items changed.", len(outcome.changed)
            )
            % {"n": len(outcome.changed)},
        )
    if outcome.conflicts:
        names = "; ".join(truncate_at_word(item.description, 60) for item in outcome.conflicts)
        messages.warning(
            request,
            _(
                "Someone else saved these items after the list was loaded; they were left as "
                "they are: %(items)s. Check them and change them again."
            )
            % {"items": names},
        )
    if outcome.unchanged and not outcome.changed and not outcome.conflicts:
        messages.info(request, _("The selected items already had this status."))
