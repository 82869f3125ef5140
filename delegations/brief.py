"""The visit brief: everything a delegation takes on the plane, as one PDF.

Three steps, each its own function so the benchmark can time them apart:

``gather_brief``   loads the visit and its partnership in a fixed number of queries,
                   whatever the size of the partnership (lists are capped);
``render_brief_html`` renders ``delegations/brief/brief.html`` in the chosen language;
``html_to_pdf``    turns that HTML into PDF with WeasyPrint.

Safety. Record text is escaped by the template (Django autoescape), so a record
that contains ``<img src="http://…">`` or ``url(file:///etc/passwd)`` prints as
text. Behind that, WeasyPrint only ever sees resources through ``BriefURLFetcher``:
it serves ``data:`` URIs and the files under ``static/brief/`` (mapped from the
fixed, never-resolved base URL ``https://brief.invalid/static/brief/``) and refuses
everything else without opening a connection or a file, so nothing can be fetched
or embedded (no SSRF, no ``file://`` reads, no attachments, no redirects).

Time budget. The input is bounded (capped lists, text fields cut at
``TEXT_LIMIT`` characters) and rendering runs under a deadline of
``settings.BRIEF_RENDER_SECONDS`` (default 20 s, inside gunicorn's 30 s worker
timeout): in the main thread (gunicorn sync workers, the management command) a
SIGALRM timer interrupts WeasyPrint; in other threads (runserver, threaded
workers) the render runs in a helper thread that is waited for at most that long.
Either way the caller gets a ``BriefRenderError`` instead of a hung worker. At
most ``MAX_CONCURRENT_RENDERS`` renders run at once in a process, so abandoned
renders cannot pile up.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import re
import signal
import threading
import time
import unicodedata
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, override
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agreements.models import Agreement
from common.partialdate import PartialDate, period_covers
from common.text import fold
from delegations.models import (
    ActionItem,
    Engagement,
    ProgressUpdate,
    Visit,
    VisitParticipant,
    VisitQuerySet,
)
from partnerships.models import City, Organisation, Partnership, Person, Position

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# WeasyPrint logs every step and page at INFO, some of it on import: one brief would fill
# the log. Set before the import below.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

LANGUAGES = ("vi", "en")
STATIC_DIR = Path(settings.BASE_DIR) / "static" / "brief"
BASE_URL = "https://brief.invalid/static/brief/"
STYLESHEET_URL = BASE_URL + "brief.css"
SERVED_SUFFIXES = {".css", ".ttf", ".otf", ".woff", ".woff2", ".png", ".svg"}
DATA_URI_LIMIT = 256 * 1024

HISTORY_PER_DIRECTION = 5
ACTION_ITEM_LIMIT = 80
AGREEMENT_LIMIT = 60
AGREEMENT_SCAN_LIMIT = 500  # agreements of one partnership read for the chain
PARTICIPANT_LIMIT = 60
ENGAGEMENT_LIMIT = 120
TEXT_LIMIT = 6000  # characters of any one free-text field (the template cuts longer ones)
EXPIRY_HORIZON_DAYS = 365
MAX_CONCURRENT_RENDERS = 2


class BriefRenderError(Exception):
    """The brief could not be produced in time (or at all); say so instead of hanging."""


class _DeadlinePassed(BaseException):
    """Raised inside WeasyPrint by the timer; a BaseException so no ``except Exception`` eats it."""


# ----------------------------------------------------------------------------- fetcher
class BriefURLFetcher(URLFetcher):
    """Serves ``data:`` URIs and the app's own files under static/brief/; refuses all else.

    ``requested`` lists every URL WeasyPrint asked for and ``refused`` those it did not
    get, so tests can prove that nothing outside the allowed set was even attempted.
    Nothing here opens a socket or a file outside STATIC_DIR.
    """

    def __init__(self) -> None:
        # Deliberately not URLFetcher.__init__: it installs HTTP, HTTPS, FTP and file
        # handlers (and loads the CA store, ~30 ms a render). Without any handler even a
        # stray ``open()`` reaches nothing; ``fetch`` below is the only way in.
        urllib.request.OpenerDirector.__init__(self)
        self._fail_on_errors = False
        self._timeout = 1
        self._allowed_protocols = ("data", "https")
        self._http_headers: dict[str, str] = {}
        self._request = None
        self.requested: list[str] = []
        self.refused: list[str] = []

    @override
    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        if url[:5].lower() == "data:":
            if len(url) > DATA_URI_LIMIT:
                self._refuse(url)
            # A data: URI (checked just above) is decoded in memory: nothing is opened.
            request = urllib.request.Request(url)  # noqa: S310 (a data: URI, see above)
            response = urllib.request.DataHandler().data_open(request)
            return URLFetcherResponse(url, response.read(), dict(response.headers.items()))
        path = static_path(url)
        if path is None:
            self._refuse(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".ttf":
            content_type = "font/ttf"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def _refuse(self, url: str) -> NoReturn:
        self.refused.append(url)
        raise ValueError(f"The brief only uses its own fonts and stylesheet; refused {url[:200]!r}")

    @property
    def allowed_urls(self) -> list[str]:
        return [url for url in self.requested if url not in self.refused]


def static_path(url: str) -> Path | None:
    """The file under STATIC_DIR that ``url`` names, or None if it names anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (
        parts.scheme != "https"
        or parts.netloc != "brief.invalid"
        or parts.query
        or not parts.path.startswith("/static/brief/")
    ):
        return None
    relative = unquote(parts.path.removeprefix("/static/brief/"))
    segments = relative.split("/")
    if not relative or "\\" in relative or "\x00" in relative or ".." in segments:
        return None
    root = STATIC_DIR.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or path.suffix not in SERVED_SUFFIXES or not path.is_file():
        return None
    return path


# ----------------------------------------------------------------------------- data
@dataclass
class Participant:
    name: str
    name_latin: str
    role: str
    position_then: str
    position_now: str


@dataclass
class AgreementRow:
    agreement: Agreement
    title: str
    flags: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)
    depth: int = 0
    relation: str = ""

    @property
    def indent(self) -> str:
        return "\u2003" * self.depth


@dataclass
class FollowUpItem:
    item: ActionItem
    due: str
    owner: str
    overdue: bool
    last_note: str
    last_note_date: dt.date | None


@dataclass
class FieldGroup:
    name: str
    items: list[FollowUpItem]


@dataclass
class ProgrammeDay:
    date: dt.date | None
    engagements: list[Engagement]


@dataclass
class VisitBrief:
    """Everything the brief template needs, already chosen and capped."""

    visit: Visit
    partnership: Partnership
    lang: str
    on: dt.date
    generated_at: dt.datetime
    generated_by: str
    issuing_office: str
    title: str
    partner_city_name: str
    home_city_name: str
    head: Participant | None
    delegation: list[Participant]
    counterparts: list[Participant]
    fields: list[str]
    partner_city: City
    partner_city_names: list[str]
    next_anniversary: tuple[int, PartialDate] | None
    agreements_in_force: list[AgreementRow]
    agreements_expired: list[AgreementRow]
    agreements_signed: list[AgreementRow]
    agreement_tree: list[AgreementRow]
    history_incoming: list[Visit]
    history_outgoing: list[Visit]
    history_online: list[Visit]
    followup: list[FieldGroup]
    open_items_total: int
    open_items_overdue: int
    open_items_shown: int
    programme: list[ProgrammeDay]
    text_limit: int = TEXT_LIMIT

    @property
    def history_sections(self) -> list[tuple[str, list[Visit]]]:
        """(heading, visits) per direction; online meetings only when there were any."""
        sections = [
            (_("Visits to us (incoming)"), self.history_incoming),
            (_("Our visits (outgoing)"), self.history_outgoing),
        ]
        if self.history_online:
            sections.append((_("Online meetings"), self.history_online))
        return sections


def _in(lang: str, vietnamese: str, english: str) -> str:
    return english if lang == "en" and english else vietnamese


def _org_name(org: Organisation | None, lang: str) -> str:
    return _in(lang, org.name, org.name_en) if org else ""


def _position_label(position: Position | None, lang: str) -> str:
    if position is None:
        return ""
    org = position.organisation
    org_name = org.abbreviation or _org_name(org, lang)
    return f"{_in(lang, position.title, position.title_en)}, {org_name}"


def _current_positions(person: Person) -> list[Position]:
    """The positions ``person`` held on the brief's day (prefetched by ``_visit_queryset``)."""
    positions: list[Position] = vars(person)["current_positions"]  # Prefetch(to_attr=…)
    return positions


def _participant(p: VisitParticipant, lang: str) -> Participant:
    person: Person = p.person
    positions = _current_positions(person)
    current = positions[0] if positions else None
    return Participant(
        name=person.full_name,
        name_latin=person.name_latin if person.name_latin != person.full_name else "",
        role=p.get_role_display(),
        position_then=p.position_title,
        position_now=_position_label(current, lang),
    )


def _visit_queryset(on: dt.date) -> VisitQuerySet:
    current_positions = Prefetch(
        "person__positions",
        queryset=Position.objects.held_on(on)
        .select_related("organisation")
        .order_by(F("start").desc(nulls_last=True), "-id"),
        to_attr="current_positions",
    )
    return Visit.objects.select_related(
        "partnership__home_city", "partnership__partner_city", "partnership__focal_office"
    ).prefetch_related(
        Prefetch(
            "participants",
            queryset=VisitParticipant.objects.select_related("person").prefetch_related(
                current_positions
            ),
        ),
        Prefetch("engagements", queryset=Engagement.objects.prefetch_related("counterparts")),
        Prefetch("agreements_signed", queryset=Agreement.objects.select_related("parent")),
        "partnership__partner_city__alternative_names",
        "partnership__fields",
    )


def _member_of(queryset: QuerySet[Any]) -> ExpressionWrapper[Q]:
    """Annotation: is this row in ``queryset``? (one query instead of one per question)"""
    return ExpressionWrapper(Q(pk__in=queryset.values("pk")), output_field=BooleanField())


type AgreementRows = tuple[
    list[AgreementRow], list[AgreementRow], list[AgreementRow], list[AgreementRow]
]


def _agreement_rows(
    partnership: Partnership, visit: Visit, on: dt.date, lang: str
) -> AgreementRows:
    """In force / expired-without-successor / signed at this visit, and the whole chain.

    One query: every agreement of the partnership, flagged by the QuerySet rules.
    """
    agreements = Agreement.objects.filter(partnership=partnership)
    every = list(
        agreements.select_related("parent")
        .annotate(
            in_force=_member_of(agreements.in_force(on=on)),
            is_expiring=_member_of(agreements.expiring_within(days=EXPIRY_HORIZON_DAYS, on=on)),
            is_expired_alone=_member_of(agreements.expired_without_successor(on=on)),
        )
        .order_by(F("signed_on").asc(nulls_first=True), "reference")[:AGREEMENT_SCAN_LIMIT]
    )
    far = dt.date.max
    in_force = sorted(
        (a for a in every if a.in_force), key=lambda a: (a.valid_until or far, a.reference)
    )[:AGREEMENT_LIMIT]
    expired = sorted(
        # (every one of them has an end of validity: it is how they expired)
        (a for a in every if a.is_expired_alone),
        key=lambda a: a.valid_until or dt.date.min,
        reverse=True,
    )[:AGREEMENT_LIMIT]

    def row(agreement: Agreement) -> AgreementRow:
        flags: list[tuple[str, str]] = []
        if getattr(agreement, "is_expiring", False):
            flags.append(("warn", _("expires within 12 months")))
        if getattr(agreement, "is_expired_alone", False):
            flags.append(("", _("expired, not renewed")))
        return AgreementRow(agreement, _in(lang, agreement.title, agreement.title_en), flags)

    children: dict[int | None, list[Agreement]] = {}
    known = {a.pk for a in every}
    for agreement in every:
        parent = agreement.parent_id if agreement.parent_id in known else None
        children.setdefault(parent, []).append(agreement)
    tree: list[AgreementRow] = []

    def walk(parent: int | None, depth: int, seen: set[int]) -> None:
        for agreement in children.get(parent, []):
            if agreement.pk in seen or len(tree) >= AGREEMENT_LIMIT:
                continue
            seen.add(agreement.pk)
            node = row(agreement)
            node.depth = depth
            node.relation = agreement.get_parent_relation_display() if depth else ""
            tree.append(node)
            walk(agreement.pk, depth + 1, seen)

    walk(None, 0, set())
    flagged = {a.pk: a for a in every}
    signed = [row(flagged.get(a.pk, a)) for a in visit.agreements_signed.all()]
    return [row(a) for a in in_force], [row(a) for a in expired], signed, tree


def _history(partnership: Partnership, visit: Visit) -> dict[str, list[Visit]]:
    """The last HISTORY_PER_DIRECTION visits before this one, per direction, in one query."""
    earlier = (
        Visit.objects.filter(partnership=partnership)
        .exclude(pk=visit.pk)
        .exclude(status=Visit.Status.CANCELLED)
    )
    if visit.start_date:
        earlier = earlier.filter(start_date__lt=visit.start_date)
    ranked = earlier.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("direction")],
            order_by=[F("start_date").desc(nulls_last=True), F("id").desc()],
        )
    ).filter(rank__lte=HISTORY_PER_DIRECTION)
    history: dict[str, list[Visit]] = {d: [] for d in Visit.Direction.values}
    for earlier_visit in ranked.order_by(F("start_date").desc(nulls_last=True), "-id"):
        history[earlier_visit.direction].append(earlier_visit)
    return history


def _followup(
    partnership: Partnership, on: dt.date, lang: str
) -> tuple[list[FieldGroup], int, int, int]:
    """Open action items, grouped by field, most urgent first, capped; with the totals."""
    open_items = ActionItem.objects.filter(partnership=partnership).open()
    overdue = Q(due_on__isnull=False) & ~period_covers("due_on", on, after=True)
    totals = open_items.aggregate(total=Count("pk"), overdue=Count("pk", filter=overdue))
    latest = ProgressUpdate.objects.filter(action_item=OuterRef("pk")).order_by("-date", "-id")
    items = (
        open_items.select_related("field", "owner_organisation", "owner_person", "visit")
        .annotate(
            last_note=Subquery(latest.values("note")[:1]),
            last_note_date=Subquery(latest.values("date")[:1]),
        )
        .order_by(F("due_on").asc(nulls_last=True), "-priority", "id")[:ACTION_ITEM_LIMIT]
    )
    rows = []
    for item in items:
        owner = ", ".join(
            filter(None, [_org_name(item.owner_organisation, lang), str(item.owner_person or "")])
        )
        rows.append(
            FollowUpItem(
                item=item,
                due=item.due.format() if item.due else "",
                owner=owner,
                overdue=item.is_overdue(on),
                last_note=item.last_note or "",
                last_note_date=item.last_note_date,
            )
        )
    general = _("General (no field given)")

    def field_name(row: FollowUpItem) -> str:
        f = row.item.field
        return _in(lang, f.name, f.name_en) if f else general

    rows.sort(key=lambda r: (r.item.field is None, field_name(r).casefold()))
    groups = [FieldGroup(name, list(group)) for name, group in groupby(rows, key=field_name)]
    return groups, totals["total"], totals["overdue"], len(rows)


def _programme(visit: Visit) -> list[ProgrammeDay]:
    engagements = list(visit.engagements.all())[:ENGAGEMENT_LIMIT]
    return [ProgrammeDay(day, list(group)) for day, group in groupby(engagements, lambda e: e.date)]


def gather_brief(
    visit_id: int,
    *,
    lang: str = "vi",
    user: User | None = None,
    generated_by: str = "",
    on: dt.date | None = None,
) -> VisitBrief:
    """Load everything the brief needs in a fixed number of queries (12)."""
    on = on or timezone.localdate()
    visit = _visit_queryset(on).get(pk=visit_id)
    partnership = visit.partnership
    participants = list(visit.participants.all())[:PARTICIPANT_LIMIT]
    with translation.override(lang):
        delegation = [
            _participant(p, lang)
            for p in participants
            if p.side == VisitParticipant.Side.DELEGATION
        ]
        counterparts = [
            _participant(p, lang)
            for p in participants
            if p.side == VisitParticipant.Side.COUNTERPART
        ]
        head = next(
            (_participant(p, lang) for p in participants if p.role == VisitParticipant.Role.HEAD),
            None,
        )
        in_force, expired, signed, tree = _agreement_rows(partnership, visit, on, lang)
        history = _history(partnership, visit)
        followup, total, overdue, shown = _followup(partnership, on, lang)
    if user is not None and not generated_by:
        generated_by = user.get_full_name() or user.get_username()
    partner, home = partnership.partner_city, partnership.home_city
    return VisitBrief(
        visit=visit,
        partnership=partnership,
        lang=lang,
        on=on,
        generated_at=timezone.localtime(),
        generated_by=generated_by,
        issuing_office=_org_name(partnership.focal_office, lang),
        title=visit.title,
        partner_city_name=_in(lang, partner.name, partner.name_en),
        home_city_name=_in(lang, home.name, home.name_en),
        head=head,
        delegation=delegation,
        counterparts=counterparts,
        fields=sorted(_in(lang, f.name, f.name_en) for f in partnership.fields.all()),
        partner_city=partner,
        partner_city_names=partner.all_names(),
        next_anniversary=partnership.next_anniversary(on),
        agreements_in_force=in_force,
        agreements_expired=expired,
        agreements_signed=signed,
        agreement_tree=tree,
        history_incoming=history[Visit.Direction.INCOMING],
        history_outgoing=history[Visit.Direction.OUTGOING],
        history_online=history[Visit.Direction.ONLINE],
        followup=followup,
        open_items_total=total,
        open_items_overdue=overdue,
        open_items_shown=shown,
        programme=_programme(visit),
    )


# ----------------------------------------------------------------------------- rendering
def render_brief_html(brief: VisitBrief) -> str:
    with translation.override(brief.lang):
        html = render_to_string("delegations/brief/brief.html", {"brief": brief})
    # The fonts carry precomposed Vietnamese letters; decomposed input (e.g. pasted from a
    # PDF) would otherwise need combining marks they do not all have.
    return unicodedata.normalize("NFC", html)


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: everything but ASCII letters and digits escaped."""
    return (
        '"' + "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in text) + '"'
    )


def page_numbers_css(lang: str) -> str:
    """``@page`` rule printing "Page 2 of 9" (translated) in the bottom-right corner."""
    with translation.override(lang):
        label = _("Page {page} of {pages}")
    parts = re.split(r"(\{page\}|\{pages\})", label)
    content = " ".join(
        {"{page}": "counter(page)", "{pages}": "counter(pages)"}.get(part) or css_string(part)
        for part in parts
        if part
    )
    style = "font-size: 7.5pt; color: #555; vertical-align: top; padding-top: 3mm;"
    return "@page { @bottom-right { content: " + content + "; " + style + " } }"


def html_to_pdf(html: str, *, lang: str = "vi", fetcher: BriefURLFetcher | None = None) -> bytes:
    """WeasyPrint, with every resource (stylesheet and fonts included) through the fetcher."""
    fetcher = fetcher or BriefURLFetcher()
    font_config = FontConfiguration()
    stylesheets = [
        CSS(url=STYLESHEET_URL, url_fetcher=fetcher, font_config=font_config),
        CSS(string=page_numbers_css(lang), base_url=BASE_URL, url_fetcher=fetcher),
    ]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=stylesheets, font_config=font_config)


_render_slots = threading.BoundedSemaphore(MAX_CONCURRENT_RENDERS)


def within_time_budget[T](work: Callable[[], T], seconds: float | None = None) -> T:
    """Run ``work`` for at most ``seconds``; BriefRenderError if it takes longer."""
    seconds = seconds if seconds is not None else getattr(settings, "BRIEF_RENDER_SECONDS", 20)
    started = time.monotonic()
    if not _render_slots.acquire(timeout=seconds):
        raise BriefRenderError(_("Too many briefs are being rendered; try again in a minute."))
    remaining = max(seconds - (time.monotonic() - started), 0.001)
    if threading.current_thread() is threading.main_thread():
        try:
            return _with_alarm(work, remaining)
        finally:
            _render_slots.release()
    return _in_helper_thread(work, remaining)


def _with_alarm[T](work: Callable[[], T], seconds: float) -> T:
    def deadline(_signum: int, _frame: FrameType | None) -> NoReturn:
        raise _DeadlinePassed

    previous = signal.signal(signal.SIGALRM, deadline)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return work()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _DeadlinePassed:  # also if it fired just as the work ended
        raise BriefRenderError(_("Rendering the brief took too long.")) from None
    finally:
        signal.signal(signal.SIGALRM, previous)


def _in_helper_thread[T](work: Callable[[], T], seconds: float) -> T:
    values: list[T] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            values.append(work())
        except Exception as exc:  # noqa: BLE001 (handed to the caller, which raises it)
            errors.append(exc)
        finally:
            _render_slots.release()  # only when the work really ends

    helper = threading.Thread(target=run, name="visit-brief-render", daemon=True)
    helper.start()
    helper.join(seconds)
    if helper.is_alive():
        raise BriefRenderError(_("Rendering the brief took too long."))
    if errors:
        raise errors[0]
    return values[0]


def render_visit_brief(
    visit_id: int,
    *,
    lang: str = "vi",
    user: User | None = None,
    generated_by: str = "",
    fetcher: BriefURLFetcher | None = None,
) -> bytes:
    """The PDF brief of a visit. Raises Visit.DoesNotExist or BriefRenderError."""
    lang = lang if lang in LANGUAGES else settings.LANGUAGE_CODE
    brief = gather_brief(visit_id, lang=lang, user=user, generated_by=generated_by)

    def work() -> bytes:
        return html_to_pdf(render_brief_html(brief), lang=lang, fetcher=fetcher)

    try:
        return within_time_budget(work)
    except BriefRenderError:
        raise
    except Exception as exc:
        raise BriefRenderError(_("The brief could not be rendered.")) from exc


def brief_filename(visit: Visit) -> str:
    """``brief-12-doan-dai-bieu-tp-ha-noi-tham-lam-viec-tai-tp-minsk.pdf``"""
    slug = slugify(fold(visit.title))[:60].strip("-") or "visit"
    return f"brief-{visit.pk}-{slug}.pdf"
