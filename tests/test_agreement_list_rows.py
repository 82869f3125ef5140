"""The agreements list's rows written in Python (agreements/list_rows.py) are the HTML the
template loop they replace wrote: escaping, a long title cut with the whole of it in the
cell's title, the partial signature date, the period or "—", the fields' names joined and
cut, in both languages (issue 16)."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import translation

from agreements.list_rows import agreement_rows
from agreements.models import Agreement
from agreements.views.records import LIST_COLUMNS, LIST_RELATED
from tests.factories import AgreementFactory, CityFactory, FieldOfCooperationFactory

# The rows as agreements/agreement_list.html wrote them before (its ``row`` block, session
# 7), over every record.
_AGREEMENT_LOOP = """{% load i18n workspace textcut %}{% for record in records %}{% with agreement=record %}
  <tr>
    <td class="nowrap"><a href="{% url 'agreements:agreement_detail' agreement.pk %}">{{ agreement.reference }}</a></td>
    <td class="title-cell"{% if agreement.title|length > 120 %} title="{{ agreement.title }}"{% endif %}>{{ agreement.title|truncate_at_word:120 }}</td>
    <td class="secondary-cell">{{ agreement.partnership }}</td>
    <td>{{ agreement.get_kind_display }}</td>
    <td><span class="badge badge-{{ agreement.status }}">{{ agreement.get_status_display }}</span></td>
    <td class="nowrap">{{ agreement.signed|partial_date }}</td>
    <td class="nowrap">{{ agreement.period_label|default:"—" }}</td>
    {% with names=agreement.field_names|join:", " %}<td class="secondary-cell"{% if names|length > 48 %} title="{{ names }}"{% endif %}>{{ names|truncate_at_word:48 }}</td>{% endwith %}
  </tr>
{% endwith %}{% endfor %}"""


def _rows():
    return (
        Agreement.objects.select_related(*LIST_RELATED)
        .only(*LIST_COLUMNS)
        .with_field_names()
        .order_by("reference")
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_agreements_rows_written_in_python_equal_the_template_loop(db, language):
    fields = [
        FieldOfCooperationFactory(name=name)
        for name in (
            "Văn hóa",
            "<Thương mại> & đầu tư",
            "Lao động, thương binh và xã hội",
            "Xây dựng Đảng và hệ thống chính trị",
        )
    ]
    long_title = "Chương trình hợp tác " + "giáo dục và đào tạo <nghề> & " * 6
    cut = AgreementFactory(
        reference="A&B/2024",
        title=long_title,
        partnership__partner_city=CityFactory(name="Minsk & <Co>"),
        signed_on=dt.date(2004, 1, 1),
        signed_on_precision="year",
        status=Agreement.Status.NEGOTIATION,
        kind=Agreement.Kind.FRIENDSHIP,
    )
    cut.fields.set(fields)
    few = AgreementFactory(
        reference="B-1",
        signed_on=dt.date(2023, 12, 1),
        signed_on_precision="month",
        valid_from=dt.date(2024, 1, 1),
        valid_until=None,
        kind=Agreement.Kind.ANNUAL_PLAN,
    )
    few.fields.set(fields[:1])
    AgreementFactory(
        reference="C-1", signed_on=None, valid_from=None, valid_until=None, title="Ngắn"
    )
    AgreementFactory(reference="D-1", status=Agreement.Status.SUPERSEDED)
    with translation.override(language):
        expected = engines["django"].from_string(_AGREEMENT_LOOP).render({"records": _rows()})
        written = str(agreement_rows(_rows()))
    assert written == expected
    assert ">A&amp;B/2024</a>" in written
    assert (
        'title-cell" title="Chương trình hợp tác giáo dục và đào tạo &lt;nghề&gt; &amp;' in written
    )
    assert "Minsk &amp; &lt;Co&gt;</td>" in written
    assert '<td class="nowrap">2004</td>' in written
    assert '<td class="nowrap">12/2023</td>' in written
    assert '<td class="nowrap">01/01/2024 –</td>' in written
    assert '<td class="nowrap">—</td>\n    <td class="nowrap">—</td>' in written  # C-1
    assert '<td class="secondary-cell"></td>' in written  # no field
    assert written.count("<tr>") == 4


def test_no_agreement_writes_no_row(db):
    assert agreement_rows(_rows()) == ""
