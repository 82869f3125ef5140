"""The pages that read across the record: the dashboard, search, and the pages of a record
that also show what the apps above its own hold (a partnership's, a person's or an
organisation's whole story; an agreement's action items and visits).

Every view needs a role (common/permissions.py). The record pages keep the URL names of
their record's app (``partnerships:partnership_detail``, ``agreements:agreement_detail``):
see config/urls.py.
"""

from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import LogoutView
from django.db.models import Count, Window, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from agreements.models import LINEAGE_SHOWN, Agreement
from common.htmx import render_partial_or_page, wants_partial
from common.http_request import AuthenticatedRequest
from common.listing import list_context, paginate
from common.permissions import can_edit, editor_required, viewer_required
from common.roles import account_label
from delegations.partnership_visits import with_last_visit
from partnerships.forms import FollowerForm
from partnerships.models import Organisation, Partnership, Person
from workspace import dashboard_sections, freshness, my_work, partner_map, stories
from workspace.forms import PartnershipFilterForm
from workspace.search import search_record

AGREEMENT_RELATED = ("partnership__home_city", "partnership__partner_city")
FOLLOWERS = "workspace/partnership_detail.html"  # its "followers" partial
SUCCESSORS_SHOWN = 20  # an agreement's page lists the first 20 that implement or renew it


class SignOutView(LogoutView):
    """Django's logout (POST only), which then says so on the login page it lands on."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # After the session is flushed: the message travels in the messages cookie.
        messages.success(request, _("You have signed out."))
        return response


# -- dashboard and search ---------------------------------------------------------------


@require_GET
@viewer_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "my_work": my_work.dashboard_card(request.user),
        # The sections show nothing of the user's: each one's HTML is cached per version of
        # what it is computed from, day and language, and computed only when not cached
        # (issue 16: rendering ~60 rows cost more than the floor).
        "sections": dashboard_sections.for_page(
            timezone.localdate(), freshness.version_for_reading(), get_language()
        ),
    }
    return render_partial_or_page(request, "workspace/dashboard.html", context)


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def dashboard_section(request: AuthenticatedRequest, section: str) -> HttpResponse:
    if section not in dashboard_sections.SECTIONS:
        raise Http404
    title, rows = dashboard_sections.full_section(section)
    context = {"section": section, "title": title, "page_obj": paginate(request, rows)}
    return render_partial_or_page(
        request, "workspace/dashboard_section.html", context, "section-results"
    )


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def search(request: AuthenticatedRequest) -> HttpResponse:
    query, groups = search_record(request.GET.get("q"))
    context = {"q": query, "groups": groups, "total": sum(g.total for g in groups)}
    return render_partial_or_page(request, "workspace/search.html", context, "search-results")


# -- the record's pages that read the apps above partnerships -----------------------------


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def partnership_list(request: AuthenticatedRequest) -> HttpResponse:
    filters = PartnershipFilterForm(request.GET)
    rows = filters.results(with_last_visit(Partnership.objects.for_list()))
    context = list_context(request, filters, rows)
    return render_partial_or_page(
        request, "partnerships/partnership_list.html", context, "partnership-results"
    )


@require_GET
@viewer_required
def partnership_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _partnership_page(request, _partnership(pk))


def _partnership(pk: int) -> Partnership:
    return get_object_or_404(
        Partnership.objects.with_cities().prefetch_related(
            "fields", "partner_city__alternative_names", "followers"
        ),
        pk=pk,
    )


def _partnership_page(
    request: AuthenticatedRequest,
    partnership: Partnership,
    followers: FollowerForm | None = None,
    *,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    context = {
        "partnership": partnership,
        **_followers_block(request, partnership, followers),
        # The partner city on the world map, sized by its visits (one query).
        "partner_map": partner_map.draw(
            partner_map.with_activity(Partnership.objects.filter(pk=partnership.pk)),
            element_id="partnership-map",
        ),
        **stories.partnership_story(partnership),
        "record_version": freshness.cache_version(),  # keys the page's cached sections
    }
    return render_partial_or_page(
        request, "workspace/partnership_detail.html", context, status=status
    )


def _followers_block(
    request: AuthenticatedRequest, partnership: Partnership, form: FollowerForm | None = None
) -> dict[str, Any]:
    """The followers block's context: who follows, whether I do, and for editors the form
    that adds or takes off a colleague."""
    return {
        "partnership": partnership,
        "following": request.user in partnership.followers.all(),
        "follower_form": (form or FollowerForm(partnership)) if can_edit(request.user) else None,
    }


@require_POST
@viewer_required
@vary_on_headers("HX-Request")
def partnership_follow(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Follow the partnership (its reminders and My work include it) or stop following it.

    htmx: answers the followers block, which holds the button, the list and its count,
    with a status line; a plain POST goes back to the page."""
    partnership = get_object_or_404(Partnership, pk=pk)
    follow = request.POST.get("follow") == "on"
    partnership.set_followed(request.user, follow=follow)
    if not wants_partial(request):
        return redirect(f"{partnership.get_absolute_url()}#followers")
    prefetch_related_objects([partnership], "followers")  # the change cleared them
    notice = (
        _("You now follow this partnership.")
        if follow
        else _("You no longer follow this partnership.")
    )
    context = {**_followers_block(request, partnership), "followers_notice": notice}
    return render_partial_or_page(request, FOLLOWERS, context, "followers")


@require_POST
@editor_required
@vary_on_headers("HX-Request")
def partnership_followers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add a colleague to the partnership's followers or take one off (editors).

    htmx: answers the followers block (its errors with 422); a plain POST goes back to the
    page, or shows it whole with the error next to the field."""
    partnership = _partnership(pk)
    form = FollowerForm(partnership, request.POST)
    if not form.is_valid():
        if not wants_partial(request):
            return _partnership_page(
                request, partnership, form, status=HTTPStatus.UNPROCESSABLE_ENTITY
            )
        context = _followers_block(request, partnership, form)
        return render_partial_or_page(
            request, FOLLOWERS, context, "followers", status=HTTPStatus.UNPROCESSABLE_ENTITY
        )
    account = form.save()
    prefetch_related_objects([partnership], "followers")  # the change cleared them
    done = (
        _("%(name)s now follows this partnership.")
        if form.cleaned_data["add"]
        else _("%(name)s no longer follows this partnership.")
    ) % {"name": account_label(account)}
    if not wants_partial(request):
        messages.success(request, done)
        return redirect(f"{partnership.get_absolute_url()}#followers")
    context = {**_followers_block(request, partnership), "followers_notice": done}
    return render_partial_or_page(request, FOLLOWERS, context, "followers")


@require_GET
@viewer_required
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    context = {"person": person, **stories.person_story(person)}
    return render_partial_or_page(request, "workspace/person_detail.html", context)


@require_GET
@viewer_required
def organisation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("city", "parent"), pk=pk)
    context = {"organisation": organisation, **stories.organisation_story(organisation)}
    return render_partial_or_page(request, "workspace/organisation_detail.html", context)


def _lineage(agreement: Agreement) -> dict[str, Any]:
    """The nearest ``LINEAGE_SHOWN`` agreements this one implements or renews, and how many
    earlier ones are not shown (issue 16: the page grew with the chain)."""
    lineage, earlier = agreement.lineage_shown(LINEAGE_SHOWN)
    return {"lineage": lineage, "lineage_earlier": earlier}


def _successors(agreement: Agreement) -> dict[str, Any]:
    """The first ``SUCCESSORS_SHOWN`` agreements that implement or renew this one, and how
    many there are (a window count): one query of at most that many rows (issue 16: the
    most implemented agreement of a big partnership had every successor read whole)."""
    rows = list(
        agreement.children.only("reference", "title", "parent_relation").annotate(
            total=Window(Count("pk"))
        )[:SUCCESSORS_SHOWN]
    )
    return {"successors": rows, "successors_total": rows[0].total if rows else 0}


@require_GET
@viewer_required
def agreement_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.select_related(*AGREEMENT_RELATED, "parent").prefetch_related(
            "parties",
            "fields",
            "documents",
            "signatories__person",
            "signatories__organisation",
            "signed_during_visits",
            "action_items__owner_organisation",
        ),
        pk=pk,
    )
    context = {
        "agreement": agreement,
        **_lineage(agreement),
        **_successors(agreement),
    }
    return render_partial_or_page(request, "workspace/agreement_detail.html", context)
