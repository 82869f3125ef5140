"""Partners, cities, people and organisations: their forms, the city page, the lists of
people and organisations. The pages that also show agreements or visits (the partnership
list and page, a person's and an organisation's page) are workspace views.

Every view needs a role (common/permissions.py): viewers read, editors create and
change, administrators delete. List views answer htmx with their results partial
and a plain request with the whole page; forms go through common/editing.py
(Post/Redirect/Get, errors in place, edit conflicts explained).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.forms import BaseInlineFormSet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from common.editing import delete_or_explain, save_or_render
from common.file_delivery import send_file
from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.listing import list_context
from common.permissions import administrator_required, editor_required, viewer_required
from common.worldmap import render_locator_map
from partnerships.city_matching import propose

from .forms import (
    CityForm,
    CityNameFormSet,
    OrganisationFilterForm,
    OrganisationForm,
    PartnershipForm,
    PersonFilterForm,
    PersonForm,
    PositionFormSet,
)
from .models import City, Organisation, Partnership, Person, Position

# -- partnerships -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def partnership_create(request: AuthenticatedRequest) -> HttpResponse:
    form = PartnershipForm(request.POST or None, initial=request.GET.dict() or None)
    return save_or_render(
        request,
        form,
        "partnerships/partnership_form.html",
        saved_message=_("The partnership was recorded."),
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def partnership_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partnership = get_object_or_404(Partnership.objects.with_cities(), pk=pk)
    return save_or_render(
        request,
        PartnershipForm(request.POST or None, instance=partnership),
        "partnerships/partnership_form.html",
        context={"partnership": partnership},
        saved_message=_("The partnership was saved."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def partnership_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partnership = get_object_or_404(Partnership.objects.with_cities(), pk=pk)
    return delete_or_explain(
        request,
        partnership,
        success_url=reverse("partnerships:partnership_list"),
        cancel_url=partnership.get_absolute_url(),
    )


# -- cities -------------------------------------------------------------------------------


@require_GET
@viewer_required
def city_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    partnerships = Partnership.objects.with_cities()
    city = get_object_or_404(
        City.objects.prefetch_related(
            "alternative_names",
            Prefetch("home_partnerships", queryset=partnerships),
            Prefetch("partner_partnerships", queryset=partnerships),
            Prefetch("organisations", queryset=Organisation.objects.order_by("name")),
        ),
        pk=pk,
    )
    context = {"city": city, "locator_map": _locator_map(city)}
    return render_partial_or_page(request, "partnerships/city_detail.html", context)


def _locator_map(city: City) -> SafeString | None:
    """The city on a small map of its region (no query), when its place is known."""
    if city.latitude is None or city.longitude is None:
        return None
    svg = render_locator_map(
        float(city.latitude), float(city.longitude), str(city), country=str(city.country)
    )
    return mark_safe(svg)  # noqa: S308 (common.worldmap escapes every text it draws)


def _city_names(
    request: AuthenticatedRequest, city: City
) -> dict[str, BaseInlineFormSet[Any, Any, Any]]:
    return {"names": CityNameFormSet(request.POST or None, instance=city, prefix="names")}


@require_GET
@editor_required
def city_suggestions(request: AuthenticatedRequest) -> HttpResponse:
    """What a typed city name may be: a city already recorded, or the gazetteer's (the city
    form asks as the name is typed; a plain GET shows the same list on its own page)."""
    name = request.GET.get("name", "").strip()[:120]
    proposals = propose(name, City.objects.prefetch_related("alternative_names")) if name else []
    return render_partial_or_page(
        request,
        "partnerships/city_suggestions.html",
        {"name": name, "proposals": proposals},
        "suggestions",
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def city_create(request: AuthenticatedRequest) -> HttpResponse:
    city = City()
    return save_or_render(
        request,
        CityForm(request.POST or None, instance=city, initial=request.GET.dict() or None),
        "partnerships/city_form.html",
        formsets=_city_names(request, city),
        saved_message=_("The city was recorded."),
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def city_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    city = get_object_or_404(City, pk=pk)
    return save_or_render(
        request,
        CityForm(request.POST or None, instance=city),
        "partnerships/city_form.html",
        formsets=_city_names(request, city),
        context={"city": city},
        saved_message=_("The city was saved."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def city_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    city = get_object_or_404(City, pk=pk)
    return delete_or_explain(
        request,
        city,
        success_url=reverse("partnerships:partnership_list"),
        cancel_url=city.get_absolute_url(),
    )


# -- people -------------------------------------------------------------------------------


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def person_list(request: AuthenticatedRequest) -> HttpResponse:
    filters = PersonFilterForm(request.GET)
    current = Position.objects.current().select_related("organisation")
    rows = filters.results(
        Person.objects.prefetch_related(
            Prefetch("positions", queryset=current, to_attr="current_positions")
        )
    )
    context = list_context(request, filters, rows)
    return render_partial_or_page(
        request, "partnerships/person_list.html", context, "person-results"
    )


def _positions(
    request: AuthenticatedRequest, person: Person
) -> dict[str, BaseInlineFormSet[Any, Any, Any]]:
    data = request.POST if request.method == "POST" else None
    formset = PositionFormSet(data, instance=person, prefix="positions")
    return {"positions": formset}


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def person_create(request: AuthenticatedRequest) -> HttpResponse:
    person = Person()
    return save_or_render(
        request,
        PersonForm(
            request.POST or None,
            request.FILES or None,
            instance=person,
            initial=request.GET.dict() or None,
        ),
        "partnerships/person_form.html",
        formsets=_positions(request, person),
        saved_message=_("The person was recorded."),
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    return save_or_render(
        request,
        PersonForm(request.POST or None, request.FILES or None, instance=person),
        "partnerships/person_form.html",
        formsets=_positions(request, person),
        context={"person": person},
        saved_message=_("The person was saved."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def person_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    return delete_or_explain(
        request,
        person,
        success_url=reverse("partnerships:person_list"),
        cancel_url=person.get_absolute_url(),
    )


# -- organisations --------------------------------------------------------------------------


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def organisation_list(request: AuthenticatedRequest) -> HttpResponse:
    filters = OrganisationFilterForm(request.GET)
    rows = filters.results(Organisation.objects.for_list())
    context = list_context(request, filters, rows)
    return render_partial_or_page(
        request, "partnerships/organisation_list.html", context, "organisation-results"
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def organisation_create(request: AuthenticatedRequest) -> HttpResponse:
    return save_or_render(
        request,
        OrganisationForm(request.POST or None, initial=request.GET.dict() or None),
        "partnerships/organisation_form.html",
        saved_message=_("The organisation was recorded."),
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def organisation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("city", "parent"), pk=pk)
    return save_or_render(
        request,
        OrganisationForm(request.POST or None, instance=organisation),
        "partnerships/organisation_form.html",
        context={"organisation": organisation},
        saved_message=_("The organisation was saved."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def organisation_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    return delete_or_explain(
        request,
        organisation,
        success_url=reverse("partnerships:organisation_list"),
        cancel_url=organisation.get_absolute_url(),
    )


@require_GET
@viewer_required
def person_photo(_request: AuthenticatedRequest, pk: int) -> HttpResponse | FileResponse:
    """A person's photo, to signed-in readers only: it lives under private/, never at a
    media URL."""
    person = get_object_or_404(Person.objects.only("pk", "photo"), pk=pk)
    stored = person.photo.name or ""
    content_type = mimetypes.guess_type(stored)[0] or ""
    if not stored or not content_type.startswith("image/"):
        raise Http404
    path = Path(settings.MEDIA_ROOT) / stored
    response = send_file(path, filename=PurePosixPath(stored).name, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
