"""Agreements between the organisations of a partnership, and what they imply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Self

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import ExtractDay, ExtractMonth, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.indexes import OrderIndex
from common.list_subquery import ListSubquery
from common.models import EndKind, EnglishVersions, Record
from common.partialdate import PartialDate, Precision, partial_date_constraint
from partnerships.models import (
    FieldOfCooperation,
    Organisation,
    Partnership,
    Person,
    anniversary_key,
    round_anniversary_within_year,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LINEAGE_LIMIT = 100
LINEAGE_SHOWN = 20  # an agreement's page shows the 20 nearest it implements or renews
LINEAGE_COUNTED = 1000  # and counts the earlier ones up to this depth (a damaged chain loops)
# ``Agreement.CONCLUDED`` for the indexes' conditions (``Meta`` cannot see the class).
_CONCLUDED = ("in_force", "expired", "terminated", "superseded")


class AgreementQuerySet(models.QuerySet["Agreement"]):
    def concluded(self) -> Self:
        """Signed agreements, whatever became of them since (not drafts, not negotiations)."""
        return self.filter(status__in=Agreement.CONCLUDED)

    def in_force(self, *, on: dt.date | None = None) -> Self:
        """Binding, and ``on`` lies inside the validity period.

        Where neither the start of validity nor the signature date is known, the
        recorded status is taken at its word.
        """
        on = on or timezone.localdate()
        return self.filter(status__in=Agreement.BINDING).filter(
            Q(valid_from__isnull=True, signed_on__isnull=True)
            | Q(valid_from__isnull=True, signed_on__lte=on)
            | Q(valid_from__lte=on),
            Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        )

    def expiring_within(self, *, days: int, on: dt.date | None = None) -> Self:
        """In force on ``on`` and ending within ``days`` days of it (both days included)."""
        on = on or timezone.localdate()
        # ``valid_until >= on`` follows from ``in_force``; stated, it bounds the index range
        # (else the scan starts at the oldest expiry and skips every expired agreement).
        return self.in_force(on=on).filter(
            valid_until__gte=on, valid_until__lte=on + dt.timedelta(days=days)
        )

    def round_anniversaries(self, *, on: dt.date | None = None) -> models.QuerySet[Agreement]:
        """Signed a round number of years ago (5, 10, 15…) within the next 12 months, soonest first."""
        on = on or timezone.localdate()
        return round_anniversary_within_year(self.concluded(), "signed_on", on)

    def expired_without_successor(self, *, on: dt.date | None = None) -> Self:
        """Ended before ``on`` and never renewed by a signed agreement (Hà Nội – Viêng Chăn 2017–2020)."""
        on = on or timezone.localdate()
        # Filtered by ``NOT EXISTS``, not through a ``has_successor`` annotation: selected,
        # the annotation was computed as a hashed subplan over every renewal (issue 16). One
        # probe of the ``agreement_renewal`` partial index per expired agreement instead.
        return self.filter(status__in=Agreement.BINDING, valid_until__lt=on).exclude(
            Exists(Agreement.objects.renewals_of(OuterRef("pk")))
        )

    def renewals_of(self, parent: OuterRef | int) -> Self:
        """The signed agreements that renew ``parent`` (its successors)."""
        return self.filter(
            parent=parent, parent_relation=Agreement.Relation.RENEWS, status__in=Agreement.CONCLUDED
        )

    def with_field_names(self) -> Self:
        """Each agreement with ``field_names``, its fields of cooperation's names in their
        order: one subquery per row shown (run after the sort and the limit), instead of a
        second query and a model instance and a manager per field and row (issue 16)."""
        names = FieldOfCooperation.objects.filter(agreements=OuterRef("pk")).values("name")
        return self.annotate(field_names=ListSubquery(names.order_by("name")))

    def tree(self, limit: int | None = None) -> tuple[list[tuple[int, Agreement]], int]:
        """These agreements (a partnership's: ``partnership.agreements.tree()``) as
        ``(depth, agreement)``, each followed by those that implement or renew it (parents
        outside the set count as roots), the first ``limit`` of them, and how many there
        are in all.

        Two queries whatever the size: the chain's skeleton (ids and parents only), then
        the full rows of the part shown. A partnership with a thousand agreements does not
        load a thousand rows to show forty.
        """
        skeleton = list(self.order_by("signed_on", "pk").values_list("pk", "parent_id"))
        order = _depth_first(skeleton, limit)
        rows = self.select_related("parent").in_bulk([pk for _d, pk in order])
        return [(depth, rows[pk]) for depth, pk in order], len(skeleton)

    def outline(self, *, limit: int, roots: int, successors: int, cap: int) -> AgreementOutline:
        """A partnership's agreements for its page (``partnership.agreements.outline(…)``),
        read in a number of queries that does not grow with them (issue 16: the whole
        tree's skeleton was 1,105 rows at scale 1, 4,400 at scale 4).

        Up to ``limit + 1`` of them are read first: ``limit`` or fewer (most partnerships)
        are the whole tree, in that one query. More: they are counted, up to ``cap`` (an
        index-only count), and the page shows the first ``roots`` roots in signature
        order, each followed by its first ``successors`` successors (the last of them
        carries ``more_successors``, how many more there are): three queries more."""
        ordered = self.select_related("parent").order_by("signed_on", "pk")
        every: list[Agreement] = list(ordered[: limit + 1])
        if len(every) <= limit:
            by_id = {agreement.pk: agreement for agreement in every}
            pairs = [(agreement.pk, agreement.parent_id) for agreement in every]
            tree = [(depth, by_id[pk]) for depth, pk in _depth_first(pairs, limit)]
            return AgreementOutline(tree, len(every))
        counted = self.order_by()[: cap + 1].count()
        heads: list[Agreement] = list(
            ordered.filter(Q(parent__isnull=True) | ~Q(parent__partnership_id=F("partnership_id")))[
                :roots
            ]
        )
        ranked = (
            self.filter(parent__in=[head.pk for head in heads])
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=F("parent_id"),
                    order_by=[F("signed_on").asc(), F("pk").asc()],
                ),
                siblings=Window(Count("pk"), partition_by=F("parent_id")),
            )
            .filter(rank__lte=successors)
            .order_by("parent_id", "rank")
        )
        children: dict[int | None, list[Agreement]] = {}
        successor: Agreement
        for successor in ranked:
            children.setdefault(successor.parent_id, []).append(successor)
        rows: list[tuple[int, Agreement]] = []
        for head in heads:
            rows.append((0, head))
            shown = children.get(head.pk, [])
            for child in shown:
                child.parent = head  # read with the head: no query for its partnership
                rows.append((1, child))
            if shown:
                shown[-1].more_successors = shown[-1].siblings - len(shown)  # type: ignore[attr-defined]
        return AgreementOutline(rows, min(counted, cap), capped=counted > cap)


@dataclass
class AgreementOutline:
    """What a partnership's page shows of its agreements (``AgreementQuerySet.outline``)."""

    rows: list[tuple[int, Agreement]]
    total: int
    capped: bool = False  # there are more than ``total`` agreements


def _depth_first(pairs: list[tuple[int, int | None]], limit: int | None) -> list[tuple[int, int]]:
    """``(depth, pk)`` of the agreements ``(pk, parent_id)`` (in signature order), each
    followed by its successors; the first ``limit``."""
    ids = {pk for pk, _parent in pairs}
    by_parent: dict[int | None, list[int]] = {}
    for pk, parent_id in pairs:
        by_parent.setdefault(parent_id if parent_id in ids else None, []).append(pk)
    order: list[tuple[int, int]] = []
    seen: set[int] = set()
    stack = [(0, pk) for pk in reversed(by_parent.get(None, []))]
    while stack and (limit is None or len(order) < limit):
        depth, pk = stack.pop()
        if pk in seen:
            continue
        seen.add(pk)
        order.append((depth, pk))
        stack.extend((depth + 1, child) for child in reversed(by_parent.get(pk, [])))
    return order


class Agreement(EnglishVersions, Record):
    """A friendship agreement, cooperation programme, MoU… between organisations of a partnership."""

    class Kind(models.TextChoices):
        FRIENDSHIP = "friendship", _("friendship and cooperation agreement")
        COOPERATION = "cooperation", _("cooperation agreement")
        PROGRAMME = "programme", _("cooperation programme")
        MOU = "mou", _("memorandum of understanding")
        LETTER_OF_INTENT = "letter_of_intent", _("letter of intent")
        ANNUAL_PLAN = "annual_plan", _("annual plan")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        NEGOTIATION = "negotiation", _("under negotiation")
        IN_FORCE = "in_force", _("in force")
        EXPIRED = "expired", _("expired")
        TERMINATED = "terminated", _("terminated")
        SUPERSEDED = "superseded", _("superseded")

    class Relation(models.TextChoices):
        IMPLEMENTS = "implements", _("implements")
        RENEWS = "renews", _("renews")

    CONCLUDED = (Status.IN_FORCE, Status.EXPIRED, Status.TERMINATED, Status.SUPERSEDED)
    BINDING = (Status.IN_FORCE, Status.EXPIRED)

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("partnership"),
    )
    reference = models.CharField(
        _("reference"),
        max_length=64,
        unique=True,
        help_text=_("The office's unique reference, e.g. HN-MSK-2023-01."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("implements or renews"),
    )
    parent_relation = models.CharField(
        _("relation to it"), max_length=12, choices=Relation.choices, blank=True
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_on_precision = models.CharField(
        _("signed on: precision"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    signed_at = models.CharField(_("signed at"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    valid_until_kind = models.CharField(
        _("without an end date"),
        max_length=12,
        choices=EndKind.choices,
        default=EndKind.OPEN,
        help_text=_(
            "When “valid until” is empty: the agreement has no end date (open-ended), "
            "or its end date is not recorded here."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    parties = models.ManyToManyField(
        Organisation, blank=True, related_name="agreements", verbose_name=_("parties")
    )
    fields = models.ManyToManyField(
        FieldOfCooperation,
        blank=True,
        related_name="agreements",
        verbose_name=_("fields of cooperation"),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(m2m_fields=[parties, fields])
    objects = AgreementQuerySet.as_manager()

    # Set only on the instances a spreadsheet import loads and fills (agreements/resources.py):
    # what is stored, what the sheet asks for, and a parent that is a row of the same sheet.
    _stored_fields: list[FieldOfCooperation]
    _stored_signatories: list[Signatory]
    _import_fields: list[FieldOfCooperation]
    _import_signatories: list[tuple[Person, str, str]]  # (person, position held then, role)
    _pending_parent: str | None
    _pending_relation: str

    class Meta:
        ordering = [models.F("signed_on").desc(nulls_last=True), "reference"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_valid_until_not_before_valid_from",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, parent_relation="")
                | (Q(parent__isnull=False) & ~Q(parent_relation="")),
                name="agreement_parent_has_relation",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="agreement_not_own_parent"
            ),
            models.CheckConstraint(
                condition=~Q(reference=""), name="agreement_reference_not_empty"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="agreement_title_not_empty"),
            partial_date_constraint("signed_on", "agreement"),
        ]
        # The lists' default order and the dashboard's expiry sections (issue 6: scale).
        indexes = [
            OrderIndex(
                models.F("signed_on").desc(nulls_last=True),
                models.F("id").desc(),
                name="agreement_signed_order",
            ),
            models.Index(fields=["signed_on", "id"], name="agreement_signed_asc"),
            models.Index(fields=["valid_until", "reference"], name="agreement_valid_until"),
            # The dashboard's sections (issue 16): round anniversaries of signed agreements
            # (``round_anniversary_branches``), and successors looked up per expired agreement.
            models.Index(
                anniversary_key("signed_on"),
                models.F("id"),
                name="agreement_anniversary",
                condition=Q(status__in=_CONCLUDED),
            ),
            # The calendar's anniversaries of each signed day (and precision), the first
            # by reference, and each day's count, from the index alone (issue 16: the
            # month read and sorted every agreement signed on its days, ~800 at scale 4).
            models.Index(
                anniversary_key("signed_on"),
                models.F("signed_on_precision"),
                models.F("reference"),
                models.F("id"),
                include=["signed_on", "partnership"],
                name="agreement_anniversary_day",
                condition=Q(status__in=_CONCLUDED),
            ),
            models.Index(
                fields=["parent"],
                name="agreement_renewal",
                condition=Q(parent_relation="renews", status__in=_CONCLUDED),
            ),
            # The calendar (issue 15): binding agreements coming into force in a month,
            # and concluded ones whose signing comes round in it (by month and day).
            models.Index(
                fields=["valid_from"],
                condition=Q(status__in=["in_force", "expired"]),
                name="agreement_binding_from",
            ),
            # The agenda counts each day's agreement dates from these two alone (issue 16).
            models.Index(
                fields=["valid_until"],
                condition=Q(status__in=["in_force", "expired"]),
                name="agreement_binding_until",
            ),
            models.Index(
                ExtractMonth("signed_on"),
                ExtractDay("signed_on"),
                condition=Q(status__in=["in_force", "expired", "terminated", "superseded"]),
                name="agreement_signed_month_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end of validity cannot be before its start.")
        if self.parent_id and not self.parent_relation:
            errors["parent_relation"] = _(
                "Say whether this agreement implements or renews the other."
            )
        if self.parent_relation and not self.parent_id:
            errors["parent"] = _("Choose the agreement this one implements or renews.")
        if self.parent_id and self.pk and self._parent_chain_contains(self.pk):
            errors["parent"] = _("An agreement cannot implement or renew itself, even indirectly.")
        if errors:
            raise ValidationError(errors)

    def _parent_chain_contains(self, pk: int) -> bool:
        seen: set[int] = set()
        current = self.parent
        while current is not None and current.pk not in seen:
            if current.pk == pk:
                return True
            seen.add(current.pk)
            current = current.parent
        return False

    @property
    def signed(self) -> PartialDate | None:
        return PartialDate.of(self.signed_on, self.signed_on_precision)

    def is_in_force(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        if self.status not in self.BINDING:
            return False
        start = self.valid_from or self.signed_on
        started = start is None or start <= on
        return started and (self.valid_until is None or on <= self.valid_until)

    def lineage(self) -> list[Agreement]:
        """This agreement and those it implements or renews, oldest first.

        One recursive query however long the chain (issue 6: scale), capped at
        LINEAGE_LIMIT links so that a damaged chain cannot loop.
        """
        if self.parent_id is None:
            return [self]
        table = connection.ops.quote_name(self._meta.db_table)
        ancestors = Agreement.objects.raw(
            f"""{_ancestors_cte(table)}
                SELECT a.* FROM chain JOIN {table} a ON a.id = chain.id
                ORDER BY chain.depth DESC""",  # noqa: S608 (formats in only its own quoted table name)
            [self.pk, LINEAGE_LIMIT],
        )
        return [*_once_each(ancestors, self.pk), self]

    def lineage_shown(self, shown: int) -> tuple[list[Agreement], int]:
        """The nearest ``shown`` agreements this one implements or renews, oldest first,
        then this one; and how many earlier ones the chain has beyond them (issue 16: at
        scale 4 the bench's agreement has 120 before it, and its page read and wrote the
        first hundred of them whole). One recursive query, as ``lineage``; only the
        columns the page shows are read."""
        if self.parent_id is None:
            return [self], 0
        table = connection.ops.quote_name(self._meta.db_table)
        ancestors = list(
            Agreement.objects.raw(
                f"""{_ancestors_cte(table)}
                    SELECT a.id, a.reference, a.title, a.signed_on, a.signed_on_precision,
                        a.parent_relation,
                        (SELECT COUNT(DISTINCT c.id) FROM chain c WHERE c.id <> %s)
                            AS chain_length
                    FROM chain JOIN {table} a ON a.id = chain.id
                    WHERE chain.depth <= %s
                    ORDER BY chain.depth DESC""",  # noqa: S608 (formats in only its own quoted table name)
                [self.pk, LINEAGE_COUNTED, self.pk, shown],
            )
        )
        chain = _once_each(ancestors, self.pk)
        length = ancestors[0].chain_length if ancestors else 0  # type: ignore[attr-defined]
        return [*chain, self], max(length - len(chain), 0)

    @property
    def end_not_recorded(self) -> bool:
        """No end date stored because none was recorded (not because there is none)."""
        return self.valid_until is None and self.valid_until_kind == EndKind.NOT_RECORDED

    @property
    def open_ended(self) -> bool:
        return self.valid_until is None and self.valid_until_kind == EndKind.OPEN

    def period_label(self) -> str:
        if self.valid_from and self.valid_until:
            return f"{self.valid_from:%d/%m/%Y} – {self.valid_until:%d/%m/%Y}"
        if self.valid_from:
            return f"{self.valid_from:%d/%m/%Y} –"
        return ""


class Signatory(models.Model):
    """Who signed or witnessed an agreement, with the office they held then."""

    class Role(models.TextChoices):
        SIGNATORY = "signatory", _("signatory")
        WITNESS = "witness", _("witness")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("agreement")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.SIGNATORY)
    position_title = models.CharField(_("position held then"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name=_("on behalf of"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "role", "id"]
        verbose_name = _("signatory or witness")
        verbose_name_plural = _("signatories and witnesses")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "person", "role"], name="signatory_once_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


def agreement_document_path(instance: AgreementDocument, filename: str) -> str:
    return f"agreements/{instance.agreement_id}/{filename}"


class AgreementDocument(models.Model):
    """A file belonging to an agreement: the signed scan, a translation, an annex."""

    class Kind(models.TextChoices):
        SIGNED_SCAN = "signed_scan", _("signed scan")
        TEXT = "text", _("text")
        TRANSLATION = "translation", _("translation")
        ANNEX = "annex", _("annex")
        OTHER = "other", _("other")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="documents", verbose_name=_("agreement")
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.SIGNED_SCAN
    )
    title = models.CharField(_("title"), max_length=255)
    language = models.CharField(_("language"), max_length=10, blank=True)
    file = models.FileField(_("file"), upload_to=agreement_document_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "kind", "title"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The download, through a view that checks the reader (never a media URL)."""
        return reverse("agreements:document_download", args=[self.pk])

    @property
    def download_name(self) -> str:
        return Path(self.file.name or "document").name


def _ancestors_cte(table: str) -> str:
    """``chain(id, depth)``: the ancestors of the agreement ``%s`` (its parent at depth
    1), at most ``%s`` deep, for ``lineage`` and ``lineage_shown``."""
    return f"""WITH RECURSIVE chain(id, depth) AS (
        SELECT parent_id, 1 FROM {table} WHERE id = %s
        UNION ALL
        SELECT a.parent_id, chain.depth + 1 FROM {table} a
        JOIN chain ON a.id = chain.id
        WHERE a.parent_id IS NOT NULL AND chain.depth < %s
    )"""  # noqa: S608 (formats in only its own quoted table name)


def _once_each(ancestors: Iterable[Agreement], own_pk: int) -> list[Agreement]:
    """The chain's agreements in order, each once, without the agreement itself (a
    damaged chain that loops names them again)."""
    chain: list[Agreement] = []
    seen = {own_pk}
    for agreement in ancestors:
        if agreement.pk not in seen:
            seen.add(agreement.pk)
            chain.append(agreement)
    return chain
