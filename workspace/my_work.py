"""My work ("Việc của tôi"): the open action items assigned to the signed-in account,
overdue first, then by due date, with the inline status change; and its dashboard card."""

from __future__ import annotations

from typing import override

from django import forms
from django.contrib.auth.models import User
from django.db.models import F, OrderBy
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from common.htmx import render_partial_or_page
from common.http_request import AuthenticatedRequest
from common.listing import ListFilterForm, paginate
from common.permissions import viewer_required
from delegations.models import ActionItem, ActionItemQuerySet
from workspace.result_groups import Group, take

MY_WORK_ORDER: list[OrderBy | str] = [
    F("is_late").desc(),
    F("due_on").asc(nulls_last=True),
    OrderBy(F("priority"), descending=True),
    "pk",
]
CARD_LIMIT = 5
DUE_SOON_DAYS = 30
ITEM_RELATED = (
    "partnership__home_city",
    "partnership__partner_city",
    "owner_organisation",
    "owner_person",
    "visit",
    "agreement",
)


def my_items(user: User) -> ActionItemQuerySet:
    return ActionItem.objects.my_work(user).select_related(*ITEM_RELATED)


def dashboard_card(user: User) -> Group:
    """The first few of ``user``'s open items and how many there are (one query, two
    when there are more)."""
    group = Group("my_work", _("My work"))
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
    context = {"filters": filters, "page_obj": paginate(request, items)}
    return render_partial_or_page(request, "workspace/my_work.html", context, "my-work-results")
