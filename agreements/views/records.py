"""The agreement pages: the list, the form (with signatories and documents), delete.

An agreement's own page also shows its action items and the visits it was signed during,
so it is a workspace view (workspace/views.py).
"""

from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from agreements.forms import AgreementFilterForm, AgreementForm, DocumentFormSet, SignatoryFormSet
from agreements.models import Agreement, AgreementDocument
from common.editing import delete_or_explain, save_or_render
from common.file_delivery import send_file
from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.listing import list_context
from common.permissions import administrator_required, editor_required, viewer_required

LIST_RELATED = ("partnership__home_city", "partnership__partner_city")
# What a row of the list shows (issue 16: rows read uncached after every change): its own
# columns and its partnership's two city names, not every column of four tables.
LIST_COLUMNS = (
    "reference",
    "title",
    "kind",
    "status",
    "signed_on",
    "signed_on_precision",
    "valid_from",
    "valid_until",
    "partnership__home_city__name",
    "partnership__partner_city__name",
)


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def agreement_list(request: AuthenticatedRequest) -> HttpResponse:
    filters = AgreementFilterForm(request.GET)
    agreements = filters.results(
        Agreement.objects.select_related(*LIST_RELATED).only(*LIST_COLUMNS).with_field_names()
    )
    context = list_context(request, filters, agreements)
    return render_partial_or_page(
        request, "agreements/agreement_list.html", context, "agreement-results"
    )


def _formsets(request: AuthenticatedRequest, agreement: Agreement) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    return {
        "signatories": SignatoryFormSet(data, instance=agreement, prefix="signatories"),
        "documents": DocumentFormSet(data, files, instance=agreement, prefix="documents"),
    }


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def agreement_create(request: AuthenticatedRequest) -> HttpResponse:
    agreement = Agreement()
    # "New agreement" on a partnership's page comes with ?partnership=…: chosen, and the
    # lineage drop-down (parent) lists that partnership's agreements at once.
    form = AgreementForm(
        request.POST or None, instance=agreement, initial=request.GET.dict() or None
    )
    return save_or_render(
        request,
        form,
        "agreements/agreement_form.html",
        formsets=_formsets(request, agreement),
        saved_message=_("The agreement was recorded."),
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def agreement_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=pk)
    form = AgreementForm(request.POST or None, instance=agreement)
    return save_or_render(
        request,
        form,
        "agreements/agreement_form.html",
        formsets=_formsets(request, agreement),
        context={"agreement": agreement},
        saved_message=_("The agreement was saved."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def agreement_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=pk)
    return delete_or_explain(
        request,
        agreement,
        success_url=reverse("agreements:agreement_list"),
        cancel_url=agreement.get_absolute_url(),
    )


@require_GET
@viewer_required
def document_download(_request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """An agreement's uploaded document, for any reader: never served at a media URL."""
    document = get_object_or_404(AgreementDocument, pk=pk)
    return send_file(Path(document.file.path), filename=document.download_name)
