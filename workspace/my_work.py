"""My work ("Việc của tôi"): the open action items assigned to the signed-in account,
overdue first, then by due date, with the inline status change; and its dashboard card.

Under them, what is coming up in "my partnerships": those the account follows
(``Partnership.followers``) and those where it has open items assigned: their visits in
the next 14 days and their agreements expiring within 180 days, as in the e-mail digest
(workspace/reminders.py), which reads them from here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import override

from django import forms
from django.contrib.auth.models import User
from django.db.models import F, OrderBy, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from agreements.models import Agreement, AgreementQuerySet
from common.htmx import render_partial_or_page, wants_partial
from common.http_request import AuthenticatedRequest
from common.join_planning import joins_as_written, read_now
from common.listing import ListFilterForm, paginate
from common.permissions import viewer_required
from delegations.models import LIST_RELATED, ActionItem, ActionItemQuerySet, Visit, VisitQuerySet
from partnerships.models import Partnership, PartnershipQuerySet
from workspace.result_groups import Group, take

MY_WORK_ORDER: list[OrderBy | str] = [
    F("is_late").desc(),
    F("due_on").asc(nulls_last=True),
    OrderBy(F("priority"), descending=True),
    "pk",
]
CARD_LIMIT = 5
DUE_SOON_DAYS = 30
EXPIRING_DAYS = 180
VISIT_DAYS = 14
CITIES = ("partnership__home_city", "partnership__partner_city")
ITEM_RELATED = LIST_RELATED  # an item's card shows what its list row shows


def my_items(user: User) -> ActionItemQuerySet:
    return ActionItem.objects.my_work(user).select_related(*ITEM_RELATED)


def my_partnerships(user: User) -> PartnershipQuerySet:
    """The partnerships ``user`` follows or has open action items assigned in."""
    assigned = ActionItem.objects.assigned_to(user).open().values("partnership")
    return Partnership.objects.filter(Q(followers=user) | Q(pk__in=assigned)).distinct()


def expiring_agreements(user: User, on: dt.date, days: int = EXPIRING_DAYS) -> AgreementQuerySet:
    return (
        Agreement.objects.expiring_within(days=days, on=on)
        .filter(partnership__in=my_partnerships(user).values("pk"))
        .select_related(*CITIES)
        .order_by("valid_until", "reference")
    )


def coming_visits(user: User, on: dt.date, days: int = VISIT_DAYS) -> VisitQuerySet:
    return (
        Visit.objects.upcoming(on=on)
        .filter(
            partnership__in=my_partnerships(user).values("pk"),
            start_date__lte=on + dt.timedelta(days=days),
        )
        .select_related(*CITIES)
    )


@dataclass
class ComingUp:
    """My work's lower part: my partnerships and what falls due in them."""

    followed: list[Partnership]
    visits: list[Visit]
    expiring: list[Agreement]


def coming_up(user: User, on: dt.date | None = None) -> ComingUp:
    """Three queries, whatever the number of partnerships."""
    on = on or timezone.localdate()
    followed = Partnership.objects.followed_by(user).select_related("home_city", "partner_city")
    return ComingUp(
        followed=list(followed.order_by("home_city__name", "partner_city__name")),
        visits=list(coming_visits(user, on)),
        expiring=list(expiring_agreements(user, on)),
    )


def dashboard_card(user: User) -> Group:
    """The first few of ``user``'s open items and how many there are (one query, two
    when there are more)."""
    group = Group("my_work", _("My work"))
    with joins_as_written():  # nine joined tables: ~20-100 ms of planning (issue 16)
        return take(group, my_items(user), limit=CARD_LIMIT)


class MyWorkFilterForm(ListFilterForm[ActionItemQuerySet]):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    SORTS = {
        "due": ("due_on", _("due date, overdue first")),
        "description": ("description", _("action item")),
        "-priority": ("-priority", _("priority")),
        "status": ("status", _("status")),
    }
    default_sort = "due"
    NAME_FIELDS = frozenset({"description"})
    reads_record = False  # fixed choices: its HTML is cached without the data version

    due = forms.ChoiceField(
        label=_("Due"),
        choices=[
            ("", _("all my open items")),
            (OVERDUE, _("overdue")),
            (DUE_SOON, _("due in the next 30 days")),
        ],
        required=False,
    )

    @override
    def filter(self, queryset: ActionItemQuerySet) -> ActionItemQuerySet:
        due = self.cleaned_data.get("due")
        if due == self.OVERDUE:
            return queryset.overdue()
        if due == self.DUE_SOON:
            return queryset.due_within(days=DUE_SOON_DAYS)
        return queryset

    @override
    def ordering(self) -> list[OrderBy | str]:
        key = (self.cleaned_data.get("sort") if hasattr(self, "cleaned_data") else "") or ""
        if (key or self.default_sort) == "due":
            # The default: overdue first, then by due date (ActionItemQuerySet.my_work).
            return MY_WORK_ORDER
        return super().ordering()


@require_GET
@viewer_required
@vary_on_headers("HX-Request")
def my_work(request: AuthenticatedRequest) -> HttpResponse:
    filters = MyWorkFilterForm(request.GET)
    items = filters.results(my_items(request.user))
    with joins_as_written():  # nine joined tables: ~20-100 ms of planning (issue 16)
        page_obj = read_now(paginate(request, items))
    context = {
        "filters": filters,
        "page_obj": page_obj,
        # Only the list is swapped when filtering: the rest is read for the full page.
        "coming_up": None if wants_partial(request) else coming_up(request.user),
    }
    return render_partial_or_page(request, "workspace/my_work.html", context, "my-work-results")
