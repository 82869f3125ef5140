"""``reverse`` for many records at once.

A page that links thousands of records (the calendar's month at scale, the partner map's
table) spent a noticeable share of its time in ``reverse``, once per link."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARKER = 987654321987  # an id no record has: found once in the reversed URL


def url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for any number of integer ids at the price of one
    ``reverse``: the URL of an integer id is the same text around its digits. Make it
    where it is used (script prefix and language are those of the moment)."""
    prefix, _marker, suffix = reverse(name, args=[_MARKER]).rpartition(str(_MARKER))
    return lambda pk: f"{prefix}{pk}{suffix}"
