"""Change the status of many action items at once (the action-items list's selection).

Each item goes through the same ``StatusForm`` as the inline change of one: its history
records the change (django-simple-history, one entry per item), a progress note is added
to each when one is written, and the version the list showed is checked, so an item
someone else saved since the list was loaded is left as it is and named (an edit
conflict, as for one item).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction

from common.concurrency import EditConflict
from delegations.forms import StatusForm
from delegations.models import ActionItem

# At most this many items in one change (a page of the list is 25).
MAX_ITEMS = 100


@dataclass
class BulkOutcome:
    changed: list[ActionItem] = field(default_factory=list)
    conflicts: list[ActionItem] = field(default_factory=list)
    unchanged: list[ActionItem] = field(default_factory=list)


def parse_selection(values: list[str], versions: Mapping[str, str]) -> dict[int, int]:
    """The selected item ids with the version the list knows of each → ``{12: 3, 15: 1}``.

    A row's checkbox sends its id; the version is the row's own ``version-<id>`` field,
    which an inline status change on the list replaces with the new version (htmx
    out-of-band), so a row changed inline and then changed in bulk is no conflict. An
    ``id:version`` value (an older page) is read too; malformed values are dropped.
    """
    selection: dict[int, int] = {}
    for value in values[:MAX_ITEMS]:
        pk, sep, version = value.partition(":")
        if not sep:
            version = str(versions.get(f"version-{pk}", ""))
        if pk.isdigit() and version.isdigit():
            selection[int(pk)] = int(version)
    return selection


def change_statuses(
    *, selection: dict[int, int], status: str, note: str, author: User
) -> BulkOutcome:
    """Give every selected item ``status`` (and the progress ``note``), each on its own."""
    outcome = BulkOutcome()
    items = ActionItem.objects.filter(pk__in=selection).order_by("pk")
    for item in items:
        prefix = f"item{item.pk}"
        data = {
            f"{prefix}-status": status,
            f"{prefix}-version": str(selection[item.pk]),
            f"{prefix}-note": note,
        }
        form = StatusForm(data, instance=item, author=author, prefix=prefix)
        if not form.is_valid():  # the same status and no note: nothing to do
            outcome.unchanged.append(item)
            continue
        try:
            with transaction.atomic():
                outcome.changed.append(form.save_versioned())
        except EditConflict:
            outcome.conflicts.append(item)
    return outcome
