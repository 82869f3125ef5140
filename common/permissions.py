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
from typing import TYPE_CHECKING, Any, Concatenate, Protocol, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, ProtectedError, RestrictedError
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from common.roles import ADMINISTRATOR, EDITOR, VIEWER, AnyUser, role_of

if TYPE_CHECKING:
    from common.http_request import AuthenticatedRequest

READERS = (VIEWER, EDITOR, ADMINISTRATOR)
WRITERS = (EDITOR, ADMINISTRATOR)
DELETERS = (ADMINISTRATOR,)


def user_role(user: AnyUser) -> str | None:
    """``role_of`` once per request: the user object lives as long as the request (views and
    the ``workspace`` template tags share this cache)."""
    # Kept on the user object itself (through request.user's SimpleLazyObject).
    holder: Any = user
    if not hasattr(holder, "_workspace_role"):
        holder._workspace_role = role_of(user)
    return holder._workspace_role


def can_read(user: AnyUser) -> bool:
    return user_role(user) in READERS


def can_edit(user: AnyUser) -> bool:
    return user_role(user) in WRITERS


def can_delete(user: AnyUser) -> bool:
    return user_role(user) in DELETERS


def may_use_admin(user: AnyUser) -> bool:
    """The Django admin is for administrators (superusers count) marked as staff: a viewer
    or an editor is not offered it, even with ``is_staff`` set."""
    return bool(user.is_active and user.is_staff and user_role(user) in DELETERS)


class ViewDecorator(Protocol):
    """Turns a view of signed-in users into a view Django can call with any request."""

    def __call__[**P, R: HttpResponseBase](
        self, view: Callable[Concatenate[AuthenticatedRequest, P], R], /
    ) -> Callable[Concatenate[HttpRequest, P], R]: ...


def role_required(roles: Iterable[str]) -> ViewDecorator:
    """Decorator: login first (redirect), then one of ``roles`` (else 403)."""
    allowed = tuple(roles)

    def decorator[**P, R: HttpResponseBase](
        view: Callable[Concatenate[AuthenticatedRequest, P], R],
    ) -> Callable[Concatenate[HttpRequest, P], R]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
            if user_role(request.user) not in allowed:
                raise PermissionDenied
            # Past login_required and the role check: the user is signed in.
            return view(cast("AuthenticatedRequest", request), *args, **kwargs)

        return login_required(wrapped)

    return decorator


viewer_required = role_required(READERS)
editor_required = role_required(WRITERS)
administrator_required = role_required(DELETERS)


def dependants(error: ProtectedError | RestrictedError, *, limit: int = 10) -> list[dict[str, Any]]:
    """The records that block a delete, grouped by kind: ``[{"kind": "visits", "items": [...]}]``."""
    objs = (
        error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    )
    groups: dict[type[Model], list[Model]] = {}
    for obj in objs:
        groups.setdefault(type(obj), []).append(obj)
    result: list[dict[str, Any]] = []
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


def try_delete(obj: Model) -> list[dict[str, Any]]:
    """Delete ``obj`` (history records it); return the blocking records instead if any."""
    try:
        obj.delete()
    except (ProtectedError, RestrictedError) as error:
        return dependants(error)
    return []
