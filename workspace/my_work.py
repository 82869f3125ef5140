"""My work ("Việc của tôi"): the open action items assigned to the signed-in account,
overdue first, then by due date, with the inline status change; and its dashboard card.

Under them, what is coming up in "my partnerships": those the account follows
(``Partnership.followers``) and those where it has open items assigned: their visits in
the next 14 days and their agreements expiring within 180 days, as in the e-mail digest
(workspace/reminders.py), which reads them from here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, override

from django import forms
from django.contrib.auth.models import User
from django.core.paginator import Page
from django.db.models import Exists, F, OrderBy, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from agreements.models import Agreement, AgreementQuerySet
from common.htmx import render_partial_or_page, wants_partial
from common.http_request import AuthenticatedRequest
from common.listing import ListFilterForm, paginate
from common.permissions import viewer_required
from delegations.models import (
    LIST_COLUMNS,
    ActionItem,
    ActionItemQuerySet,
    Visit,
    VisitQuerySet,
)
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
# The columns of its own a row of the page shows (the inline status change's among them)
# and the keys of the records it names.
ROW_COLUMNS = (*LIST_COLUMNS, "partnership", "visit", "agreement")
# What the dashboard's card shows of an item (its name of the partnership: ``with_names``).
CARD_COLUMNS = ("description", "due_on", "due_on_precision", "status", "partnership")
# What "my partnerships" shows of a visit and of an agreement (includes/my_partnerships.html).
VISIT_SHOWN = (
    "partnership",
    "title",
    "start_date",
    "start_date_precision",
    "end_date",
    "end_date_kind",
    "date_note",
)
AGREEMENT_SHOWN = ("partnership", "reference", "title", "valid_until")


def my_rows(user: User) -> ActionItemQuerySet:
    """``user``'s open items as the page's rows show them: the item's own columns only,
    sorted without a join (issue 16: the page joined nine tables, ~20-100 ms of planning,
    and sorted every assigned item's joined row, dozens of kilobytes each, to keep 25).
    What the rows name of other records is added when the page is read: ``with_names``."""
    return ActionItem.objects.my_work(user).only(*ROW_COLUMNS)


def with_names(items: ActionItemQuerySet) -> ActionItemQuerySet:
    """The page's rows with the names they show (``str(partnership)``, the visit's title,
    the agreement's reference; None where the item has no such record), each read by a
    subquery on the record's key that PostgreSQL runs for the page's rows only, after the
    sort and the limit: a few index lookups a row and no join to plan."""
    visit = Visit.objects.filter(pk=OuterRef("visit_id")).order_by()
    agreement = Agreement.objects.filter(pk=OuterRef("agreement_id")).order_by()
    return with_partnership_name(items).annotate(
        visit_title=Subquery(visit.values("title")),
        agreement_reference=Subquery(agreement.values("reference")),
    )


def with_partnership_name(items: ActionItemQuerySet) -> ActionItemQuerySet:
    """``items`` with ``partnership_name``: ``str(partnership)`` read by a subquery."""
    partnership = Partnership.objects.filter(pk=OuterRef("partnership_id")).order_by()
    return items.annotate(
        partnership_name=Subquery(
            partnership.annotate(name=Partnership.name_in_sql()).values("name")
        )
    )


def my_partnerships(user: User) -> PartnershipQuerySet:
    """The partnerships ``user`` follows or has open action items assigned in."""
    assigned = ActionItem.objects.assigned_to(user).open().values("partnership")
    return Partnership.objects.filter(Q(followers=user) | Q(pk__in=assigned)).distinct()


def expiring_agreements(user: User, on: dt.date, days: int = EXPIRING_DAYS) -> AgreementQuerySet:
    mine = my_partnerships(user).values("pk")
    return _expiring_in(mine, on, days).select_related(*CITIES)


def coming_visits(user: User, on: dt.date, days: int = VISIT_DAYS) -> VisitQuerySet:
    return _visits_in(my_partnerships(user).values("pk"), on, days).select_related(*CITIES)


def _expiring_in(
    partnerships: Iterable[int] | QuerySet[Any], on: dt.date, days: int
) -> AgreementQuerySet:
    return (
        Agreement.objects.expiring_within(days=days, on=on)
        .filter(partnership__in=partnerships)
        .order_by("valid_until", "reference")
    )


def _visits_in(
    partnerships: Iterable[int] | QuerySet[Any], on: dt.date, days: int
) -> VisitQuerySet:
    return Visit.objects.upcoming(on=on).filter(
        partnership__in=partnerships, start_date__lte=on + dt.timedelta(days=days)
    )


@dataclass
class ComingUp:
    """My work's lower part: my partnerships and what falls due in them."""

    followed: list[Partnership]
    visits: list[Visit]
    expiring: list[Agreement]


def coming_up(user: User, on: dt.date | None = None) -> ComingUp:
    """My partnerships read once, each with whether ``user`` follows it and its cities'
    names; their visits and expiring agreements read by the partnerships' ids, named from
    the partnerships already read, and only when there are some: one query for an account
    with no partnership of its own, three otherwise, none of them joined to the cities
    (issue 16: the three statements that each joined them and found the account's
    partnerships again cost ~2 ms of planning each, and their Python as much)."""
    on = on or timezone.localdate()
    followed = Partnership.followers.through.objects.filter(user=user)
    assigned = ActionItem.objects.assigned_to(user).open().values("partnership")
    mine = {
        partnership.pk: partnership
        for partnership in Partnership.objects.filter(
            Q(pk__in=followed.values("partnership")) | Q(pk__in=assigned)
        )
        .annotate(followed=Exists(followed.filter(partnership=OuterRef("pk"))))
        .select_related("home_city", "partner_city")
        .only("home_city__name", "partner_city__name")
        .order_by("home_city__name", "partner_city__name")
    }
    if not mine:
        return ComingUp(followed=[], visits=[], expiring=[])
    visits = list(_visits_in(list(mine), on, VISIT_DAYS).only(*VISIT_SHOWN))
    expiring = list(_expiring_in(list(mine), on, EXPIRING_DAYS).only(*AGREEMENT_SHOWN))
    for visit in visits:
        visit.partnership = mine[visit.partnership_id]
    for agreement in expiring:
        agreement.partnership = mine[agreement.partnership_id]
    return ComingUp(
        followed=[partnership for partnership in mine.values() if partnership.followed],
        visits=visits,
        expiring=expiring,
    )


def dashboard_card(user: User) -> Group:
    """The first few of ``user``'s open items and how many there are (one query, two
    when there are more): the item's own columns, sorted without a join, and the name of
    its partnership read for the rows shown only (issue 16: the nine joined tables cost
    ~20 ms of planning, or a transaction and a SET LOCAL at every dashboard view).

    The first rows are found by their ids alone: every column the order needs is in the
    index of the open items' due dates (``actionitem_open_due``), which PostgreSQL then
    reads without the table; sorting the rows themselves read every open item of the
    record (an account with 3,626 open items: ~50 -> ~12 ms at scale 1)."""
    group = Group("my_work", _("My work"))
    items = ActionItem.objects.my_work(user).only(*CARD_COLUMNS)
    first = items.values("pk")[: CARD_LIMIT + 1]
    shown = with_partnership_name(items.filter(pk__in=Subquery(first)))
    return take(group, shown, limit=CARD_LIMIT, counted=items)


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
    page_obj = _page(request, filters.results(my_rows(request.user)))
    context = {
        "filters": filters,
        "page_obj": page_obj,
        # Only the list is swapped when filtering: the rest is read for the full page.
        "coming_up": None if wants_partial(request) else coming_up(request.user),
    }
    return render_partial_or_page(request, "workspace/my_work.html", context, "my-work-results")


def _page(request: AuthenticatedRequest, items: ActionItemQuerySet) -> Page[ActionItem]:
    """The page of ``items`` asked for, counted first, found by the ids alone, then its
    rows read with their names: the default order's columns are all in the index of the
    open items' due dates (``actionitem_open_due``), which PostgreSQL then reads without
    the table, where sorting the rows themselves read every open item of the record (an
    account with 3,626 open items: ~60 -> ~15 ms at scale 1, issue 16). One statement
    (the ids a subquery), two beyond ``CappedPaginator``'s cap (the ids read first)."""
    page = paginate(request, items.values_list("pk", flat=True), counted=items)
    ids = page.object_list
    shown = Subquery(ids) if isinstance(ids, QuerySet) else list(ids)
    page.object_list = list(with_names(items.filter(pk__in=shown)))
    return page
