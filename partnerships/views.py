"""The staff workspace: dashboard, search, partners, cities, people and organisations.

Every view needs a role (common/permissions.py): viewers read, editors create and
change, administrators delete. List views answer htmx with their results partial
and a plain request with the whole page; forms go through common/editing.py
(Post/Redirect/Get, errors in place, edit conflicts explained).
"""

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from common import freshness
from common.editing import delete_or_explain, save_or_render
from common.htmx import render_partial_or_page
from common.listing import paginate
from common.permissions import administrator_required, editor_required, viewer_required

from . import overview
from .forms import (
    CityForm,
    CityNameFormSet,
    OrganisationFilterForm,
    OrganisationForm,
    PartnershipFilterForm,
    PartnershipForm,
    PersonFilterForm,
    PersonForm,
    PositionFormSet,
)
from .models import City, Organisation, Partnership, Person, Position
from .search import search_record

# The inline status change of an action item (delegations app), included on the partnership page.
ACTION_STATUS_TEMPLATE = "delegations/includes/actionitem_status.html"

# -- dashboard and search ---------------------------------------------------------------


@require_GET
@viewer_required
def dashboard(request):
    return render_partial_or_page(
        request, "partnerships/dashboard.html", {"sections": overview.sections()}
    )


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def dashboard_section(request, section):
    if section not in overview.SECTIONS:
        raise Http404
    title, rows = overview.full_section(section)
    context = {"section": section, "title": title, "page_obj": paginate(request, rows)}
    return render_partial_or_page(
        request, "partnerships/dashboard_section.html", context, "section-results"
    )


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def search(request):
    query, groups = search_record(request.GET.get("q"))
    context = {"q": query, "groups": groups, "total": sum(g.total for g in groups)}
    return render_partial_or_page(request, "partnerships/search.html", context, "search-results")


# -- partnerships -------------------------------------------------------------------------


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def partnership_list(request):
    filters = PartnershipFilterForm(request.GET)
    rows = filters.results(
        Partnership.objects.with_cities().with_last_visit().prefetch_related("fields")
    )
    context = {"filters": filters, "page_obj": paginate(request, rows)}
    return render_partial_or_page(
        request, "partnerships/partnership_list.html", context, "partnership-results"
    )


@require_GET
@viewer_required
def partnership_detail(request, pk):
    partnership = get_object_or_404(
        Partnership.objects.with_cities().prefetch_related(
            "fields", "partner_city__alternative_names"
        ),
        pk=pk,
    )
    context = {
        "partnership": partnership,
        **overview.partnership_story(partnership),
        "action_status_template": _template_or_none(ACTION_STATUS_TEMPLATE),
        "record_version": freshness.cache_version(),  # keys the page's cached sections
    }
    return render_partial_or_page(request, "partnerships/partnership_detail.html", context)


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def partnership_create(request):
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
def partnership_edit(request, pk):
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
def partnership_delete(request, pk):
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
def city_detail(request, pk):
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
    return render_partial_or_page(request, "partnerships/city_detail.html", {"city": city})


def _city_names(request, city):
    return {"names": CityNameFormSet(request.POST or None, instance=city, prefix="names")}


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def city_create(request):
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
def city_edit(request, pk):
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
def city_delete(request, pk):
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
def person_list(request):
    filters = PersonFilterForm(request.GET)
    current = Position.objects.current().select_related("organisation")
    rows = filters.results(
        Person.objects.prefetch_related(
            Prefetch("positions", queryset=current, to_attr="current_positions")
        )
    )
    context = {"filters": filters, "page_obj": paginate(request, rows)}
    return render_partial_or_page(
        request, "partnerships/person_list.html", context, "person-results"
    )


@require_GET
@viewer_required
def person_detail(request, pk):
    person = get_object_or_404(Person, pk=pk)
    context = {"person": person, **overview.person_story(person)}
    return render_partial_or_page(request, "partnerships/person_detail.html", context)


def _positions(request, person):
    data = request.POST if request.method == "POST" else None
    formset = PositionFormSet(data, instance=person, prefix="positions")
    return {"positions": formset}


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def person_create(request):
    person = Person()
    return save_or_render(
        request,
        PersonForm(request.POST or None, instance=person, initial=request.GET.dict() or None),
        "partnerships/person_form.html",
        formsets=_positions(request, person),
        saved_message=_("The person was recorded."),
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def person_edit(request, pk):
    person = get_object_or_404(Person, pk=pk)
    return save_or_render(
        request,
        PersonForm(request.POST or None, instance=person),
        "partnerships/person_form.html",
        formsets=_positions(request, person),
        context={"person": person},
        saved_message=_("The person was saved."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def person_delete(request, pk):
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
def organisation_list(request):
    filters = OrganisationFilterForm(request.GET)
    current = Q(positions__in=Position.objects.current())
    rows = filters.results(
        Organisation.objects.select_related("city", "parent").annotate(
            people_now=Count("positions", filter=current, distinct=True)
        )
    )
    context = {"filters": filters, "page_obj": paginate(request, rows)}
    return render_partial_or_page(
        request, "partnerships/organisation_list.html", context, "organisation-results"
    )


@require_GET
@viewer_required
def organisation_detail(request, pk):
    organisation = get_object_or_404(Organisation.objects.select_related("city", "parent"), pk=pk)
    context = {"organisation": organisation, **overview.organisation_story(organisation)}
    return render_partial_or_page(request, "partnerships/organisation_detail.html", context)


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def organisation_create(request):
    return save_or_render(
        request,
        OrganisationForm(request.POST or None, initial=request.GET.dict() or None),
        "partnerships/organisation_form.html",
        saved_message=_("The organisation was recorded."),
    )


@require_http_methods(["GET", "POST"])
@editor_required
@vary_on_headers("HX-Request")
def organisation_edit(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    return save_or_render(
        request,
        OrganisationForm(request.POST or None, instance=organisation),
        "partnerships/organisation_form.html",
        context={"organisation": organisation},
        saved_message=_("The organisation was saved."),
    )


@require_http_methods(["GET", "POST"])
@administrator_required
def organisation_delete(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    return delete_or_explain(
        request,
        organisation,
        success_url=reverse("partnerships:organisation_list"),
        cancel_url=organisation.get_absolute_url(),
    )


def _template_or_none(name: str) -> str | None:
    """A template another part of the workspace provides, if it is there yet."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name
