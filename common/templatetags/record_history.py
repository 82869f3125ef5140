"""``{% load record_history %}{% record_history object "children related names" %}``.

Renders templates/includes/history.html: the record's history (and that of the
child records named, e.g. ``"participants engagements"`` for a visit), newest
first, in a bounded number of queries (see common/history.py).
"""

from typing import Any

from django import template
from django.db import models

from common.history import LIMIT
from common.history import record_history as build_history

register = template.Library()


@register.inclusion_tag("includes/history.html")
def record_history(obj: models.Model, children: str = "", limit: int = LIMIT) -> dict[str, Any]:
    entries = build_history(obj, children.split(), limit=limit)
    return {"history_entries": entries, "history_limit": limit, "history_object": obj}
