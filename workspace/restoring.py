"""Bringing back a child row removed while editing its record (issue 17, finding 11).

Removing a signatory, a document, a participant, a programme item or another part of a
visit while editing is editing, not deleting (SECURITY.md): editors may do it, every
removal is in the record's history, and an editor or administrator brings one back from
there with the "Restore" button (``common.history.restore_deleted``: the row as it was,
with its links). The restore is recorded in the history under whoever restored it.
Only the children shown in a record's history can be restored this way: never a record
of its own (an agreement, a visit), which only an administrator deletes.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.contrib import messages
from django.db import models, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from simple_history.utils import get_history_manager_for_model

from agreements.models import Agreement
from common.history import NotRestorableError, restore_deleted
from common.http_request import AuthenticatedRequest
from common.permissions import editor_required
from delegations.models import ActionItem, Visit
from delegations.visit_parts import HISTORY_CHILDREN
from partnerships.models import Person

# The records whose pages show their children's history, and those children.
CHILDREN_SHOWN: dict[type[models.Model], tuple[str, ...]] = {
    Agreement: ("signatories", "documents"),
    Visit: tuple(HISTORY_CHILDREN.split()),
    ActionItem: ("updates",),
    Person: ("positions",),
}


@functools.cache
def restorable_children() -> dict[str, str]:
    """{app_label.model_name of a child: the name of its link to its record}."""
    found: dict[str, str] = {}
    for parent, related_names in CHILDREN_SHOWN.items():
        for related_name in related_names:
            relation = parent._meta.get_field(related_name)
            if isinstance(relation, models.ForeignObjectRel) and relation.related_model:
                child: type[models.Model] = relation.related_model
                found[child._meta.label_lower] = relation.field.name
    return found


@require_POST
@editor_required
def restore_removed(request: AuthenticatedRequest, label: str, pk: int) -> HttpResponse:
    """Restore the removed row, then back to its record's history, saying what happened."""
    link = restorable_children().get(label)
    if link is None:
        raise Http404
    model = apps.get_model(label)
    try:
        with transaction.atomic():
            record = restore_deleted(model, pk)
    except NotRestorableError as refusal:
        messages.error(request, str(refusal))
        return _back_to_record(model, link, pk)
    messages.success(
        request,
        _("Restored %(kind)s: %(record)s.") % {"kind": model._meta.verbose_name, "record": record},
    )
    return redirect(resolve_url(getattr(record, link)) + "#history")


def _back_to_record(model: type[models.Model], link: str, pk: int) -> HttpResponse:
    """The page of the record the row belonged to, from its history; 404 if none."""
    row = get_history_manager_for_model(model).filter(id=pk).order_by("-history_id").first()
    if row is None:
        raise Http404
    parent_model = model._meta.get_field(link).related_model
    parent = (
        parent_model._default_manager.filter(pk=getattr(row, f"{link}_id")).first()
        if isinstance(parent_model, type)
        else None
    )
    if parent is None:
        return redirect("dashboard")
    return redirect(resolve_url(parent) + "#history")
