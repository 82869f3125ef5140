"""The annual report on the year's foreign relations: visits in and out, agreements signed,
renewed and expired, action items done and overdue, by partnership, with the charts of the
statistics page; as PDF (WeasyPrint, through the brief's closed fetcher) or Word
(common.word, Decree 30/2020 administrative style in Vietnamese), in Vietnamese or English.

Both are laid out as a Vietnamese state report (Decree 30/2020/NĐ-CP): the issuing body
and the national title and motto, the number ("Số: …/BC-SNV"), place and date, "BÁO CÁO"
and its subject; I. the overall summary (the year's counts), II. the events by
partnership, III. the charts; then the recipients ("Nơi nhận") and the signature, in Times
New Roman (Liberation Serif, its metric twin, where Times is not installed), 13-14 pt.
The English version has the same structure and layout in English.

One content for both: ``report_sections`` gives titled tables; the summary and the
partnerships' tables are drawn from them, and the Word blocks and the PDF's HTML from those.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.models import Agreement
from common.charts import Chart, render_svg
from common.word import STYLES, Cover, Document, Heading, Paragraph, Signature, Table, build_docx
from common.word.charts import chart_blocks
from delegations.brief import html_to_pdf
from delegations.models import ActionItem, ProgressUpdate, Visit
from workspace.statistics import agreements_in_force, agreements_signed_per_year, visits_per_year

CHART_YEARS = 5
STYLESHEET = "annual-report.css"  # under static/brief/, served by the brief's closed fetcher
BLANK_NUMBER = "      /BC-SNV"  # the clerk writes the number in when the report is issued
CITIES = ("partnership__home_city", "partnership__partner_city")


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[str]]
    empty: str


def _visits(year: int, direction: str) -> list[list[str]]:
    visits = (
        Visit.objects.filter(start_date__year=year, direction=direction)
        .exclude(status=Visit.Status.CANCELLED)
        .select_related(*CITIES)
        .order_by("partnership__partner_city__name", "start_date", "pk")
    )
    return [[str(v.partnership), v.dates_label(), v.title] for v in visits]


def _agreements(condition: Q, *, date_field: str) -> list[list[str]]:
    rows = (
        Agreement.objects.filter(condition)
        .select_related(*CITIES)
        .order_by("partnership__partner_city__name", date_field, "reference")
    )
    return [
        [
            str(a.partnership),
            f"{getattr(a, date_field):%d/%m/%Y}" if getattr(a, date_field) else "—",
            f"{a.reference} · {a.title}",
        ]
        for a in rows
    ]


def _items_done(year: int) -> list[list[str]]:
    done_note = ProgressUpdate.objects.filter(
        action_item=OuterRef("pk"), status_after=ActionItem.Status.DONE
    ).order_by("-date")
    items = (
        ActionItem.objects.filter(status=ActionItem.Status.DONE)
        .annotate(done_on=Coalesce(Subquery(done_note.values("date")[:1]), TruncDate("updated_at")))
        .filter(done_on__year=year)
        .select_related(*CITIES)
        .order_by("partnership__partner_city__name", "done_on", "pk")
    )
    return [[str(i.partnership), f"{i.done_on:%d/%m/%Y}", i.description] for i in items]


def _items_overdue(year: int) -> list[list[str]]:
    year_end = min(dt.date(year, 12, 31), timezone.localdate())
    items = (
        ActionItem.objects.overdue(on=year_end + dt.timedelta(days=1))
        .select_related(*CITIES)
        .order_by("partnership__partner_city__name", "due_on", "pk")
    )
    return [[str(i.partnership), str(i.due), i.description] for i in items]


def report_sections(year: int) -> list[Section]:
    """The year's record, by partnership (in the active language)."""
    who, when, what = _("Partnership"), _("Date"), _("Subject")
    concluded = Q(status__in=Agreement.CONCLUDED, signed_on__year=year)
    return [
        Section(
            _("Incoming delegations"),
            [who, when, what],
            _visits(year, Visit.Direction.INCOMING),
            _("No incoming delegation."),
        ),
        Section(
            _("Outgoing delegations"),
            [who, when, what],
            _visits(year, Visit.Direction.OUTGOING),
            _("No outgoing delegation."),
        ),
        Section(
            _("Online meetings"),
            [who, when, what],
            _visits(year, Visit.Direction.ONLINE),
            _("No online meeting."),
        ),
        Section(
            _("Agreements signed"),
            [who, when, what],
            _agreements(
                concluded & ~Q(parent_relation=Agreement.Relation.RENEWS), date_field="signed_on"
            ),
            _("No agreement signed."),
        ),
        Section(
            _("Agreements renewed"),
            [who, when, what],
            _agreements(
                concluded & Q(parent_relation=Agreement.Relation.RENEWS), date_field="signed_on"
            ),
            _("No agreement renewed."),
        ),
        Section(
            _("Agreements expired"),
            [who, when, what],
            _agreements(
                Q(status__in=Agreement.BINDING, valid_until__year=year), date_field="valid_until"
            ),
            _("No agreement expired."),
        ),
        Section(
            _("Action items completed"),
            [who, when, what],
            _items_done(year),
            _("No action item completed."),
        ),
        Section(
            _("Action items overdue at the end of the year"),
            [who, _("Due"), what],
            _items_overdue(year),
            _("No action item overdue."),
        ),
    ]


def report_charts(year: int) -> list[Chart]:
    years = list(range(year - CHART_YEARS + 1, year + 1))
    return [
        visits_per_year(None, years),
        agreements_signed_per_year(None, years),
        agreements_in_force(None, years),
    ]


@dataclass
class PartnershipPart:
    """One partnership's part of the year: its events of every kind, by date."""

    name: str
    header: list[str]
    rows: list[list[str]]


def by_partnership(sections: list[Section]) -> list[PartnershipPart]:
    """The sections' rows regrouped by partnership (by name), each row led by its kind."""
    grouped: dict[str, list[list[str]]] = {}
    for section in sections:
        for who, when, what in section.rows:
            grouped.setdefault(who, []).append([section.title, when, what])
    header = [_("Kind"), _("Date"), _("Subject")]
    return [PartnershipPart(name, header, grouped[name]) for name in sorted(grouped)]


def summary_rows(sections: list[Section]) -> list[list[str]]:
    return [[section.title, str(len(section.rows))] for section in sections]


def summary_text(year: int, sections: list[Section]) -> str:
    n = [len(section.rows) for section in sections]
    return _(
        "In %(year)d the city received %(incoming)d incoming delegations, sent %(outgoing)d "
        "delegations abroad and held %(online)d online meetings; %(signed)d agreements were "
        "signed, %(renewed)d renewed and %(expired)d expired; %(done)d action items were "
        "completed and %(overdue)d were overdue at the end of the year."
    ) % {
        "year": year,
        "incoming": n[0],
        "outgoing": n[1],
        "online": n[2],
        "signed": n[3],
        "renewed": n[4],
        "expired": n[5],
        "done": n[6],
        "overdue": n[7],
    }


@dataclass
class Letterhead:
    """Who issues and signs the report, its number, place and date (Decree 30/2020/NĐ-CP).

    Empty fields take the settings' ``REPORT_*`` values, then the defaults: the number
    left for the clerk to fill in ("Số:      /BC-SNV"), the date too."""

    number: str = ""
    signer_title: str = ""
    signer_name: str = ""
    place: str = ""
    day: dt.date | None = None

    def completed(self) -> Letterhead:
        return Letterhead(
            number=self.number or settings.REPORT_NUMBER or BLANK_NUMBER,
            signer_title=self.signer_title or settings.REPORT_SIGNER_TITLE or _("DIRECTOR"),
            signer_name=self.signer_name or settings.REPORT_SIGNER_NAME,
            place=self.place or settings.REPORT_PLACE or _("Hà Nội"),
            day=self.day,
        )


def recipients() -> list[str]:
    return [
        _("City People's Committee (to report)"),
        _("Ministry of Foreign Affairs (to report)"),
        _("Department leadership"),
        _("Archive: VT, HTQT"),
    ]


def _title(year: int) -> str:
    return _("Report on the city's sister-city relations in %(year)d") % {"year": year}


def _word_blocks(year: int, head: Letterhead) -> list[Any]:
    sections = report_sections(year)
    blocks: list[Any] = [
        Cover(
            _title(year),
            kind=_("REPORT"),
            issuing_body=_("DEPARTMENT OF FOREIGN AFFAIRS"),
            parent_body=_("CITY PEOPLE'S COMMITTEE"),
            reference=head.number,
            place=head.place,
            date=head.day,
        ),
        Heading(_("Overall summary")),
        Paragraph(summary_text(year, sections)),
        Table([_("Item"), _("Number")], summary_rows(sections), widths=(5, 1.3)),
        Heading(_("By partnership")),
    ]
    for partnership in by_partnership(sections):
        blocks.append(Heading(partnership.name, level=2))
        blocks.append(Table(partnership.header, partnership.rows, widths=(2, 1.3, 4)))
    if not any(section.rows for section in sections):
        blocks.append(Paragraph(_("Nothing was recorded this year.")))
    blocks.append(Heading(_("Charts")))
    for chart in report_charts(year):
        blocks.extend(chart_blocks(chart))
    blocks.append(Signature(head.signer_name, head.signer_title, recipients=recipients()))
    return blocks


def build_word(year: int, lang: str = "vi", letterhead: Letterhead | None = None) -> bytes:
    with translation.override(lang):
        head = (letterhead or Letterhead()).completed()
        document = Document(_word_blocks(year, head), title=_title(year))
        return build_docx(document, f"administrative_{'vi' if lang == 'vi' else 'en'}")


def build_pdf(year: int, lang: str = "vi", letterhead: Letterhead | None = None) -> bytes:
    with translation.override(lang):
        head = (letterhead or Letterhead()).completed()
        style = STYLES[f"administrative_{'vi' if lang == 'vi' else 'en'}"]
        sections = report_sections(year)
        html = render_to_string(
            "workspace/annual_report_pdf.html",
            {
                "title": _title(year),
                "year": year,
                "lang": lang,
                "labels": style.labels,
                "head": head,
                "date_line": style.date_line(head.place, head.day),
                "summary": summary_text(year, sections),
                "summary_rows": summary_rows(sections),
                "partnerships": by_partnership(sections),
                "charts": [render_svg(c) for c in report_charts(year)],
                "recipients": recipients(),
            },
        )
        return html_to_pdf(html, lang=lang, stylesheet=STYLESHEET)


# -- the download page --------------------------------------------------------------------

FORMATS = {
    "pdf": ("application/pdf", build_pdf),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        build_word,
    ),
}
