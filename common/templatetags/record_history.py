"""``{% load record_history %}{% record_history object "children related names" %}``.

Renders templates/includes/history.html: the record's history (and that of the
child records named, e.g. ``"participants engagements"`` for a visit), newest
first, in a bounded number of queries (see common/history.py). A child row removed while
editing, and not back since, has a "Restore" button for editors and administrators
(a POST to ``workspace:restore_removed``).
"""

from typing import Any

from django import template
from django.db import models

from common.history import LIMIT
from common.history import record_history as build_history
from common.permissions import can_edit

register = template.Library()


@register.inclusion_tag("includes/history.html", takes_context=True)
def record_history(
    context: template.Context, obj: models.Model, children: str = "", limit: int = LIMIT
) -> dict[str, Any]:
    """Child rows removed (and not back since) carry a restore button for editors."""
    entries = build_history(obj, children.split(), limit=limit)
    request = context.get("request")
    can_restore = (
        request is not None
        and any(entry.restorable for entry in entries)
        and can_edit(request.user)
    )
    return {
        "history_entries": entries,
        "history_limit": limit,
        "history_object": obj,
        "can_restore": can_restore,
        "csrf_token": context.get("csrf_token"),
    }
