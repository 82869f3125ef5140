"""The office's three roles, as Django groups.

viewers read everything; editors also create and change; administrators also
delete and manage users. The groups are (re)built after every migrate so that
a fresh database, the test database and production agree.
"""

from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef, Q, QuerySet

# Whoever makes a request: ``request.user`` (the project keeps Django's User model).
type AnyUser = User | AnonymousUser

VIEWER = "viewer"
EDITOR = "editor"
ADMINISTRATOR = "administrator"
ROLES = (VIEWER, EDITOR, ADMINISTRATOR)

DOMAIN_APPS = ("partnerships", "agreements", "delegations")


def _permissions(apps: tuple[str, ...], actions: tuple[str, ...], using: str) -> list[Permission]:
    codenames = Permission.objects.using(using).filter(content_type__app_label__in=apps)
    return [p for p in codenames if p.codename.split("_", 1)[0] in actions]


def ensure_roles(using: str = DEFAULT_DB_ALIAS) -> dict[str, Group]:
    """The three groups and their permissions, in database ``using`` (bench/growth.py
    prepares one database per scale from one process)."""
    groups = {name: Group.objects.using(using).get_or_create(name=name)[0] for name in ROLES}
    groups[VIEWER].permissions.set(_permissions(DOMAIN_APPS, ("view",), using))
    groups[EDITOR].permissions.set(_permissions(DOMAIN_APPS, ("view", "add", "change"), using))
    groups[ADMINISTRATOR].permissions.set(
        _permissions(DOMAIN_APPS, ("view", "add", "change", "delete"), using)
        + _permissions(("auth",), ("view", "add", "change", "delete"), using)
    )
    return groups


def ensure_roles_after_migrate(**kwargs: Any) -> None:
    """``post_migrate`` receiver (connected in common/apps.py with this app as sender)."""
    using = kwargs.get("using", "default")
    if using == "default":
        ensure_roles()


def staff_accounts() -> QuerySet[User]:
    """Active accounts holding one of the roles (those work can be assigned to), by name."""
    in_a_role = Group.objects.filter(user=OuterRef("pk"), name__in=ROLES)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Exists(in_a_role))
        .order_by("first_name", "last_name", "username")
    )


def account_label(user: User) -> str:
    return user.get_full_name() or user.get_username()


def role_of(user: AnyUser) -> str | None:
    """The highest role a user holds (superusers count as administrators)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMINISTRATOR
    names = {g.name for g in user.groups.all()}
    for role in (ADMINISTRATOR, EDITOR, VIEWER):
        if role in names:
            return role
    return None
