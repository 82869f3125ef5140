"""The visit brief as an editable Word document (issue 13, point 8).

The same ``VisitBrief`` the PDF prints (``delegations.brief.gather_brief``: the same
as-of day, the same sections, the same English texts and fall-back marks), written as
blocks of :mod:`common.word` — real Word headings, tables whose header repeats, page
numbers — in the Decree 30/2020 administrative style for the Vietnamese brief and the
plain English style for the English one. Staff edit it before sending it up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.text import truncate_at_word
from common.word import (
    BulletList,
    Cover,
    Document,
    Heading,
    Image,
    Paragraph,
    Run,
    Table,
    Text,
    build_docx,
)

if TYPE_CHECKING:
    from common.word import Block
    from delegations.brief import (
        BriefPointRow,
        FollowUpItem,
        Localized,
        Logistics,
        Participant,
        VisitBrief,
    )

STYLE = {"vi": "administrative_vi", "en": "english"}


def _text(value: Localized | str, limit: int = 0) -> Text:
    """A text of the brief, cut at a word, with its "in Vietnamese only" mark when it has one."""
    text = str(value)
    if limit:
        text = truncate_at_word(text, limit)
    if getattr(value, "fell_back", False):
        return [Run(text, lang="vi-VN"), Run(f" ({_('in Vietnamese only')})", italic=True)]
    return text


def _lines(value: Localized, limit: int) -> list[Text]:
    """A multi-line text as one item per line (talking points, outcomes)."""
    text = truncate_at_word(str(value), limit)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if value.fell_back and lines:
        lines[-1] = f"{lines[-1]} ({_('in Vietnamese only')})"
    return list(lines)


def _date(day: dt.date | None) -> str:
    return formats.date_format(day, "d/m/Y") if day else "—"


def _people_table(people: Sequence[Participant]) -> Table:
    rows: list[list[Text]] = []
    for p in people:
        name: list[str | Run] = [Run(p.name, bold=True)]
        if p.name_latin:
            name.append(f" ({p.name_latin})")
        if p.phone:
            name.append(f", {p.phone}")
        rows.append(
            [
                name,
                str(p.role).capitalize(),
                "; ".join(str(x) for x in p.positions_then) or "—",
                "; ".join(str(x) for x in p.positions_now) or "—",
            ]
        )
    return Table(
        [_("Name"), _("Role"), _("Position at the time of the visit"), _("Current position")],
        rows,
        widths=(3, 2, 3, 3),
    )


def _items_table(rows: Sequence[FollowUpItem], *, here: bool = False) -> Table:
    body: list[list[Text]] = []
    for row in rows:
        description = str(_text_plain(row.description, 1200))
        if row.item.visit and not here:
            description += f"\n{_('Agreed at')}: {_text_plain(row.agreed_at, 300)}"
        if row.last_note:
            note_date = f" ({_date(row.last_note_date)})" if row.last_note_date else ""
            description += (
                f"\n{_('Last progress')}{note_date}: {truncate_at_word(row.last_note, 600)}"
            )
        due = row.due or "—"
        if row.overdue:
            due += f" ({_('overdue')})"
        body.append([description, row.owner or "—", due, row.status])
    return Table([_("Action"), _("Owner"), _("Due"), _("Status")], body, widths=(6, 3, 2, 2))


def _text_plain(value: Localized, limit: int) -> str:
    text = truncate_at_word(str(value), limit)
    return f"{text} ({_('in Vietnamese only')})" if value.fell_back else text


def _cover(brief: VisitBrief) -> list[Block]:
    city = brief.partner_city
    local = f" ({city.name_local})" if city.name_local not in {"", brief.partner_city_name} else ""
    lines: list[Text] = [
        f"{_('Partnership')}: {brief.home_city_name} – {brief.partner_city_name}{local}",
        f"{_('Dates')}: {brief.dates or '—'}",
        f"{_('Place')}: {brief.place or '—'}",
        f"{_('Facts as of')}: {_date(brief.on)}",
    ]
    if brief.date_note:
        lines.append(Run(f"{_('Note on the date')}: {brief.date_note}", italic=True))
    if brief.classification:
        lines.append(Run(brief.classification, bold=True))
    if brief.distribution:
        names = "; ".join(brief.distribution)
        lines.append(f"{_('Distribution')}: {names}")
    return [
        Cover(
            str(brief.title),
            kind=_("Visit brief"),
            issuing_body=brief.issuing_office,
            parent_body=brief.parent_body,
            place=brief.home_city_name,
            date=brief.on,
            lines=lines,
            title_page=brief.lang == "en",
        )
    ]


def _people(brief: VisitBrief) -> list[Block]:
    blocks: list[Block] = [Heading(_("At a glance")), Heading(_("Purpose"), 2)]
    if brief.purpose:
        blocks.append(Paragraph(_text(brief.purpose, brief.text_limit)))
    for heading, people in brief.sides:
        blocks.append(Heading(heading, 2))
        blocks.append(_people_table(people) if people else Paragraph(_("No one recorded.")))
    for index, (_heading, people) in enumerate(brief.sides):
        profiles = [p for p in people if p.has_profile]
        if profiles:
            title = _("Our people: profiles") if index == 0 else _("Counterparts: profiles")
            blocks.append(Heading(title, 2))
            for person in profiles:
                blocks += _profile(person, brief.text_limit)
    return blocks


def _profile(person: Participant, limit: int) -> list[Block]:
    blocks: list[Block] = [Heading(person.name, 3)]
    if person.photo:
        blocks.append(Image(person.photo.data, width_mm=25, alt_text=person.name))
    if person.positions_now:
        blocks.append(Paragraph("; ".join(str(x) for x in person.positions_now), indent=False))
    if person.form_of_address:
        blocks.append(
            Paragraph([f"{_('Form of address')}: ", *_runs(person.form_of_address)], indent=False)
        )
    if person.biography:
        blocks.append(Paragraph(_text(person.biography, limit)))
    extras = [
        f"{_('Languages')}: {person.languages}" if person.languages else "",
        f"{_('Dietary needs')}: {person.dietary_needs}" if person.dietary_needs else "",
    ]
    blocks += [Paragraph(extra, indent=False) for extra in extras if extra]
    return blocks


def _programme(brief: VisitBrief) -> list[Block]:
    if not brief.programme:
        return []
    blocks: list[Block] = [
        Heading(_("Programme")),
        Paragraph(_("Times are local times at the place of each engagement.")),
    ]
    for day in brief.programme:
        title = (
            f"{formats.date_format(day.date, 'l')}, {_date(day.date)}"
            if day.date
            else _("Date not fixed")
        )
        rows: list[list[Text]] = []
        for e in day.engagements:
            what = f"{_text_plain(e.title, 300)} ({e.engagement.get_kind_display()})"
            if e.engagement.date_note:
                what += f"\n{_('Note on the date')}: {e.engagement.date_note}"
            if e.counterparts:
                what += f"\n{_('With')}: {', '.join(e.counterparts)}"
            if e.accompanied_by:
                what += f"\n{_('Accompanied by')}: {', '.join(e.accompanied_by)}"
            if e.dress:
                what += f"\n{_('Dress')}: {e.dress}"
            if e.summary:
                what += f"\n{_text_plain(e.summary, brief.text_limit)}"
            rows.append([e.time or "—", what, _text_plain(e.place, 300) or "—"])
        blocks += [
            Heading(title, 2),
            Table([_("Time"), _("Engagement"), _("Place")], rows, widths=(1, 5, 2)),
        ]
    return blocks


def _point_items(points: Sequence[BriefPointRow], limit: int) -> list[Text]:
    sample = f" ({_('sample')})"
    return [_text_plain(p.text, limit) + (sample if p.sample else "") for p in points]


def _talking_points(brief: VisitBrief) -> list[Block]:
    if not brief.has_talking_points:
        return []
    limit = brief.text_limit
    blocks: list[Block] = [Heading(_("Objectives and talking points"))]
    if brief.objectives:
        blocks += [Heading(_("Objectives"), 2), BulletList(_point_items(brief.objectives, limit))]
    if brief.key_messages:
        blocks += [
            Heading(_("Key messages"), 2),
            BulletList(_point_items(brief.key_messages, limit)),
        ]
    if brief.talking_points:
        blocks += [Heading(_("Talking points"), 2), BulletList(_lines(brief.talking_points, limit))]
    if brief.questions:
        blocks.append(Heading(_("Defensive questions and answers"), 2))
        for q in brief.questions:
            blocks.append(Paragraph([Run(f"{_('Q')}: ", bold=True), *_runs(q.text)], indent=False))
            if q.answer:
                blocks.append(
                    Paragraph([Run(f"{_('A')}: ", bold=True), *_runs(q.answer)], indent=False)
                )
    if brief.speeches:
        blocks += [
            Heading(_("Speeches and toasts on file"), 2),
            BulletList(
                [
                    f"{kind.capitalize()}: {_text_plain(title, 300)}"
                    for kind, title in brief.speeches
                ]
            ),
        ]
    if brief.notes:
        blocks += [Heading(_("Notes"), 2), Paragraph(_text(brief.notes, limit))]
    return blocks


def _gifts_and_logistics(brief: VisitBrief) -> list[Block]:
    blocks: list[Block] = []
    if brief.gifts:
        rows: list[list[Text]] = [
            [
                g.direction.capitalize(),
                _text_plain(g.description, 300) + (f" ({_('sample')})" if g.sample else ""),
                g.to_from or "—",
            ]
            for g in brief.gifts
        ]
        blocks += [
            Heading(_("Gifts and protocol")),
            Table([_("Given or received"), _("Gift"), _("To / from")], rows, widths=(2, 5, 3)),
        ]
    logistics = brief.logistics
    if logistics:
        blocks += _logistics(logistics, brief.text_limit)
    if brief.press_lines:
        blocks += [
            Heading(_("Press line")),
            BulletList(_point_items(brief.press_lines, brief.text_limit)),
        ]
    return blocks


def _time(day: dt.date | None, time: dt.time | None) -> str:
    return " ".join(filter(None, [_date(day) if day else "", f"{time:%H:%M}" if time else ""]))


def _logistics(logistics: Logistics, limit: int) -> list[Block]:
    blocks: list[Block] = [Heading(_("Logistics"))]
    if logistics.time_difference_label:
        blocks.append(
            Paragraph(f"{_('Time difference')}: {logistics.time_difference_label}", indent=False)
        )
    if logistics.travel:
        rows: list[list[Text]] = [
            [
                f"{t.get_mode_display()} {t.carrier} {t.number}".strip(),
                f"{t.from_place} → {t.to_place}",
                (
                    f"{_time(t.departure_date, t.departure_time)} – "
                    f"{_time(t.arrival_date, t.arrival_time)}"
                ),
                t.seats or "—",
            ]
            for t in logistics.travel
        ]
        blocks += [
            Heading(_("Travel"), 2),
            Table(
                [_("By"), _("From – to"), _("Departs – arrives (local time)"), _("Seats")],
                rows,
                widths=(2, 3, 3, 2),
            ),
        ]
    if logistics.accommodation:
        rows = [
            [
                f"{a.name}, {a.address}".strip(", "),
                a.phone or "—",
                f"{_date(a.check_in)} – {_date(a.check_out)}",
            ]
            for a in logistics.accommodation
        ]
        blocks += [
            Heading(_("Accommodation"), 2),
            Table(
                [_("Hotel or residence"), _("Phone"), _("Check-in – check-out")],
                rows,
                widths=(5, 2, 3),
            ),
        ]
    if logistics.contacts:
        rows = [
            [
                str(c.get_kind_display()).capitalize(),
                f"{c.name}, {c.organisation}".strip(", "),
                c.phone or "—",
            ]
            for c in logistics.contacts
        ]
        blocks += [
            Heading(_("Local contacts"), 2),
            Table([_("Kind"), _("Name"), _("Phone")], rows, widths=(2, 5, 2)),
        ]
    if logistics.budget:
        blocks.append(Paragraph(f"{_('Budget')}: {logistics.budget}", indent=False))
    if logistics.security:
        blocks += [Heading(_("Security"), 2), Paragraph(_text(logistics.security, limit))]
    if logistics.health:
        blocks += [Heading(_("Health"), 2), Paragraph(_text(logistics.health, limit))]
    return blocks


def _agreements(brief: VisitBrief) -> list[Block]:
    blocks: list[Block] = [Heading(_("Agreements and commitments")), Heading(_("In force"), 2)]
    if brief.agreements_in_force:
        rows: list[list[Text]] = [
            [
                row.agreement.reference,
                _text(row.title),
                str(row.agreement.signed or "—"),
                row.period,
            ]
            for row in brief.agreements_in_force
        ]
        blocks.append(
            Table([_("Reference"), _("Title"), _("Signed"), _("Valid")], rows, widths=(2, 5, 2, 2))
        )
    else:
        blocks.append(Paragraph(_("No agreement in force.")))
    if brief.agreements_expired:
        rows = [
            [row.agreement.reference, _text(row.title), row.period]
            for row in brief.agreements_expired
        ]
        blocks += [
            Heading(_("Expired without a successor"), 2),
            Table([_("Reference"), _("Title"), _("Valid")], rows, widths=(2, 5, 2)),
        ]
    if brief.agreements_signed:
        blocks += [
            Heading(_("Signed during this visit"), 2),
            BulletList(
                [f"{row.agreement.reference} {row.title}" for row in brief.agreements_signed]
            ),
        ]
    return blocks + _commitments(brief)


def _commitments(brief: VisitBrief) -> list[Block]:
    summary = ngettext(
        "%(total)d open action item in this partnership",
        "%(total)d open action items in this partnership",
        brief.open_items_total,
    ) % {"total": brief.open_items_total}
    if brief.open_items_shown < brief.open_items_total:  # the list is capped (as in the PDF)
        summary += ". " + _(
            "The %(shown)s most urgent are listed; the others are in the record."
        ) % {"shown": brief.open_items_shown}
    blocks: list[Block] = [
        Heading(_("Open action items from earlier meetings"), 2),
        Paragraph(summary.rstrip(".") + "."),
    ]
    for group in brief.followup:
        blocks += [Heading(group.name, 3), _items_table(group.items)]
    if brief.agreed_here:
        blocks += [
            Heading(_("Agreed at this visit"), 2),
            _items_table(brief.agreed_here, here=True),
        ]
    if brief.outcomes:
        blocks += [
            Heading(_("Outcomes of this visit"), 2),
            Paragraph(_text(brief.outcomes, brief.text_limit)),
        ]
    return blocks


def _history(brief: VisitBrief) -> list[Block]:
    blocks: list[Block] = [Heading(_("Earlier meetings"))]
    for heading, visits in brief.history_sections:
        blocks.append(Heading(heading, 2))
        if not visits:
            blocks.append(Paragraph(_("None recorded.")))
            continue
        rows: list[list[Text]] = [
            [
                v.dates or v.date_note or "—",
                _text(v.title),
                _text(v.outcomes, brief.text_limit)
                if v.outcomes
                else str(v.visit.get_status_display()).capitalize(),
            ]
            for v in visits
        ]
        blocks.append(Table([_("Dates"), _("Visit"), _("Outcome")], rows, widths=(2, 3, 6)))
    return blocks


def _context(brief: VisitBrief) -> list[Block]:
    city = brief.partner_city
    facts: list[list[Text]] = []
    if len(brief.partner_city_names) > 1:
        facts.append([_("Also known as"), " · ".join(brief.partner_city_names)])
    facts.append([_("Country"), brief.country_name or "—"])
    if city.population:
        year = f" ({city.population_year})" if city.population_year else ""
        facts.append([_("Population"), f"{city.population:,}".replace(",", ".") + year])
    facts.append([_("Established on"), str(brief.partnership.established or "—")])
    if brief.fields:
        facts.append([_("Fields of cooperation"), ", ".join(brief.fields)])
    blocks: list[Block] = [
        Heading(f"{_('The partner city')}: {brief.partner_city_name}"),
        Table(["", ""], facts, widths=(1, 3)),
    ]
    blocks += _country(brief)
    if brief.city_profile:
        blocks += [Heading(_("Profile"), 2), Paragraph(_text(brief.city_profile, brief.text_limit))]
    if brief.partnership_summary:
        blocks += [
            Heading(_("The partnership in brief"), 2),
            Paragraph(_text(brief.partnership_summary, brief.text_limit)),
        ]
    if brief.timeline:
        rows: list[list[Text]] = [
            [e.when, _text(e.text) if e.kind == "visit" else [f"{_('Signed')}: ", *_runs(e.text)]]
            for e in brief.timeline
        ]
        blocks += [
            Heading(_("Timeline of the partnership"), 2),
            Table([_("When"), _("What")], rows, widths=(1, 4)),
        ]
    return blocks


def _country(brief: VisitBrief) -> list[Block]:
    blocks: list[Block] = []
    if brief.relations_since or brief.country_note:
        blocks.append(Heading(_("The country"), 2))
        if brief.relations_since:
            since = f"{_('Relations between the countries since')}: {brief.relations_since}"
            blocks.append(Paragraph(since, indent=False))
        if brief.country_note:
            blocks.append(Paragraph(_text(brief.country_note, brief.text_limit)))
    if brief.key_figures:
        blocks += [Heading(_("Key figures"), 2), BulletList(list(brief.key_figures))]
    return blocks


def _sources(brief: VisitBrief) -> list[Block]:
    if not (brief.sources or brief.documents_on_file):
        return []
    blocks: list[Block] = [Heading(_("Sources and documents on file"))]
    if brief.sources:
        items: list[Text] = [
            ": ".join(part for part in (citation, url) if part) for citation, url in brief.sources
        ]
        blocks += [Heading(_("Sources"), 2), BulletList(items)]
    if brief.documents_on_file:
        documents: list[Text] = [f"{ref} {title}" for ref, title in brief.documents_on_file]
        blocks += [Heading(_("Agreement documents on file"), 2), BulletList(documents)]
    return blocks


def _runs(value: Localized) -> list[str | Run]:
    text = _text(value)
    return [text] if isinstance(text, str) else list(text)  # type: ignore[arg-type]


def brief_document(brief: VisitBrief) -> Document:
    """The brief's content as :mod:`common.word` blocks, in the brief's language."""
    with translation.override(brief.lang):
        blocks = [
            *_cover(brief),
            *_people(brief),
            *_programme(brief),
            *_talking_points(brief),
            *_agreements(brief),
            *_history(brief),
            *_gifts_and_logistics(brief),
            *_context(brief),
            *_sources(brief),
        ]
        return Document(
            blocks,
            title=str(brief.title),
            author=brief.issuing_office,
            header_text=f"{_('Visit brief')}: {truncate_at_word(str(brief.title), 80)}",
            subject=f"{brief.home_city_name} – {brief.partner_city_name}",
        )


def brief_docx(brief: VisitBrief) -> bytes:
    return build_docx(brief_document(brief), STYLE.get(brief.lang, "administrative_vi"))
