"""The partners and organisations lists' rows written in Python (partnerships/list_rows.py)
are the HTML the template loops they replace wrote: escaping, the English name shown only
when it differs, partial dates, "date not known", no fields, the people counted now, the
parent's abbreviation or name, in both languages (issue 16)."""

import datetime as dt
import re

import pytest
from django.template import engines
from django.utils import translation

from delegations.partnership_visits import with_last_visit
from partnerships.list_rows import organisation_rows, partnership_rows
from partnerships.models import Organisation, Partnership
from tests.factories import (
    CityFactory,
    FieldOfCooperationFactory,
    OrganisationFactory,
    PartnershipFactory,
    PositionFactory,
    VisitFactory,
)

# The rows as partnerships/partnership_list.html and organisation_list.html wrote them
# before (the template loops of session 6), over every record.
_PARTNERSHIP_LOOP = """{% load i18n workspace %}{% for partnership in records %}
  <tr>
    <td><a href="{{ partnership.get_absolute_url }}">{{ partnership.partner_city.name }}</a>{% if partnership.partner_city.name_en and partnership.partner_city.name_en != partnership.partner_city.name %} <span class="muted">({{ partnership.partner_city.name_en }})</span>{% endif %}</td>
    <td>{{ partnership.partner_city.country.name }}</td>
    <td>{{ partnership.home_city.name }}</td>
    <td class="hide-narrow">{{ partnership.get_kind_display }}</td>
    <td><span class="badge badge-{{ partnership.status }}">{{ partnership.get_status_display }}</span></td>
    <td class="nowrap">{{ partnership.established|partial_date }}</td>
    <td class="nowrap">{% if partnership.last_visit_on %}{{ partnership.last_visit_on|date:"d/m/Y" }}{% elif partnership.has_visit %}{% translate "date not known" %}{% else %}—{% endif %}</td>
    <td class="col-fields">{% for f in partnership.fields.all %}<span class="badge">{{ f.name }}</span>{% empty %}—{% endfor %}</td>
  </tr>
{% endfor %}"""

_ORGANISATION_LOOP = """{% for organisation in records %}
  <tr>
    <td><a href="{{ organisation.get_absolute_url }}">{{ organisation.name }}</a>{% if organisation.abbreviation %} <span class="muted">({{ organisation.abbreviation }})</span>{% endif %}</td>
    <td>{{ organisation.get_kind_display }}</td>
    <td>{% if organisation.city %}<a href="{{ organisation.city.get_absolute_url }}">{{ organisation.city }}</a>{% else %}—{% endif %}</td>
    <td>{{ organisation.country.name }}</td>
    <td>{% if organisation.parent %}<a href="{{ organisation.parent.get_absolute_url }}">{{ organisation.parent.abbreviation|default:organisation.parent.name }}</a>{% else %}—{% endif %}</td>
    <td class="numeric">{{ organisation.people_now }}</td>
  </tr>
{% endfor %}"""


def _loop(source: str, records) -> str:
    return engines["django"].from_string(source).render({"records": records})


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_partners_rows_written_in_python_equal_the_template_loop(db, language):
    culture, trade = (
        FieldOfCooperationFactory(name="Văn hóa"),
        FieldOfCooperationFactory(name="<Thương mại>"),
    )
    visited = PartnershipFactory(
        partner_city=CityFactory(name="Minsk & <Co>", name_en="Minsk", country="BY"),
        established_on=dt.date(2004, 1, 1),
        established_on_precision="year",
        status=Partnership.Status.DORMANT,
    )
    visited.fields.set([trade, culture])
    VisitFactory(partnership=visited, start_date=dt.date(2024, 5, 16))
    undated = PartnershipFactory(
        partner_city=CityFactory(name="Viêng Chăn", name_en="Viêng Chăn", country="LA"),
        established_on=dt.date(2018, 8, 12),
        established_on_precision="day",
    )
    VisitFactory(partnership=undated, start_date=None, end_date=None)
    PartnershipFactory(partner_city=CityFactory(name="Nowhere", name_en="", country="FR"))
    with translation.override(language):
        expected = _loop(
            _PARTNERSHIP_LOOP,
            with_last_visit(Partnership.objects.with_cities()).prefetch_related("fields"),
        )
        written = str(partnership_rows(with_last_visit(Partnership.objects.for_list())))
    assert written == expected
    assert 'Minsk &amp; &lt;Co&gt;</a> <span class="muted">(Minsk)</span>' in written
    assert (
        '<span class="badge">&lt;Thương mại&gt;</span><span class="badge">Văn hóa</span>' in written
    )
    assert "16/05/2024" in written
    assert '<td class="col-fields">—</td>' in written


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_organisations_rows_written_in_python_equal_the_template_loop(db, language):
    parent = OrganisationFactory(name="Ủy ban <nhân dân>", abbreviation="")
    abbreviated = OrganisationFactory(name="Sở Ngoại vụ", abbreviation="SNV & co", parent=parent)
    OrganisationFactory(name="Cơ quan con", parent=abbreviated, city=CityFactory(name="Minsk <1>"))
    for _ in range(3):
        PositionFactory(organisation=abbreviated)
    PositionFactory(organisation=abbreviated, end=dt.date(2001, 1, 1), start=dt.date(2000, 1, 1))
    with translation.override(language):
        expected = _loop(
            _ORGANISATION_LOOP,
            Organisation.objects.select_related("city", "parent").with_people_now(),
        )
        written = str(organisation_rows(Organisation.objects.for_list()))
    assert written == expected
    assert re.search(r"\(SNV &amp; co\)</span>", written)
    assert ">Ủy ban &lt;nhân dân&gt;</a></td>" in written  # the parent without an abbreviation
    assert ">SNV &amp; co</a></td>" in written  # the parent by its abbreviation
    assert '<td class="numeric">3</td>' in written
