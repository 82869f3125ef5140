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

import base64
import datetime as dt
import functools
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
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import Agreement, AgreementDocument
from common.collation import sort_key, sorted_by_name
from common.countries import name_in_language
from common.gcpause import fewer_gc_passes
from common.models import END_NOT_RECORDED
from common.partialdate import PartialDate, period_covers
from common.text import fold
from common.worldmap import render_locator_map
from delegations.models import (
    Accommodation,
    ActionItem,
    BriefPoint,
    Engagement,
    Gift,
    LocalContact,
    ProgressUpdate,
    TravelSegment,
    Visit,
    VisitParticipant,
    VisitQuerySet,
    default_as_of,
)
from partnerships.models import City, Organisation, Partnership, Person, Position, held_on_q

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# WeasyPrint logs every step and page at INFO, some of it on import: one brief would fill
# the log. Set before the import below.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.css.counters import CounterStyle  # noqa: E402
from weasyprint.html import UA, UA_STYLESHEET  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

LANGUAGES = ("vi", "en")
STATIC_DIR = Path(settings.BASE_DIR) / "static" / "brief"
BASE_URL = "https://brief.invalid/static/brief/"
STYLESHEET_URL = BASE_URL + "brief.css"
SERVED_SUFFIXES = {".css", ".ttf", ".otf", ".woff", ".woff2", ".png", ".svg"}
DATA_URI_LIMIT = 256 * 1024

HISTORY_PER_DIRECTION = 5
TIMELINE_VISIT_LIMIT = 40  # the latest earlier visits read, for the history and the timeline
# Visits in the timeline, the latest; the older ones are counted (issue 16: a long
# partnership's timeline took pages and repeated the history).
TIMELINE_VISITS_SHOWN = 20
ACTION_ITEM_LIMIT = 80  # items agreed at the visit itself
# Open items from earlier meetings listed in full, the most urgent first; all of them are
# counted by field above the list. At 80 they took half the PDF's time and 12 of a
# 200-visit partnership's 20 pages (issue 16).
FOLLOWUP_LIMIT = 30
AGREEMENT_LIMIT = 60
AGREEMENT_SCAN_LIMIT = 500  # agreements of one partnership read for the chain
PARTICIPANT_LIMIT = 60
ENGAGEMENT_LIMIT = 120
DOCUMENT_LIMIT = 60
PHOTO_LIMIT = 180 * 1024  # bytes of one photo embedded (under the fetcher's data: URI limit)
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
@dataclass(frozen=True, slots=True)
class Localized:
    """A text in the brief's language, or in Vietnamese with ``fell_back`` when no English
    version is recorded (the English brief marks those)."""

    text: str
    fell_back: bool = False

    @override
    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def localized(record: object, field_name: str, lang: str) -> Localized:
    """``record.<field>`` in ``lang``: its ``<field>_en`` in English when there is one."""
    vietnamese = str(getattr(record, field_name, "") or "")
    if lang != "en":
        return Localized(vietnamese)
    english = str(getattr(record, f"{field_name}_en", "") or "")
    if english:
        return Localized(english)
    return Localized(vietnamese, fell_back=bool(vietnamese))


@dataclass
class Photo:
    data: bytes
    content_type: str

    @property
    def data_uri(self) -> str:
        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode()}"


@dataclass
class Participant:
    name: str
    name_latin: str
    role: str
    phone: str
    positions_then: list[Localized]
    positions_now: list[Localized]
    form_of_address: Localized = field(default_factory=lambda: Localized(""))
    biography: Localized = field(default_factory=lambda: Localized(""))
    languages: str = ""
    dietary_needs: str = ""
    photo: Photo | None = None

    @property
    def has_profile(self) -> bool:
        return bool(self.photo or self.biography or self.form_of_address or self.languages)


@dataclass
class BriefPointRow:
    kind: str
    text: Localized
    answer: Localized
    sample: bool


@dataclass
class GiftRow:
    direction: str
    description: Localized
    to_from: str
    notes: str
    sample: bool


@dataclass
class Logistics:
    travel: list[TravelSegment]
    accommodation: list[Accommodation]
    contacts: list[LocalContact]
    time_difference: float | None
    budget: str
    security: Localized
    health: Localized

    def __bool__(self) -> bool:
        return bool(
            self.travel
            or self.accommodation
            or self.contacts
            or self.time_difference is not None
            or self.budget
            or self.security
            or self.health
        )

    @property
    def time_difference_label(self) -> str:
        if self.time_difference is None:
            return ""
        hours = f"{abs(self.time_difference):g}"
        if self.time_difference > 0:
            return _("%(hours)s h ahead of us") % {"hours": hours}
        if self.time_difference < 0:
            return _("%(hours)s h behind us") % {"hours": hours}
        return _("same time as us")


@dataclass
class AgreementRow:
    agreement: Agreement
    title: Localized
    flags: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)
    depth: int = 0
    relation: str = ""
    period: str = ""

    @property
    def indent(self) -> str:
        return "\u2003" * self.depth


@dataclass
class FollowUpItem:
    item: ActionItem
    description: Localized
    agreed_at: Localized
    due: str
    owner: str
    status: str
    overdue: bool
    last_note: str
    last_note_date: dt.date | None


@dataclass
class FieldGroup:
    name: str
    items: list[FollowUpItem]


@dataclass
class FieldCount:
    """Open items from earlier meetings in one field: how many, how many overdue."""

    name: str
    total: int
    overdue: int


@dataclass
class EarlierVisit:
    visit: Visit
    title: Localized
    dates: str
    date_note: str
    outcomes: Localized


@dataclass
class TimelineEntry:
    when: str
    sort_date: dt.date
    kind: str  # "agreement" or "visit"
    text: Localized


@dataclass
class ProgrammeEntry:
    engagement: Engagement
    time: str
    title: Localized
    place: Localized
    summary: Localized
    counterparts: list[str]
    accompanied_by: list[str] = field(default_factory=list)
    dress: str = ""


@dataclass
class ProgrammeDay:
    date: dt.date | None
    engagements: list[ProgrammeEntry]


@dataclass
class VisitBrief:
    """Everything the brief template needs, already chosen and capped."""

    visit: Visit
    partnership: Partnership
    lang: str
    on: dt.date
    happened: bool  # the visit had begun by ``on``: what was agreed there is printed
    generated_at: dt.datetime
    generated_by: str
    issuing_office: str
    parent_body: str  # the body the issuing office belongs to (the cover of the Word brief)
    title: Localized
    purpose: Localized
    talking_points: Localized
    notes: Localized
    outcomes: Localized
    place: Localized
    dates: str
    date_note: str
    classification: str
    partner_city_name: str
    home_city_name: str
    head: Participant | None
    our_side: list[Participant]
    their_side: list[Participant]
    fields: list[str]
    partner_city: City
    partner_city_names: list[str]
    country_name: str
    city_profile: Localized
    partnership_summary: Localized
    city_map: str
    next_anniversary: tuple[int, PartialDate] | None
    agreements_in_force: list[AgreementRow]
    agreements_expired: list[AgreementRow]
    agreements_signed: list[AgreementRow]
    agreement_tree: list[AgreementRow]
    timeline: list[TimelineEntry]
    history_incoming: list[EarlierVisit]
    history_outgoing: list[EarlierVisit]
    history_online: list[EarlierVisit]
    followup: list[FieldGroup]
    agreed_here: list[FollowUpItem]
    open_items_total: int
    open_items_overdue: int
    open_items_shown: int
    programme: list[ProgrammeDay]
    open_items_by_field: list[FieldCount] = field(default_factory=list)
    points: dict[str, list[BriefPointRow]] = field(default_factory=dict)
    speeches: list[tuple[str, Localized]] = field(default_factory=list)  # (kind, title)
    gifts: list[GiftRow] = field(default_factory=list)
    logistics: Logistics | None = None
    sources: list[tuple[str, str]] = field(default_factory=list)  # (citation, url or "")
    documents_on_file: list[tuple[str, str]] = field(default_factory=list)  # (agreement, title)
    distribution: list[str] = field(default_factory=list)
    country_note: Localized = field(default_factory=lambda: Localized(""))
    key_figures: list[str] = field(default_factory=list)
    relations_since: int | None = None
    # Every earlier visit (not only those listed): in all, per direction, the first one's day
    earlier_visits_total: int = 0
    earlier_visits_by_direction: dict[str, int] = field(default_factory=dict)
    earlier_visits_since: dt.date | None = None
    timeline_visits_shown: int = 0
    text_limit: int = TEXT_LIMIT

    @property
    def objectives(self) -> list[BriefPointRow]:
        return self.points.get(BriefPoint.Kind.OBJECTIVE, [])

    @property
    def key_messages(self) -> list[BriefPointRow]:
        return self.points.get(BriefPoint.Kind.KEY_MESSAGE, [])

    @property
    def questions(self) -> list[BriefPointRow]:
        return self.points.get(BriefPoint.Kind.QUESTION, [])

    @property
    def press_lines(self) -> list[BriefPointRow]:
        return self.points.get(BriefPoint.Kind.PRESS_LINE, [])

    @property
    def has_talking_points(self) -> bool:
        return bool(self.talking_points or self.notes or self.points or self.speeches)

    @property
    def history_sections(self) -> list[tuple[str, list[EarlierVisit]]]:
        """(heading, visits) per direction; online meetings only when there were any."""
        sections = [
            (_("Visits to us (incoming)"), self.history_incoming),
            (_("Our visits (outgoing)"), self.history_outgoing),
        ]
        if self.history_online:
            sections.append((_("Online meetings"), self.history_online))
        return sections

    @property
    def history_sections_counted(self) -> list[tuple[str, list[EarlierVisit], int]]:
        """``history_sections`` with the number of earlier visits in each direction."""
        directions = [Visit.Direction.INCOMING, Visit.Direction.OUTGOING, Visit.Direction.ONLINE]
        return [
            (heading, visits, self.earlier_visits_by_direction.get(direction, 0))
            for (heading, visits), direction in zip(self.history_sections, directions, strict=False)
        ]

    @property
    def timeline_visits_not_listed(self) -> int:
        return max(self.earlier_visits_total - self.timeline_visits_shown, 0)

    @property
    def incoming(self) -> bool:
        return self.visit.direction == Visit.Direction.INCOMING

    @property
    def our_side_heading(self) -> str:
        return _("Our officials receiving the delegation") if self.incoming else _("Our delegation")

    @property
    def their_side_heading(self) -> str:
        return _("The visiting delegation") if self.incoming else _("Counterparts to be met")

    @property
    def sides(self) -> list[tuple[str, list[Participant]]]:
        return [(self.our_side_heading, self.our_side), (self.their_side_heading, self.their_side)]

    @property
    def fell_back(self) -> bool:
        """Some text is printed in Vietnamese because no English version is recorded."""
        texts = [self.title, self.purpose, self.talking_points, self.notes, self.outcomes]
        return self.lang == "en" and any(text.fell_back for text in texts)


# What a visit's classification says, in English (stored in Vietnamese, as written).
CLASSIFICATIONS = {
    "lưu hành nội bộ": gettext_lazy("For internal circulation"),
    "mật": gettext_lazy("Confidential"),
    "tối mật": gettext_lazy("Secret"),
    "tuyệt mật": gettext_lazy("Top secret"),
    "công khai": gettext_lazy("Public"),
}


def classification_label(text: str, lang: str) -> str:
    """The classification in the brief's language (an unknown wording stays as written)."""
    if lang != "en" or not text:
        return text
    english = CLASSIFICATIONS.get(text.strip().casefold())
    return str(english) if english else text


def _in(lang: str, vietnamese: str, english: str) -> str:
    return english if lang == "en" and english else vietnamese


def _org_name(org: Organisation | None, lang: str) -> str:
    return _in(lang, org.name, org.name_en) if org else ""


def _position_label(position: Position, lang: str) -> Localized:
    """ "Chủ tịch UBND TP Hà Nội" (as ``Position.label``) / "Chairman, Hanoi People's Committee"."""
    # Held with no end date recorded: maybe no longer held, and the brief says so.
    unsure = f" ({END_NOT_RECORDED})" if position.end_not_recorded else ""
    if lang != "en":
        return Localized(f"{position.label()}{unsure}")
    title = localized(position, "title", lang)
    label = f"{title}, {_org_name(position.organisation, lang)}{unsure}"
    return Localized(label, title.fell_back)


def _prefetched_positions(person: Person, name: str) -> list[Position]:
    """Positions prefetched by ``_visit_prefetches`` (``Prefetch(to_attr="positions_held")``)
    held on the brief's day (``name`` "positions_now") or at the visit ("positions_then")."""
    positions: list[Position] = vars(person).get("positions_held", [])
    return [position for position in positions if getattr(position, f"held_{name}", False)]


def _participant(p: VisitParticipant, lang: str) -> Participant:
    person: Person = p.person
    now = [_position_label(pos, lang) for pos in _prefetched_positions(person, "positions_now")]
    then = [_position_label(pos, lang) for pos in _prefetched_positions(person, "positions_then")]
    if not then and p.position_title:
        then = [Localized(p.position_title, fell_back=lang == "en")]
    return Participant(
        name=person.full_name,
        name_latin=person.name_latin if person.name_latin != person.full_name else "",
        role=p.get_role_display(),
        phone=p.phone or person.phone,
        positions_then=then,
        positions_now=now,
        form_of_address=localized(person, "form_of_address", lang),
        biography=localized(person, "biography", lang),
        languages=person.languages,
        dietary_needs=person.dietary_needs,
        photo=_photo(person),
    )


def _photo(person: Person) -> Photo | None:
    """The person's uploaded photo, read from storage (never fetched by URL), if small enough."""
    if not person.photo:
        return None
    content_type = mimetypes.guess_type(person.photo.name or "")[0] or ""
    if content_type not in {"image/png", "image/jpeg"}:
        return None
    try:
        if person.photo.size > PHOTO_LIMIT:
            return None
        with person.photo.open("rb") as handle:
            return Photo(handle.read(PHOTO_LIMIT), content_type)
    except OSError:
        return None


def _positions_held(on: dt.date, visit_day: dt.date) -> Prefetch[Any]:
    # Every position held on either day (concurrent ones too), the longest held first, each
    # flagged with the days it was held on (one query for both lists).
    held_now, held_then = held_on_q(on), held_on_q(visit_day)
    return Prefetch(
        "person__positions",
        queryset=Position.objects.filter(held_now | held_then)
        .annotate(
            held_positions_now=ExpressionWrapper(held_now, output_field=BooleanField()),
            held_positions_then=ExpressionWrapper(held_then, output_field=BooleanField()),
        )
        .select_related("organisation")
        .order_by(F("start").asc(nulls_last=True), "id"),
        to_attr="positions_held",
    )


def _visit_queryset() -> VisitQuerySet:
    return Visit.objects.select_related(
        "partnership__home_city",
        "partnership__partner_city",
        "partnership__focal_office__parent",
    )


def _visit_prefetches(on: dt.date, visit_day: dt.date) -> list[str | Prefetch[Any]]:
    return [
        Prefetch(
            "participants",
            queryset=VisitParticipant.objects.select_related("person").prefetch_related(
                _positions_held(on, visit_day)
            ),
        ),
        Prefetch(
            "engagements",
            queryset=Engagement.objects.prefetch_related("counterparts", "accompanied_by"),
        ),
        Prefetch("agreements_signed", queryset=Agreement.objects.select_related("parent")),
        "partnership__partner_city__alternative_names",
        "partnership__fields",
        "travel_segments",
        "accommodations",
        "local_contacts",
        Prefetch("gifts", queryset=Gift.objects.select_related("person", "organisation")),
        "brief_points",
        "documents",
        "sources",
    ]


def _is_ours(p: VisitParticipant, visit: Visit, home_country: str) -> bool:
    """Is this participant one of our own officials (never printed as a counterpart)?"""
    country = str(p.person.country or "")
    if country:
        return country == home_country
    hosts = p.side == VisitParticipant.Side.COUNTERPART
    return hosts if visit.direction == Visit.Direction.INCOMING else not hosts


def _member_of(queryset: QuerySet[Any]) -> ExpressionWrapper[Q]:
    """Annotation: is this row in ``queryset``? (one query instead of one per question)"""
    return ExpressionWrapper(Q(pk__in=queryset.values("pk")), output_field=BooleanField())


type AgreementRows = tuple[
    list[AgreementRow], list[AgreementRow], list[AgreementRow], list[AgreementRow]
]


def period_label(agreement: Agreement) -> str:
    """ "01/01/2024 – 31/12/2026"; without an end, whether there is none or it is not known."""
    label = agreement.period_label()
    if agreement.valid_until:
        return label
    end = _("no end date") if agreement.open_ended else _("end date not recorded")
    return f"{label} {end}" if label else end


def _agreement_rows(
    partnership: Partnership, visit: Visit, brief_on: tuple[dt.date, bool], lang: str
) -> AgreementRows:
    """In force / expired-without-successor / signed at this visit, and the whole chain.

    One query: every agreement of the partnership signed by ``on``, flagged by the
    QuerySet rules as of that day.
    """
    on, happened = brief_on
    agreements = Agreement.objects.filter(partnership=partnership).exclude(signed_on__gt=on)
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
        return AgreementRow(
            agreement, localized(agreement, "title", lang), flags, period=period_label(agreement)
        )

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
    signed = [row(flagged.get(a.pk, a)) for a in visit.agreements_signed.all()] if happened else []
    return [row(a) for a in in_force], [row(a) for a in expired], signed, tree


def _earlier_visits(partnership: Partnership, visit: Visit, on: dt.date) -> list[Visit]:
    """The partnership's visits before this one and by ``on``, newest first, in one query;
    each counts them all (``earlier_total``), those in its direction (``direction_total``)
    and gives the first one's day (``earlier_since``), read before the list is cut."""
    earlier = (
        Visit.objects.filter(partnership=partnership, start_date__lte=on)
        .exclude(pk=visit.pk)
        .exclude(status=Visit.Status.CANCELLED)
    )
    if visit.start_date:
        earlier = earlier.filter(start_date__lt=visit.start_date)
    counted = earlier.annotate(
        earlier_total=Window(Count("pk")),
        direction_total=Window(Count("pk"), partition_by=[F("direction")]),
        earlier_since=Window(Min("start_date")),
    )
    return list(counted.order_by(F("start_date").desc(), "-id")[:TIMELINE_VISIT_LIMIT])


def _history(visits: list[Visit], lang: str) -> dict[str, list[EarlierVisit]]:
    """The last HISTORY_PER_DIRECTION earlier visits per direction, outcomes in full."""
    history: dict[str, list[EarlierVisit]] = {d: [] for d in Visit.Direction.values}
    for earlier in visits:
        shown = history[earlier.direction]
        if len(shown) < HISTORY_PER_DIRECTION:
            dates, note = visit_dates(earlier)
            shown.append(
                EarlierVisit(
                    earlier,
                    localized(earlier, "title", lang),
                    dates,
                    note,
                    localized(earlier, "outcomes", lang),
                )
            )
    return history


DAY_MONTH = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])")


def day_without_year(note: str) -> str:
    """ "day 9/8, year not known" when a date note gives a day and month and no year."""
    found = DAY_MONTH.search(note or "")
    if found is None:
        return ""
    day, month = int(found[1]), int(found[2])
    if not (1 <= day <= 31 and 1 <= month <= 12):  # noqa: PLR2004 (days and months)
        return ""
    return _("day %(day)d/%(month)d, year not known") % {"day": day, "month": month}


def visit_dates(visit: Visit) -> tuple[str, str]:
    """(the dates as known, the date note): a note is printed as a note, never as the date."""
    start = visit.start
    if start is None:
        return day_without_year(visit.date_note), visit.date_note
    if visit.end_date and visit.end_date != visit.start_date:
        return f"{start} – {visit.end_date:%d/%m/%Y}", visit.date_note
    if visit.end_not_recorded:  # not a one-day visit: its end is simply not known
        return f"{start} – ({END_NOT_RECORDED})", visit.date_note
    return str(start), visit.date_note


def _timeline(
    agreements: list[AgreementRow], visits: list[Visit], lang: str
) -> list[TimelineEntry]:
    """Signings and visits in the order they happened (the partnership's timeline)."""
    entries = [
        TimelineEntry(
            str(row.agreement.signed),
            row.agreement.signed_on,
            "agreement",
            Localized(
                f"{row.agreement.reference}: {row.title}" if row.agreement.reference else "",
                row.title.fell_back,
            )
            if row.agreement.reference
            else row.title,
        )
        for row in agreements
        if row.agreement.signed_on and row.agreement.signed
    ]
    entries += [
        TimelineEntry(visit_dates(v)[0], v.start_date, "visit", localized(v, "title", lang))
        for v in visits
        if v.start_date
    ]
    return sorted(entries, key=lambda e: (e.sort_date, e.kind))


# The columns of an action item, and of its field, owner and visit, that a row of the
# brief's lists prints (``FollowUpItem``; items.html and the Word brief read no others).
FOLLOW_UP_COLUMNS = (
    "description",
    "due_on",
    "due_on_precision",
    "status",
    "priority",
    "field__name",
    "field__name_en",
    "owner_organisation__name",
    "owner_organisation__name_en",
    "owner_person__full_name",
)
FOLLOW_UP_VISIT_COLUMNS = (
    "visit__title",
    "visit__title_en",
    "visit__start_date",
    "visit__start_date_precision",
    "visit__end_date",
    "visit__end_date_kind",
    "visit__date_note",
)


def _follow_up_rows(
    items: QuerySet[ActionItem], on: dt.date, lang: str, *, visit: Visit | None = None
) -> list[FollowUpItem]:
    """The rows of ``items``; ``visit``: the visit they were all agreed at (not read again)."""
    latest = ProgressUpdate.objects.filter(action_item=OuterRef("pk"), date__lte=on).order_by(
        "-date", "-id"
    )
    related = ["field", "owner_organisation", "owner_person"]
    columns = [*related, *FOLLOW_UP_COLUMNS]
    if visit is None:
        related.append("visit")
        columns += ["visit", *FOLLOW_UP_VISIT_COLUMNS]
    items = (
        items.select_related(*related)
        .only(*columns)
        .annotate(
            last_note=Subquery(latest.values("note")[:1]),
            last_note_date=Subquery(latest.values("date")[:1]),
        )
    )
    statuses = dict(ActionItem.Status.choices)
    rows = []
    for item in items:
        if visit is not None:
            item.visit = visit
        owner = ", ".join(
            filter(None, [_org_name(item.owner_organisation, lang), str(item.owner_person or "")])
        )
        status = getattr(item, "status_on", item.status)
        rows.append(
            FollowUpItem(
                item=item,
                description=localized(item, "description", lang),
                agreed_at=localized(item.visit, "title", lang) if item.visit else Localized(""),
                due=item.due.format() if item.due else "",
                owner=owner,
                status=str(statuses.get(status, status)),
                overdue=status in ActionItem.OPEN
                and item.due is not None
                and item.due.last_day() < on,
                last_note=item.last_note or "",
                last_note_date=item.last_note_date,
            )
        )
    return rows


def _followup(
    partnership: Partnership, visit: Visit, on: dt.date, lang: str
) -> tuple[list[FieldGroup], list[FieldCount], int]:
    """Items from earlier meetings open on ``on``: the most urgent (capped) grouped by field,
    every one of them counted by field (two queries), and how many are listed."""
    open_items = ActionItem.objects.filter(partnership=partnership).exclude(visit=visit).open_on(on)
    overdue = Q(due_on__isnull=False) & ~period_covers("due_on", on, after=True)
    urgency = (F("due_on").asc(nulls_last=True), "-priority", "id")
    by_field = [F("field")]
    # One pass over the open items (their status that day is worked out item by item):
    # each is counted in its field and ranked by urgency, and only the most urgent and
    # one of each field come back. The most urgent are then read in full, joined to their
    # visit, field and owner (joining every open item, twice, took most of the 200-visit
    # brief's gathering, issue 16).
    ranked = (
        open_items.order_by()
        .annotate(
            urgency_rank=Window(RowNumber(), order_by=urgency),
            field_rank=Window(RowNumber(), partition_by=by_field, order_by="id"),
            field_total=Window(Count("pk"), partition_by=by_field),
            field_overdue=Window(Count("pk", filter=overdue), partition_by=by_field),
        )
        .filter(Q(urgency_rank__lte=FOLLOWUP_LIMIT) | Q(field_rank=1))
        .values_list(
            "pk",
            "field",
            "field__name",
            "field__name_en",
            "field_total",
            "field_overdue",
            "urgency_rank",
        )
    )
    general = _("General (no field given)")
    counts: dict[int | None, FieldCount] = {}
    most_urgent: list[int] = []
    for pk, field_pk, name, name_en, total, late, rank in ranked:
        if field_pk not in counts:
            label = _in(lang, name or "", name_en or "") if field_pk else general
            counts[field_pk] = FieldCount(label, total, late)
        if rank <= FOLLOWUP_LIMIT:
            most_urgent.append(pk)
    field_counts = sorted(counts.values(), key=lambda c: (c.name == general, sort_key(c.name)))
    chosen = ActionItem.objects.filter(pk__in=most_urgent).with_status_on(on).order_by(*urgency)
    rows = _follow_up_rows(chosen, on, lang)

    def field_name(row: FollowUpItem) -> str:
        f = row.item.field
        return _in(lang, f.name, f.name_en) if f else general

    rows.sort(key=lambda r: (r.item.field is None, sort_key(field_name(r))))
    groups = [FieldGroup(name, list(group)) for name, group in groupby(rows, key=field_name)]
    return groups, field_counts, len(rows)


def _agreed_here(visit: Visit, on: dt.date, lang: str) -> list[FollowUpItem]:
    """What was agreed at this visit (once it has begun), as it stood on ``on``."""
    items = (
        ActionItem.objects.filter(visit=visit)
        .with_status_on(on)
        .order_by(F("due_on").asc(nulls_last=True), "-priority", "id")
    )
    return _follow_up_rows(items[:ACTION_ITEM_LIMIT], on, lang, visit=visit)


def _programme(visit: Visit, lang: str) -> list[ProgrammeDay]:
    """Day by day, in the local time the engagements are recorded in."""
    entries = [
        ProgrammeEntry(
            engagement=e,
            time=_engagement_time(e),
            title=localized(e, "title", lang),
            place=localized(e, "place", lang),
            summary=localized(e, "summary", lang),
            counterparts=sorted_by_name([str(p) for p in e.counterparts.all()], str),
            accompanied_by=sorted_by_name([str(p) for p in e.accompanied_by.all()], str),
            dress=e.get_dress_display() if e.dress else "",
        )
        for e in list(visit.engagements.all())[:ENGAGEMENT_LIMIT]
    ]
    return [
        ProgrammeDay(day, list(group))
        for day, group in groupby(entries, lambda entry: entry.engagement.date)
    ]


def _points(visit: Visit, lang: str) -> dict[str, list[BriefPointRow]]:
    points: dict[str, list[BriefPointRow]] = {}
    for point in visit.brief_points.all():
        points.setdefault(point.kind, []).append(
            BriefPointRow(
                point.kind,
                localized(point, "text", lang),
                localized(point, "answer", lang),
                point.is_sample,
            )
        )
    return points


def _gifts(visit: Visit, lang: str) -> list[GiftRow]:
    return [
        GiftRow(
            gift.get_direction_display(),
            localized(gift, "description", lang),
            ", ".join(filter(None, [str(gift.person or ""), _org_name(gift.organisation, lang)])),
            gift.notes,
            gift.is_sample,
        )
        for gift in visit.gifts.all()
    ]


def _logistics(visit: Visit, lang: str) -> Logistics:
    budget = visit.budget_line
    if visit.budget_amount is not None:
        amount = f"{visit.budget_amount:,.0f}".replace(",", ".")
        budget = f"{budget}: {amount} {visit.budget_currency}".strip(": ")
    return Logistics(
        travel=list(visit.travel_segments.all()),
        accommodation=list(visit.accommodations.all()),
        contacts=list(visit.local_contacts.all()),
        time_difference=visit.time_difference(),
        budget=budget,
        security=localized(visit, "security_notes", lang),
        health=localized(visit, "health_notes", lang),
    )


def _documents_on_file(rows: list[AgreementRow]) -> list[tuple[str, str]]:
    """The agreement documents on file, for the agreements the brief lists (one query)."""
    ids = [row.agreement.pk for row in rows]
    documents = (
        AgreementDocument.objects.filter(agreement_id__in=ids)
        .select_related("agreement")
        .order_by("agreement__signed_on", "agreement_id", "id")[:DOCUMENT_LIMIT]
    )
    return [(d.agreement.reference, d.title) for d in documents]


def _engagement_time(engagement: Engagement) -> str:
    return engagement.times_label()


def _city_map(city: City, label: str) -> str:
    if city.latitude is None or city.longitude is None:
        return ""
    return render_locator_map(
        float(city.latitude),
        float(city.longitude),
        label,
        country=str(city.country or ""),
        width=320,
        element_id="brief-map",
    )


def _sides(
    visit: Visit, lang: str
) -> tuple[list[Participant], list[Participant], Participant | None]:
    """(our officials, the other side, the head of delegation), each side in the record's order."""
    home_country = str(visit.partnership.home_city.country or "")
    participants = list(visit.participants.all())[:PARTICIPANT_LIMIT]
    ours: list[Participant] = []
    theirs: list[Participant] = []
    head = None
    for p in participants:
        person = _participant(p, lang)
        (ours if _is_ours(p, visit, home_country) else theirs).append(person)
        if p.role == VisitParticipant.Role.HEAD and head is None:
            head = person
    return ours, theirs, head


def gather_brief(
    visit_id: int,
    *,
    lang: str = "vi",
    user: User | None = None,
    generated_by: str = "",
    on: dt.date | None = None,
) -> VisitBrief:
    """Load everything the brief needs, as of ``on``, in a fixed number of queries (22,
    pinned at two sizes of data in tests/test_brief.py and tests/test_brief_as_of.py).

    ``on`` (default: ``default_as_of``) is the day the brief is printed as of: nothing
    recorded after it appears, and overdue and expiry marks are relative to it.
    """
    visit = _visit_queryset().get(pk=visit_id)
    on = on or default_as_of(visit.start_date)
    prefetch_related_objects([visit], *_visit_prefetches(on, visit.start_date or on))
    happened = visit.start_date is not None and visit.start_date <= on
    partnership = visit.partnership
    with translation.override(lang):
        ours, theirs, head = _sides(visit, lang)
        in_force, expired, signed, tree = _agreement_rows(partnership, visit, (on, happened), lang)
        earlier = _earlier_visits(partnership, visit, on)
        history = _history(earlier, lang)
        in_timeline = [v for v in earlier if v.start_date][:TIMELINE_VISITS_SHOWN]
        followup, by_field, shown = _followup(partnership, visit, on, lang)
        agreed_here = _agreed_here(visit, on, lang) if happened else []
        dates, date_note = visit_dates(visit)
        partner, home = partnership.partner_city, partnership.home_city
        partner_name = _in(lang, partner.name, partner.name_en)
        return VisitBrief(
            visit=visit,
            partnership=partnership,
            lang=lang,
            on=on,
            happened=happened,
            generated_at=timezone.localtime(),
            generated_by=generated_by or _user_name(user),
            issuing_office=_org_name(partnership.focal_office, lang),
            parent_body=_org_name(
                partnership.focal_office.parent if partnership.focal_office else None, lang
            ),
            title=localized(visit, "title", lang),
            purpose=localized(visit, "purpose", lang),
            talking_points=localized(visit, "talking_points", lang),
            notes=localized(visit, "notes", lang),
            outcomes=localized(visit, "outcomes", lang) if happened else Localized(""),
            place=localized(visit, "place", lang),
            dates=dates,
            date_note=date_note,
            classification=classification_label(visit.classification, lang),
            partner_city_name=partner_name,
            home_city_name=_in(lang, home.name, home.name_en),
            head=head,
            our_side=ours,
            their_side=theirs,
            fields=sorted_by_name(
                [_in(lang, f.name, f.name_en) for f in partnership.fields.all()], str
            ),
            partner_city=partner,
            partner_city_names=partner.all_names(),
            country_name=name_in_language(str(partner.country), lang) if partner.country else "",
            city_profile=localized(partner, "profile", lang),
            partnership_summary=localized(partnership, "summary", lang),
            city_map=_city_map(partner, partner_name),
            next_anniversary=partnership.next_anniversary(on),
            agreements_in_force=in_force,
            agreements_expired=expired,
            agreements_signed=signed,
            agreement_tree=tree,
            timeline=_timeline(tree, in_timeline, lang),
            history_incoming=history[Visit.Direction.INCOMING],
            history_outgoing=history[Visit.Direction.OUTGOING],
            history_online=history[Visit.Direction.ONLINE],
            followup=followup,
            agreed_here=agreed_here,
            open_items_total=sum(count.total for count in by_field),
            open_items_overdue=sum(count.overdue for count in by_field),
            open_items_shown=shown,
            open_items_by_field=by_field,
            programme=_programme(visit, lang),
            points=_points(visit, lang),
            speeches=[
                (d.get_kind_display(), localized(d, "title", lang)) for d in visit.documents.all()
            ],
            gifts=_gifts(visit, lang),
            logistics=_logistics(visit, lang),
            sources=_sources(visit),
            documents_on_file=_documents_on_file(tree),
            distribution=[p.name for p in ours],
            country_note=localized(partner, "country_note", lang),
            key_figures=partner.key_figures_in(lang)[0],
            relations_since=partner.relations_since,
            earlier_visits_total=getattr(earlier[0], "earlier_total", 0) if earlier else 0,
            earlier_visits_by_direction={
                v.direction: getattr(v, "direction_total", 0) for v in earlier
            },
            earlier_visits_since=getattr(earlier[0], "earlier_since", None) if earlier else None,
            timeline_visits_shown=len(in_timeline),
        )


def _sources(visit: Visit) -> list[tuple[str, str]]:
    sources = [(source.citation(), source.url) for source in visit.sources.all()]
    if visit.source_url and visit.source_url not in {url for _citation, url in sources}:
        sources.append(("", visit.source_url))
    return sources


def _user_name(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


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


@dataclass
class _Styles:
    """Parsed stylesheets and the FontConfiguration their @font-face rules went into."""

    key: tuple[str, int, int, str]
    stylesheets: list[CSS]
    font_config: FontConfiguration


# The last stylesheets built per stylesheet file and page-number line (one per language),
# reused by the next render while the file keeps its modification time and size: parsing the stylesheet and
# loading its fonts is done once per process, and the FontConfiguration's font map keeps
# Pango's and fontconfig's font look-ups warm (issue 16: ~0.1 s a brief). A render holds
# the lock while it uses them (a Pango font map is not for two threads at once); another
# render at the same moment builds its own, as every render did before.
_styles_cache: dict[tuple[str, str], _Styles] = {}
_styles_lock = threading.Lock()


# WeasyPrint's user-agent stylesheet styles five pseudo-elements of *every* element
# (``::marker``, the footnotes' and the notes' calls and markers), which made the cascade
# compute six styles per element: a quarter of a 200-visit brief's time (issue 16). The
# brief and the annual report have no footnotes or notes and no list items but ``li``:
# their copy of that stylesheet gives the markers of ``li`` only and drops the rest, so
# every box is styled as before.
_UNIVERSAL_MARKER = re.compile(r"^::marker \{", re.MULTILINE)
_NOTES_AND_FOOTNOTES = re.compile(r"^::(?:footnote|note)-[a-z-]+ \{[^}]*\}\n", re.MULTILINE)


def user_agent_css_text() -> str:
    """WeasyPrint's own user-agent stylesheet, trimmed as said above."""
    return _NOTES_AND_FOOTNOTES.sub("", _UNIVERSAL_MARKER.sub("li::marker {", UA))


@functools.cache
def _user_agent_stylesheet() -> CSS:
    # Its @counter-style rules are already in WeasyPrint's own counter styles, which each
    # document copies: they go into a throwaway set here.
    return CSS(string=user_agent_css_text(), counter_style=CounterStyle())


class BriefHTML(HTML):
    """WeasyPrint's HTML document, styled by the trimmed user-agent stylesheet above."""

    @override
    def _ua_stylesheets(self, *args: Any, **kwargs: Any) -> list[CSS]:
        return [
            _user_agent_stylesheet() if sheet is UA_STYLESHEET else sheet
            for sheet in super()._ua_stylesheets(*args, **kwargs)
        ]


def _build_styles(
    stylesheet: str | None, lang: str, fetcher: BriefURLFetcher
) -> tuple[list[CSS], FontConfiguration]:
    font_config = FontConfiguration()
    stylesheets = (
        [CSS(url=BASE_URL + stylesheet, url_fetcher=fetcher, font_config=font_config)]
        if stylesheet
        else [
            CSS(url=STYLESHEET_URL, url_fetcher=fetcher, font_config=font_config),
            CSS(string=page_numbers_css(lang), base_url=BASE_URL, url_fetcher=fetcher),
        ]
    )
    return stylesheets, font_config


def _styles_key(stylesheet: str | None, lang: str) -> tuple[str, int, int, str]:
    """What the built stylesheets depend on: the file as it is now (a change to it, in
    development, is picked up at the next render) and the translated page-number line."""
    name = stylesheet or "brief.css"
    stat = (STATIC_DIR / name).stat()
    return (name, stat.st_mtime_ns, stat.st_size, "" if stylesheet else page_numbers_css(lang))


def html_to_pdf(
    html: str,
    *,
    lang: str = "vi",
    fetcher: BriefURLFetcher | None = None,
    stylesheet: str | None = None,
) -> bytes:
    """WeasyPrint, with every resource (stylesheet and fonts included) through the fetcher.

    ``stylesheet``: another file under static/brief/ that styles the whole document,
    page numbers included (the annual report's), instead of the brief's.

    With the default fetcher the stylesheets and fonts come from the per-process cache
    above (built through a fetcher of their own); a caller's own ``fetcher`` gets
    everything fetched through it, as before."""
    # A render allocates a few hundred thousand objects (styles, boxes, lines) that live
    # until it ends: with the collector's default thresholds they were walked over and
    # over, full passes included (~0.1 s each in a warm process): 6-13 % of a 200-visit
    # brief's time (issue 16). What the render leaves in cycles is freed as it ends.
    with fewer_gc_passes(collect_after=True):
        if fetcher is not None:
            stylesheets, font_config = _build_styles(stylesheet, lang, fetcher)
            document = BriefHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
            return document.write_pdf(stylesheets=stylesheets, font_config=font_config)
        fetcher = BriefURLFetcher()
        if not _styles_lock.acquire(blocking=False):
            stylesheets, font_config = _build_styles(stylesheet, lang, fetcher)
            document = BriefHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
            return document.write_pdf(stylesheets=stylesheets, font_config=font_config)
        try:
            key = _styles_key(stylesheet, lang)
            cached = _styles_cache.get((key[0], key[3]))
            if cached is None or cached.key != key:
                cached = _Styles(key, *_build_styles(stylesheet, lang, BriefURLFetcher()))
                _styles_cache[key[0], key[3]] = cached
            document = BriefHTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
            return document.write_pdf(
                stylesheets=cached.stylesheets, font_config=cached.font_config
            )
        finally:
            _styles_lock.release()


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
    passed: list[bool] = []

    def deadline(_signum: int, _frame: FrameType | None) -> NoReturn:
        passed.append(True)
        raise _DeadlinePassed

    previous = signal.signal(signal.SIGALRM, deadline)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            result = work()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _DeadlinePassed:  # also if it fired just as the work ended
        raise BriefRenderError(_("Rendering the brief took too long.")) from None
    finally:
        signal.signal(signal.SIGALRM, previous)
    if passed:
        # The timer fired inside a C callback (cffi, used by WeasyPrint's Pango and
        # fontconfig calls), where Python reports the exception as "unraisable" and carries
        # on: the work ended, but over its budget all the same.
        raise BriefRenderError(_("Rendering the brief took too long."))
    return result


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


def render_visit_brief(  # noqa: PLR0913 (keyword-only options, each with a default)
    visit_id: int,
    *,
    lang: str = "vi",
    user: User | None = None,
    generated_by: str = "",
    fetcher: BriefURLFetcher | None = None,
    on: dt.date | None = None,
) -> bytes:
    """The PDF brief of a visit as of ``on``. Raises Visit.DoesNotExist or BriefRenderError."""
    lang = lang if lang in LANGUAGES else settings.LANGUAGE_CODE
    brief = gather_brief(visit_id, lang=lang, user=user, generated_by=generated_by, on=on)

    def work() -> bytes:
        return html_to_pdf(render_brief_html(brief), lang=lang, fetcher=fetcher)

    try:
        return within_time_budget(work)
    except BriefRenderError:
        raise
    except Exception as exc:
        raise BriefRenderError(_("The brief could not be rendered.")) from exc


def brief_filename(visit: Visit, extension: str = "pdf") -> str:
    """``brief-12-doan-dai-bieu-tp-ha-noi-tham-lam-viec-tai-tp-minsk.pdf`` (or ``.docx``)"""
    slug = slugify(fold(visit.title))[:60].strip("-") or "visit"
    return f"brief-{visit.pk}-{slug}.{extension}"


def render_visit_brief_docx(
    visit_id: int,
    *,
    lang: str = "vi",
    user: User | None = None,
    generated_by: str = "",
    on: dt.date | None = None,
) -> bytes:
    """The same brief as an editable Word document (``delegations.brief_word``), under the
    same time budget. Raises Visit.DoesNotExist or BriefRenderError."""
    from delegations.brief_word import brief_docx

    lang = lang if lang in LANGUAGES else settings.LANGUAGE_CODE
    brief = gather_brief(visit_id, lang=lang, user=user, generated_by=generated_by, on=on)
    try:
        return within_time_budget(lambda: brief_docx(brief))
    except BriefRenderError:
        raise
    except Exception as exc:
        raise BriefRenderError(_("The brief could not be rendered.")) from exc
