"""Who may do what in the workspace, enforced on the server for every view.

Roles (common/roles.py): viewers read everything, editors also create and change,
administrators also delete and manage users. Every workspace view carries one of
the decorators below:

    @viewer_required          read-only pages (any of the three roles)
    @editor_required          creating and changing (editors and administrators)
    @administrator_required   deleting

An anonymous visitor is sent to the login page (with ``?next=``); a signed-in user
whose role is too low gets 403 Forbidden, for GET and POST alike, so a hidden
button is never the only thing standing in the way.

``refuse_protected_delete`` turns Django's ProtectedError into a readable list of
the records that still depend on the one being deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, ProtectedError, RestrictedError

from common.roles import ADMINISTRATOR, EDITOR, VIEWER, role_of

READERS = (VIEWER, EDITOR, ADMINISTRATOR)
WRITERS = (EDITOR, ADMINISTRATOR)
DELETERS = (ADMINISTRATOR,)


def user_role(user) -> str | None:
    """``role_of`` once per request (the same cache the ``workspace`` template tags use)."""
    if not hasattr(user, "_workspace_role"):
        user._workspace_role = role_of(user)
    return user._workspace_role


def can_read(user) -> bool:
    return user_role(user) in READERS


def can_edit(user) -> bool:
    return user_role(user) in WRITERS


def can_delete(user) -> bool:
    return user_role(user) in DELETERS


def role_required(roles: Iterable[str]) -> Callable:
    """Decorator: login first (redirect), then one of ``roles`` (else 403)."""
    allowed = tuple(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if user_role(request.user) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


viewer_required = role_required(READERS)
editor_required = role_required(WRITERS)
administrator_required = role_required(DELETERS)


def dependants(error: ProtectedError | RestrictedError, *, limit: int = 10) -> list[dict]:
    """The records that block a delete, grouped by kind: ``[{"kind": "visits", "items": [...]}]``."""
    objs = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
    groups: dict[type[Model], list[Model]] = {}
    for obj in objs:
        groups.setdefault(type(obj), []).append(obj)
    result = []
    for model, items in groups.items():
        result.append(
            {
                "kind": model._meta.verbose_name_plural,
                "count": len(items),
                "items": items[:limit],
                "more": max(0, len(items) - limit),
            }
        )
    return result


def try_delete(obj: Model) -> list[dict]:
    """Delete ``obj`` (history records it); return the blocking records instead if any."""
    try:
        obj.delete()
    except (ProtectedError, RestrictedError) as error:
        return dependants(error)
    return []
