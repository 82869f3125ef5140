"""The partners and organisations lists' rows, written in Python rather than by a
template loop.

At scale 1 the partners list's first view after a change spent more time in the
template's row loop (about twenty variable lookups, filters and a ``reverse`` per row)
than in reading its rows (issue 16). These rows are the same HTML the loops wrote,
escaped and localized the same way (tests/test_partner_list_rows.py compares them in both
languages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from common.escaping import escape
from common.reversing import url_maker
from partnerships.models import Organisation, Partnership

UNKNOWN = "—"


class _Labels:
    """The labels a list's rows repeat, each translated and escaped once per list: the
    choices' display (``get_FOO_display`` rebuilds the choices' dict at every call) and
    the countries' names."""

    def __init__(self, *choices: type[models.Choices]) -> None:
        self.choices = {value: escape(label) for kind in choices for value, label in kind.choices}
        self.countries: dict[str, str] = {}

    def choice(self, value: str) -> str:
        label = self.choices.get(value)
        return escape(value) if label is None else label

    def country(self, country: Any) -> str:  # a django_countries Country
        name = self.countries.get(country.code)
        if name is None:
            name = self.countries[country.code] = escape(country.name)
        return name


def partnership_rows(partnerships: Iterable[Any]) -> SafeString:
    """One ``<tr>`` per partnership of ``PartnershipQuerySet.for_list`` annotated by
    ``delegations.partnership_visits.with_last_visit``."""
    url = url_maker("partnerships:partnership_detail")
    date_not_known = escape(_("date not known"))
    kinds, statuses = _Labels(Partnership.Kind), _Labels(Partnership.Status)
    rows = []
    for partnership in partnerships:
        last_visit_on = partnership.last_visit_on
        if last_visit_on:
            visit = escape(_day(last_visit_on))
        elif partnership.has_visit:
            visit = date_not_known
        else:
            visit = UNKNOWN
        rows.append(
            _row(
                partnership,
                url=url(partnership.pk),
                kind=kinds.choice(partnership.kind),
                status=statuses.choice(partnership.status),
                country=kinds.country(partnership.partner_city.country),
                visit=visit,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped in _row)


def _day(day: dt.date) -> str:
    """``day|date:"d/m/Y"``."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _row(  # noqa: PLR0913 (one row's cells)
    partnership: Partnership, *, url: str, kind: str, status: str, country: str, visit: str
) -> str:
    partner, home = partnership.partner_city, partnership.home_city
    english = ""
    if partner.name_en and partner.name_en != partner.name:
        english = f' <span class="muted">({escape(partner.name_en)})</span>'
    established = partnership.established
    fields = "".join(
        f'<span class="badge">{escape(name)}</span>'
        for name in partnership.field_names  # type: ignore[attr-defined]  # for_list
    )
    return (
        "\n  <tr>\n"
        f'    <td><a href="{escape(url)}">{escape(partner.name)}</a>{english}</td>\n'
        f"    <td>{country}</td>\n"
        f"    <td>{escape(home.name)}</td>\n"
        f'    <td class="hide-narrow">{kind}</td>\n'
        f'    <td><span class="badge badge-{escape(partnership.status)}">{status}</span></td>\n'
        f'    <td class="nowrap">{escape(established.format() if established else UNKNOWN)}</td>\n'
        f'    <td class="nowrap">{visit}</td>\n'
        f'    <td class="col-fields">{fields or UNKNOWN}</td>\n'
        "  </tr>\n"
    )


def organisation_rows(organisations: Iterable[Any]) -> SafeString:
    """One ``<tr>`` per organisation of ``OrganisationQuerySet.for_list``."""
    organisation_url = url_maker("partnerships:organisation_detail")
    city_url = url_maker("partnerships:city_detail")
    labels = _Labels(Organisation.Kind)
    rows = [
        _organisation_row(organisation, organisation_url, city_url, labels)
        for organisation in organisations
    ]
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped in _organisation_row)


def _organisation_row(
    organisation: Organisation,
    organisation_url: Callable[[int], str],
    city_url: Callable[[int], str],
    labels: _Labels,
) -> str:
    abbreviation = ""
    if organisation.abbreviation:
        abbreviation = f' <span class="muted">({escape(organisation.abbreviation)})</span>'
    city = organisation.city
    where = f'<a href="{escape(city_url(city.pk))}">{escape(city)}</a>' if city else UNKNOWN
    parent = organisation.parent
    part_of = (
        f'<a href="{escape(organisation_url(parent.pk))}">'
        f"{escape(parent.abbreviation or parent.name)}</a>"
        if parent
        else UNKNOWN
    )
    people_now = organisation.people_now  # type: ignore[attr-defined]  # with_people_now
    return (
        "\n  <tr>\n"
        f'    <td><a href="{escape(organisation_url(organisation.pk))}">'
        f"{escape(organisation.name)}</a>{abbreviation}</td>\n"
        f"    <td>{labels.choice(organisation.kind)}</td>\n"
        f"    <td>{where}</td>\n"
        f"    <td>{labels.country(organisation.country)}</td>\n"
        f"    <td>{part_of}</td>\n"
        f'    <td class="numeric">{escape(formats.localize(people_now))}</td>\n'
        "  </tr>\n"
    )
