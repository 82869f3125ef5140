"""The kinds of job, each registered by the app that does the work (from its AppConfig.ready).

This app sits just above ``common``: it knows no brief and no spreadsheet. An app that
has long work registers a ``JobKind`` naming the function that does it (by dotted path,
imported only in the worker) and, if the job page should show more than a download
link, the template and the context function for its outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class JobKind:
    name: str  # stored in Job.kind
    label: str | Promise  # what the user reads: "Visit brief (PDF)"
    body: str  # dotted path of ``def body(job: Job) -> JobResult``
    # Roles that may open and download other people's jobs of this kind (the owner
    # always may): a brief any reader could make themself is shared with every reader.
    shared_with: tuple[str, ...] = ()
    # Shown on the job page once the job has ended, with what ``outcome_context(job)``
    # returns (dotted path of ``def outcome_context(job: Job) -> dict``).
    outcome_template: str = ""
    outcome_context: str = ""


_KINDS: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> None:
    _KINDS[kind.name] = kind


def kind_named(name: str) -> JobKind | None:
    return _KINDS.get(name)


def kinds_shared_with(role: str | None) -> Iterable[str]:
    return [kind.name for kind in _KINDS.values() if role is not None and role in kind.shared_with]
