"""The visits list's rows written in Python (``{% visit_rows %}``) equal the template they
replace, in both languages, for an editor and a viewer, on the page and in its htmx
partial."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from common.models import EndKind
from common.partialdate import Precision
from delegations.models import Visit
from delegations.views.visits import CITIES
from tests.factories import (
    CityFactory,
    HomeCityFactory,
    PartnershipFactory,
    VisitFactory,
    editor,
    viewer,
)

pytestmark = pytest.mark.django_db

# The list's row block as it was before it was written in Python (issue 16).
TEMPLATE_LOOP = (
    "{% load i18n textcut %}{% for record in visits %}"
    "{% with visit=record %}\n"
    "  <tr>\n"
    '    <td class="nowrap">{{ visit.dates_label|default:"—" }}</td>\n'
    '    <td class="title-cell"><a href="{% url \'delegations:visit_detail\' visit.pk %}">{{ visit.title }}</a></td>\n'
    '    <td class="secondary-cell">{{ visit.partnership }}</td>\n'
    '    <td><span class="badge badge-{{ visit.direction }}">{{ visit.get_direction_display }}</span></td>\n'
    '    <td><span class="badge badge-{{ visit.status }}">{{ visit.get_status_display }}</span></td>\n'
    '    <td class="secondary-cell"{% if visit.place|length > 48 %} title="{{ visit.place }}"{% endif %}>{{ visit.place|truncate_at_word:48|default:"—" }}</td>\n'
    "  </tr>\n"
    "{% endwith %}"
    "{% endfor %}"
)
PYTHON_ROWS = "{% load visit_rows %}{% visit_rows visits %}"


def rows(user, template: str, visits=None) -> str:
    request = RequestFactory().get("/visits/?direction=incoming&page=2")
    request.user = user
    if visits is None:
        visits = Visit.objects.select_related(*CITIES).order_by("pk")
    context = {"visits": visits, "user": user, "request": request, "csrf_token": "tok"}
    return Template(template).render(Context(context))


@pytest.fixture
def visits():
    """Every direction, status and date precision; dates only reported, not recorded, or
    lasting one day; long places cut; texts that must be escaped; two partnerships."""
    special = PartnershipFactory(
        home_city=HomeCityFactory(name="Hà <Nội> & Co"),
        partner_city=CityFactory(name='Viêng "Chăn"'),
    )
    plain = PartnershipFactory()
    long_place = " ".join(["Cung Văn hóa Hữu nghị Việt – Xô"] * 4)
    day = dt.date(2025, 5, 11)
    made = [
        VisitFactory(
            partnership=special,
            direction=Visit.Direction.INCOMING,
            status=Visit.Status.PLANNED,
            title="Đoàn <script>alert(\"x\")</script> & 'B'",
            place='Nhà khách <Chính phủ> & "Hồ Tây"',
        ),
        VisitFactory(
            partnership=plain,
            direction=Visit.Direction.OUTGOING,
            status=Visit.Status.CONFIRMED,
            title=" ".join(["Đoàn đại biểu cấp cao thăm và làm việc"] * 7),
            start_date=dt.date(2030, 11, 1),
            start_date_precision=Precision.MONTH,
            end_date=None,
            place=long_place + " <b>&</b>",
        ),
        VisitFactory(
            partnership=special,
            direction=Visit.Direction.ONLINE,
            status=Visit.Status.COMPLETED,
            start_date=dt.date(2004, 1, 1),
            start_date_precision=Precision.YEAR,
            end_date=None,
            place="",
        ),
        VisitFactory(
            partnership=plain,
            status=Visit.Status.CANCELLED,
            start_date=None,
            date_note='17/11, năm <không> rõ & "?"',
            place="x" * 49,
        ),
        VisitFactory(partnership=plain, start_date=None, date_note="", place="Minsk"),
        VisitFactory(
            partnership=special,
            start_date=day,
            end_date=None,
            end_date_kind=EndKind.NOT_RECORDED,
            place="y" * 48,
        ),
        VisitFactory(partnership=plain, start_date=day, end_date=day),
    ]
    Visit.objects.filter(pk=made[-1].pk).update(direction="retired", status="")
    return made


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("make_user", [editor, viewer])
def test_the_rows_written_in_python_equal_the_template_they_replace(visits, language, make_user):
    user = make_user()
    with translation.override(language):
        expected = rows(user, TEMPLATE_LOOP)
        written = rows(user, PYTHON_ROWS)
    assert written == expected
    assert written.count("<tr>") == len(visits)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;B&#x27;" in written
    assert "Hà &lt;Nội&gt; &amp; Co – Viêng &quot;Chăn&quot;" in written
    for shown in ("11/05/2025 – 13/05/2025", "11/2030", ">2004<", "11/05/2025 – ?", "—"):
        assert shown in written
    assert "…" in written  # the long place cut, whole in its title
    assert 'badge-retired">retired<' in written  # a value no longer a choice, as it is
    assert ('badge-incoming">incoming<' in written) == (language == "en")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_page_of_rows_read_as_the_list_reads_them_costs_no_further_query(
    visits, language, django_assert_num_queries
):
    user = viewer()
    page = list(Visit.objects.select_related(*CITIES).order_by("pk"))
    with translation.override(language):
        expected = rows(user, TEMPLATE_LOOP, page)
        # Expect 0 queries: everything a row shows is read with the list's one query.
        with django_assert_num_queries(0):
            written = rows(user, PYTHON_ROWS, page)
    assert written == expected


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("make_user", [editor, viewer])
def test_the_list_shows_the_rows_of_the_template_on_the_page_and_in_its_partial(
    client, visits, language, htmx, make_user
):
    user = make_user()
    client.force_login(user)
    client.cookies["django_language"] = language
    headers = {"HX-Request": "true", "HX-Target": "visit-results"} if htmx else {}
    response = client.get(reverse("delegations:visit_list"), headers=headers)
    assert ("<html" in response.text) != htmx
    assert ('<html lang="en"' in response.text) == (language == "en" and not htmx)
    shown = list(response.context["page_obj"].object_list)
    assert len(shown) == len(visits)
    with translation.override(language):
        expected = rows(user, TEMPLATE_LOOP, shown)
    assert expected in response.text
