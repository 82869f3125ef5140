r"""The agreements' sheet (django-import-export resource): its columns and how a row
becomes an agreement, on the machinery every sheet shares (``common.sheetkit``; cities,
partnerships, fields and people: ``partnerships.sheet_resource``).

How a sheet is read
-------------------
* Columns have English names (``AgreementResource.COLUMNS``); a Vietnamese header row
  with the same meaning is accepted too (``HEADER_ALIASES``), matched ignoring case,
  accents and spaces.
* The natural key of an agreement is ``reference``: a row whose reference is stored
  updates that agreement; a row that would change nothing is reported unchanged and
  not written at all (no history row).
* Cities are matched on any of their names (``partnerships.sheet_lookups``). The
  partnership is the pair (home city, partner city), created if new.
* Countries: ISO code (``BY``/``BLR``) or English or Vietnamese name.
* ``kind`` and ``status``: the code, the English label or the Vietnamese label in any
  case; the Vietnamese synonyms are listed here (``KIND_SYNONYMS``…) so matching does not
  depend on the translation files. Exported as the code.
* Dates: real spreadsheet date cells, ``yyyy-mm-dd`` or ``dd/mm/yyyy`` (day first,
  always). ``signed_on`` may be partial: ``2004`` or ``12/2023`` keep their precision
  and are exported the same way.
* ``parent_reference``: an agreement already stored or anywhere in the same sheet.
  The relation is *renews* when the parent is of the same kind (a new MoU after an
  MoU), otherwise *implements* (a programme under a friendship agreement).
* ``fields``: ``;``-separated fields of cooperation, matched like cities; unknown ones
  are created.
* ``signatories``: ``;``-separated ``Name (position held then)`` entries; a witness is
  marked ``[witness]`` (or ``[chứng kiến]``) after the entry. A position nobody recorded
  is written ``(—)`` (``UNKNOWN_POSITION``); a bare name is refused with the expected
  form. People are matched by their folded full or Latin name and created when unknown.
* Escaping of list items and formulas: ``common.sheetkit.cells``.

Rows are validated one by one, then everything is written in bulk, with history, after
the last row (``common.sheetkit.writer``): on PostgreSQL the new agreements' ids are taken
up front and they are written in one batch, parents and children together; elsewhere
parents before children, in batches of 1,000. A list cell (fields, signatories) is
resolved once per distinct cell, with its notes and its error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Collection
from typing import TYPE_CHECKING, override

from django.db.models import F, Prefetch, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields as ie_fields
from simple_history.utils import bulk_update_with_history

from common.partialdate import PartialDate, Precision
from common.sheetkit.cells import (
    CellCache,
    Row,
    RowErrors,
    cell_text,
    escape_item,
    fold,
    split_hidden,
    split_list,
    unhide,
)
from common.sheetkit.queries import AnyOf
from common.sheetkit.resource import max_length, related_objects
from common.sheetkit.widgets import ChoiceWidget, DateWidget, TextWidget, clean_date, render_partial
from common.sheetkit.writer import (
    BATCH_SIZE,
    add_links,
    create_with_history,
    insert_rows_with_history,
    record_history_as,
    reserve_ids,
)
from common.text import clean_spaces
from partnerships.models import FieldOfCooperation, Person
from partnerships.sheet_resource import PartnershipSheetResource

from .models import Agreement, Signatory

if TYPE_CHECKING:
    import tablib


KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    Agreement.Kind.FRIENDSHIP: (
        "Thỏa thuận hữu nghị và hợp tác",
        "Thỏa thuận về quan hệ hữu nghị và hợp tác",
        "Thỏa thuận hữu nghị",
        "Friendship agreement",
        "Friendship and cooperation agreement",
    ),
    Agreement.Kind.COOPERATION: ("Thỏa thuận hợp tác", "Cooperation agreement"),
    Agreement.Kind.PROGRAMME: ("Chương trình hợp tác", "Chương trình", "Programme", "Program"),
    Agreement.Kind.MOU: ("Biên bản ghi nhớ", "Bản ghi nhớ", "MoU", "Memorandum of understanding"),
    Agreement.Kind.LETTER_OF_INTENT: ("Thư ý định", "Ý định thư", "LOI", "Letter of intent"),
    Agreement.Kind.ANNUAL_PLAN: (
        "Kế hoạch hằng năm",
        "Kế hoạch hàng năm",
        "Kế hoạch năm",
        "Annual plan",
    ),
}

# A document name that matches no label is classified by its head noun, the words it
# begins with (issue 12, point 6): "Thỏa thuận hợp tác về giáo dục…" is a cooperation
# agreement, "Biên bản ghi nhớ giữa…" a memorandum. Longest first; folded.
KIND_HEADS: tuple[tuple[str, str], ...] = (
    ("thoa thuan huu nghi", Agreement.Kind.FRIENDSHIP),
    ("thoa thuan ve quan he huu nghi", Agreement.Kind.FRIENDSHIP),
    ("thoa thuan thiet lap quan he huu nghi", Agreement.Kind.FRIENDSHIP),
    ("thoa thuan hop tac", Agreement.Kind.COOPERATION),
    ("thoa thuan", Agreement.Kind.COOPERATION),
    ("chuong trinh", Agreement.Kind.PROGRAMME),
    ("bien ban ghi nho", Agreement.Kind.MOU),
    ("ban ghi nho", Agreement.Kind.MOU),
    ("ke hoach", Agreement.Kind.ANNUAL_PLAN),
    ("thu y dinh", Agreement.Kind.LETTER_OF_INTENT),
    ("y dinh thu", Agreement.Kind.LETTER_OF_INTENT),
    ("friendship", Agreement.Kind.FRIENDSHIP),
    ("cooperation agreement", Agreement.Kind.COOPERATION),
    ("memorandum", Agreement.Kind.MOU),
    ("programme", Agreement.Kind.PROGRAMME),
    ("program", Agreement.Kind.PROGRAMME),
    ("letter of intent", Agreement.Kind.LETTER_OF_INTENT),
    ("annual plan", Agreement.Kind.ANNUAL_PLAN),
)

STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    Agreement.Status.DRAFT: ("Dự thảo", "Draft"),
    Agreement.Status.NEGOTIATION: ("Đang đàm phán", "Đàm phán", "Under negotiation"),
    Agreement.Status.IN_FORCE: ("Có hiệu lực", "Còn hiệu lực", "Đang có hiệu lực", "In force"),
    Agreement.Status.EXPIRED: ("Hết hạn", "Hết hiệu lực", "Đã hết hạn", "Expired"),
    Agreement.Status.TERMINATED: ("Chấm dứt", "Đã chấm dứt", "Terminated"),
    Agreement.Status.SUPERSEDED: ("Được thay thế", "Đã được thay thế", "Bị thay thế", "Superseded"),
}

WITNESS_MARKS = ("witness", "chung kien", "nguoi chung kien")
_SIGNATORY = re.compile(
    r"^(?P<name>[^()\[\]]+?)\s*(?:\((?P<title>.*)\))?\s*(?:\[(?P<role>[^\]]*)\])?$"
)


# A position written after the name instead of in brackets: "Nguyễn Văn B - Chủ tịch".
_INLINE_POSITION = re.compile(r"\s+[-–—]\s+|\s*[,:]\s+")


# A signatory whose position nobody recorded is written "Nguyễn Văn B (—)": the export
# writes the em dash, the import reads it (or a hyphen or en dash alone) as "no position".
# A bare name is refused (issue 12, point 9), so the marker is what lets such a
# signatory round-trip unchanged.
UNKNOWN_POSITION = "—"
_UNKNOWN_POSITIONS = frozenset({"—", "–", "-"})


def _expected_form(part: str) -> str:
    return gettext(
        "“%(value)s” is not “Name (position held then)”: write it as "
        "“Nguyễn Văn B (Chủ tịch UBND thành phố)”, or “Nguyễn Văn B (—)” when the "
        "position is not known."
    ) % {"value": unhide(part)}


def _name_and_title(name: str, title: str | None, notes: list[str] | None) -> tuple[str, str]:
    """The name and position of an entry; a position written after a dash (or a comma)
    instead of in brackets is taken when there is just one (and the preview says so)."""
    if title is not None:
        if title.strip() in _UNKNOWN_POSITIONS:
            return name, ""
        if not title.strip():
            raise ValueError(_expected_form(f"{name} ()"))
        return name, title
    pieces = _INLINE_POSITION.split(name)
    if len(pieces) != 2 or not all(p.strip() for p in pieces):  # noqa: PLR2004 — name, title
        raise ValueError(_expected_form(name))
    if notes is not None:
        notes.append(
            gettext("“%(value)s” read as “%(name)s (%(title)s)”.")
            % {"value": unhide(name), "name": unhide(pieces[0]), "title": unhide(pieces[1])}
        )
    return pieces[0], pieces[1]


def parse_signatories(value: object, notes: list[str] | None = None) -> list[tuple[str, str, str]]:
    """``"Trần Sỹ Thanh (Chủ tịch UBND TP Hà Nội) [witness]; …"`` → [(name, title, role)].

    ``notes`` collects what the preview should say (an entry read another way).
    """
    entries: list[tuple[str, str, str]] = []
    for part in split_hidden(value):
        entry, said = _signatory_entry(part)
        entries.append(entry)
        if notes is not None:
            notes.extend(said)
    return entries


def _signatory_entry(part: str) -> tuple[tuple[str, str, str], tuple[str, ...]]:
    """One entry of a signatories cell (escaped characters hidden): ((name, title, role),
    what the preview should say of it)."""
    match = _SIGNATORY.match(part)
    if not match:
        raise ValueError(_expected_form(part))
    notes: list[str] = []
    name, title = _name_and_title(match["name"], match["title"], notes)
    role = Signatory.Role.SIGNATORY
    if match["role"] is not None:
        if fold(match["role"]) in WITNESS_MARKS:
            role = Signatory.Role.WITNESS
        elif fold(match["role"]) not in ("signatory", "nguoi ky", "ky"):
            raise ValueError(
                gettext("“%(value)s”: write [witness] after a witness.") % {"value": part}
            )
    return (unhide(clean_spaces(name)), unhide(clean_spaces(title)), role), tuple(notes)


def _items(value: object) -> tuple[str, ...]:
    """The items of a list cell (``split_list``), as a tuple kept per distinct cell."""
    return tuple(split_list(value))


def _partial_date(value: object) -> PartialDate | None:
    return clean_date(value, partial=True)


def _signatory_entries(
    value: object, cells: CellCache
) -> tuple[tuple[tuple[str, str, str], ...], tuple[str, ...]]:
    """``parse_signatories`` of a cell: (entries, notes), each entry parsed once per
    distinct entry (``cells``: a sheet names the same people in many combinations)."""
    entries: list[tuple[str, str, str]] = []
    notes: list[str] = []
    for part in split_hidden(value):
        entry, said = cells.get("signatories (entry)", part, _signatory_entry)
        entries.append(entry)
        notes.extend(said)
    return tuple(entries), tuple(notes)


@dataclasses.dataclass
class _ListChanges:
    """What an import does to its agreements' lists (``AgreementResource._list_changes``)."""

    links: list[tuple[int, int]] = dataclasses.field(
        default_factory=list
    )  # (agreement, field) added
    unlinked: dict[int, set[int]] = dataclasses.field(
        default_factory=dict
    )  # agreement → fields removed
    signatories: list[dict[str, object]] = dataclasses.field(default_factory=list)  # new, as rows
    retitled: list[Signatory] = dataclasses.field(default_factory=list)  # stored, position changed
    unsigned: list[Signatory] = dataclasses.field(default_factory=list)  # stored, no longer listed


# What a list cell resolves to (``AgreementResource._fields_of``, ``_signatories_of``): its
# items, the preview's notes about them, and the error that stopped it ('' if none).
type Found[T] = tuple[tuple[T, ...], tuple[str, ...], str]


def _new_field_note(name: str) -> str:
    return gettext("New field of cooperation “%(name)s” will be created.") % {"name": name}


def _new_person_note(name: str) -> str:
    return gettext("New person “%(name)s” will be created.") % {"name": name}


def format_signatory(name: str, title: str, role: str) -> str:
    """An entry of the signatories cell: ``Name (position held then)``, the position
    ``UNKNOWN_POSITION`` when none was recorded, ``[witness]`` after a witness."""
    text = f"{escape_item(name)} ({escape_item(title) or UNKNOWN_POSITION})"
    return f"{text} [witness]" if role == Signatory.Role.WITNESS else text


def derived_reference(partner_city: str, signed: PartialDate, title: str) -> str:
    """The reference of a row that has none: stable, so that a re-import finds the record.

    ``<partner city>-<signing date>-<6 hex digits of the title>``, the city in ASCII
    capitals (at most 20 letters), the date as far as it is known (``20231207``,
    ``202312``, ``2023``), the digits a hash of the title folded (case, accents and
    spacing do not change it): ``MINSK-20231207-3f2a9c``.
    """
    city = slugify(fold(partner_city)).upper()[:20] or "X"
    formats: dict[str, str] = {Precision.YEAR: "%Y", Precision.MONTH: "%Y%m"}
    when = formats.get(str(signed.precision), "%Y%m%d")
    digest = hashlib.sha256(fold(title).encode()).hexdigest()[:6]
    return f"{city}-{signed.date.strftime(when)}-{digest}"


def derive_references(dataset: tablib.Dataset) -> set[str]:
    """Fill in the reference of rows without one (partner city, signing date and title
    given); the references so derived."""
    derived: set[str] = set()
    columns = list(dataset.headers or [])
    at = {name: columns.index(name) for name in ("reference", "partner_city", "signed_on", "title")}
    for index, values in enumerate(dataset):
        if cell_text(values[at["reference"]]):
            continue
        partner, title = cell_text(values[at["partner_city"]]), cell_text(values[at["title"]])
        try:
            signed = clean_date(values[at["signed_on"]], partial=True)
        except ValueError:
            continue  # the row's error names the date
        if partner and title and signed:
            row = list(values)
            row[at["reference"]] = derived_reference(partner, signed, title)
            dataset[index] = row
            derived.add(row[at["reference"]])
    return derived


class AgreementResource(PartnershipSheetResource[Agreement]):
    COLUMNS = (
        "reference",
        "home_city",
        "home_country",
        "partner_city",
        "partner_country",
        "kind",
        "title",
        "signed_on",
        "signed_at",
        "valid_from",
        "valid_until",
        "status",
        "parent_reference",
        "fields",
        "signatories",
        "notes",
    )
    HEADER_ALIASES = {
        "reference": ("Số hiệu", "Số hiệu văn bản", "Mã văn bản", "Mã tham chiếu"),
        "home_city": ("Thành phố của ta", "Thành phố phía ta", "Địa phương"),
        "home_country": ("Quốc gia của ta", "Nước của ta"),
        "partner_city": ("Thành phố đối tác", "Địa phương đối tác"),
        "partner_country": ("Quốc gia đối tác", "Nước đối tác"),
        "kind": ("Loại văn bản", "Loại"),
        "title": ("Tên văn bản", "Tiêu đề", "Tên"),
        "signed_on": ("Ngày ký",),
        "signed_at": ("Nơi ký", "Địa điểm ký"),
        "valid_from": ("Hiệu lực từ", "Có hiệu lực từ", "Ngày hiệu lực"),
        "valid_until": ("Hiệu lực đến", "Có hiệu lực đến", "Ngày hết hiệu lực"),
        "status": ("Tình trạng", "Trạng thái"),
        "parent_reference": ("Văn bản gốc", "Số hiệu văn bản gốc", "Thực hiện hoặc gia hạn"),
        "fields": ("Lĩnh vực hợp tác", "Lĩnh vực"),
        "signatories": ("Người ký", "Người ký và chứng kiến"),
        "notes": ("Ghi chú",),
    }
    ERROR_COLUMNS = {
        "partnership": "partner_city",
        "parent": "parent_reference",
        "parent_relation": "parent_reference",
        "signed_on_precision": "signed_on",
        "title_en": "title",
    }
    FK_FIELDS = ("partnership", "parent")
    # Replaced on update; restored by a revert (common/sheetkit/resource.py, list_snapshot).
    LIST_FIELDS = ("fields",)
    LIST_CHILDREN = {"signatories": ("person_id", "role", "position_title", "organisation_id")}
    KEY_COLUMNS = ("reference",)
    # What identifies an agreement; every other column may be absent (issue 12, point 4).
    REQUIRED_COLUMNS = ("partner_city", "title")
    DATE_COLUMNS = ("signed_on", "valid_from", "valid_until")
    CHOICE_COLUMNS = {
        "kind": (Agreement.Kind, KIND_SYNONYMS),
        "status": (Agreement.Status, STATUS_SYNONYMS),
    }
    EXAMPLE = {
        "reference": "HN-MSK-CT-2024-2026",
        "home_city": "Hà Nội",
        "home_country": "VN",
        "partner_city": "Minsk",
        "partner_country": "BY",
        "kind": "programme",
        "title": "Chương trình hợp tác giữa thành phố Hà Nội và thành phố Minsk giai đoạn 2024-2026",
        "signed_on": "07/12/2023",
        "signed_at": "Hà Nội",
        "valid_from": "01/01/2024",
        "valid_until": "31/12/2026",
        "status": "in_force",
        "parent_reference": "HN-MSK-2004",
        "fields": "Văn hóa; Giáo dục; Du lịch",
        "signatories": "Trần Sỹ Thanh (Chủ tịch UBND thành phố Hà Nội) [witness]",
        "notes": "",
    }

    reference = ie_fields.Field(attribute="reference", column_name="reference", widget=TextWidget())
    kind = ie_fields.Field(
        attribute="kind",
        column_name="kind",
        widget=ChoiceWidget(
            Agreement.Kind, KIND_SYNONYMS, what=_("kind of agreement"), heads=KIND_HEADS
        ),
    )
    title = ie_fields.Field(attribute="title", column_name="title", widget=TextWidget())
    signed_at = ie_fields.Field(attribute="signed_at", column_name="signed_at", widget=TextWidget())
    valid_from = ie_fields.Field(
        attribute="valid_from", column_name="valid_from", widget=DateWidget()
    )
    valid_until = ie_fields.Field(
        attribute="valid_until", column_name="valid_until", widget=DateWidget()
    )
    status = ie_fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(Agreement.Status, STATUS_SYNONYMS, what=_("status")),
    )
    notes = ie_fields.Field(
        attribute="notes", column_name="notes", widget=TextWidget(multiline=True)
    )

    class Meta:
        model = Agreement
        fields = (
            "reference",
            "kind",
            "title",
            "signed_at",
            "valid_from",
            "valid_until",
            "status",
            "notes",
        )
        import_id_fields = ("reference",)
        use_bulk = True
        batch_size = BATCH_SIZE
        skip_diff = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    @override
    @classmethod
    def missing_columns(cls, present: Collection[str]) -> list[str]:
        missing = super().missing_columns(present)
        if "reference" not in present and "signed_on" not in present:
            missing.append("reference / signed_on")
        return missing

    # -- loading --------------------------------------------------------------------
    @override
    def prepare(self, dataset: tablib.Dataset) -> None:
        self._title_max = max_length(Signatory, "position_title")
        self._parse_signatories = functools.partial(_signatory_entries, cells=self.cells)
        self.derived_refs = derive_references(dataset)
        refs: dict[str, list[int]] = defaultdict(list)
        parents: set[str] = set()
        self.sheet_kinds: dict[str, str] = {}
        kind_widget = self.fields["kind"].widget
        columns = list(dataset.headers or [])
        at_ref, at_kind, at_parent = (
            columns.index(c) for c in ("reference", "kind", "parent_reference")
        )
        for number, values in enumerate(dataset, 1):
            ref = cell_text(values[at_ref])
            if ref:
                refs[ref].append(number)
                with contextlib.suppress(ValueError):
                    self.sheet_kinds[ref] = self.cells.get(
                        "kind", values[at_kind], kind_widget.clean
                    )
            if parent := cell_text(values[at_parent]):
                parents.add(parent)
        for ref, numbers in refs.items():
            for number in numbers[1:]:
                self.row_errors[number] = {
                    "reference": gettext(
                        "“%(ref)s” is already used by an earlier row of the sheet."
                    )
                    % {"ref": ref}
                }
        self.sheet_refs = set(refs)
        self.stored = self._load_agreements(set(refs) | parents)

    def _load_agreements(self, references: set[str]) -> dict[str, Agreement]:
        """The agreements named in the sheet and every ancestor of theirs, parents wired.

        Their partnership, fields and signatories' people are taken from the look-ups
        (already loaded for the rows) rather than joined or prefetched: ten thousand
        stored agreements then cost a few light queries and no duplicate objects.
        """
        refs = [r for r in references if r]
        # Unordered: the model's ordering would only sort what becomes a dict.
        by_pk = {a.pk: a for a in Agreement.objects.filter(AnyOf(F("reference"), refs)).order_by()}
        named = list(by_pk)
        missing = {a.parent_id for a in by_pk.values() if a.parent_id} - set(by_pk)
        while missing:
            found = {a.pk: a for a in Agreement.objects.filter(AnyOf(F("pk"), missing)).order_by()}
            by_pk.update(found)
            missing = {a.parent_id for a in found.values() if a.parent_id} - set(by_pk)
        parent_field = Agreement._meta.get_field("parent")
        partnership_field = Agreement._meta.get_field("partnership")
        partnerships = self.lookups.partnerships_by_pk()
        for a in by_pk.values():
            parent_field.set_cached_value(a, by_pk.get(a.parent_id) if a.parent_id else None)
            partnership_field.set_cached_value(a, partnerships[a.partnership_id])
            a._stored_fields, a._stored_signatories = [], []
        if named:
            fields = self.lookups.fields_by_pk()
            links = Agreement.fields.through.objects.filter(AnyOf(F("agreement_id"), named))
            for agreement_id, field_id in links.values_list(
                "agreement_id", "fieldofcooperation_id"
            ):
                by_pk[agreement_id]._stored_fields.append(fields[field_id])
            signatures = Signatory.objects.filter(AnyOf(F("agreement_id"), named)).order_by(
                "role", "id"
            )
            if signatures:
                people = self.lookups.people_by_pk()
                person_field = Signatory._meta.get_field("person")
                for signature in signatures:
                    person_field.set_cached_value(signature, people[signature.person_id])
                    by_pk[signature.agreement_id]._stored_signatories.append(signature)
        return {a.reference: a for a in by_pk.values()}

    @override
    def existing_instance(self, row: Row) -> Agreement | None:
        return self.stored.get(cell_text(row.get("reference")))

    # -- one row ----------------------------------------------------------------------
    @override
    def fill(self, instance: Agreement, row: Row, errors: RowErrors) -> None:
        kept = self.kept_columns(instance, row)
        for name in (
            "reference",
            "kind",
            "title",
            "signed_at",
            "valid_from",
            "valid_until",
            "status",
            "notes",
        ):
            field = self.fields[name]
            # The reference is the key (derived when the sheet has none): never kept.
            if name != "reference" and field.column_name in kept:
                continue
            if isinstance(field.widget, ChoiceWidget):
                self.classify(field.widget, name, row)
            try:
                self.save_cell(instance, name, row)
            except ValueError as e:
                errors.setdefault(field.column_name, str(e))
        if not instance.reference:
            errors.setdefault(
                "reference", gettext("Give the agreement's reference or its signing date.")
            )
        elif instance.reference in self.derived_refs:
            self.note(
                gettext("No reference in the sheet: “%(ref)s” derived from the row.")
                % {"ref": instance.reference}
            )
        self._fill_signed_on(instance, row, errors, kept)
        if not (instance.partnership_id and "partner_city" in kept):
            partnership = self.partnership_from(row, errors)
            if partnership is not None:
                instance.partnership = partnership
        self._fill_parent(instance, row, errors, kept)
        self._fill_fields(instance, row, errors, kept)
        self._fill_signatories(instance, row, errors, kept)

    def _fill_signed_on(
        self, instance: Agreement, row: Row, errors: RowErrors, kept: Collection[str]
    ) -> None:
        if "signed_on" in kept:
            return
        try:
            signed = self.cells.get("signed_on", row.get("signed_on"), _partial_date)
        except ValueError as e:
            errors["signed_on"] = str(e)
        else:
            instance.signed_on = signed.date if signed else None
            instance.signed_on_precision = signed.precision if signed else Precision.DAY

    def _fill_parent(
        self, instance: Agreement, row: Row, errors: RowErrors, kept: Collection[str]
    ) -> None:
        instance._pending_parent = None
        if "parent_reference" in kept:
            return
        ref = cell_text(row.get("parent_reference"))
        if not ref:
            instance.parent, instance.parent_relation = None, ""
            return
        if ref == instance.reference:
            errors["parent_reference"] = gettext("An agreement cannot implement or renew itself.")
            return
        parent_kind = self.sheet_kinds.get(ref)
        if ref in self.stored:
            parent = self.stored[ref]
            instance.parent = parent
            parent_kind = parent_kind or parent.kind
        elif ref in self.sheet_refs:
            # Created by this same sheet: linked (with its relation) once it is written.
            instance.parent, instance.parent_relation = None, ""
            instance._pending_parent = ref
            instance._pending_relation = (
                Agreement.Relation.RENEWS
                if parent_kind == instance.kind
                else Agreement.Relation.IMPLEMENTS
            )
            return
        else:
            errors["parent_reference"] = gettext(
                "“%(ref)s” is neither a stored agreement nor a row of this sheet."
            ) % {"ref": ref}
            return
        instance.parent_relation = (
            Agreement.Relation.RENEWS
            if parent_kind == instance.kind
            else Agreement.Relation.IMPLEMENTS
        )

    def _fill_fields(
        self, instance: Agreement, row: Row, errors: RowErrors, kept: Collection[str]
    ) -> None:
        stored = related_objects(instance, "fields") if instance.pk else []
        if "fields" in kept:
            instance._import_fields = list(stored)
            return
        chosen, notes, error = self.cells.get("fields (found)", row.get("fields"), self._fields_of)
        for note in notes:
            self.note(note)
        if error:
            errors["fields"] = error
        instance._import_fields = list(chosen)
        removed = [f.name for f in stored if f not in chosen]
        if removed:
            self.note(
                gettext("This update removes the fields: %(names)s.")
                % {"names": "; ".join(removed)}
            )

    def _fields_of(self, cell: object) -> Found[FieldOfCooperation]:
        """The fields of cooperation a ``fields`` cell names (found, or new), what the
        preview says of them and the error ('' if none): once per distinct cell, since what
        the look-ups give for a name stays the same during an import."""
        chosen: list[FieldOfCooperation] = []
        notes: list[str] = []
        try:
            for name in self.cells.get("fields (items)", cell, _items):
                f = self.lookups.field(name)
                if f not in chosen:
                    chosen.append(f)
                if self.lookups.is_new(f):
                    notes.append(self.cells.get("fields (new)", f.name, _new_field_note))
        except ValueError as e:
            return tuple(chosen), tuple(notes), str(e)
        return tuple(chosen), tuple(notes), ""

    def _fill_signatories(
        self, instance: Agreement, row: Row, errors: RowErrors, kept: Collection[str]
    ) -> None:
        stored = [
            (s.person, s.position_title, s.role)
            for s in (related_objects(instance, "signatories") if instance.pk else [])
        ]
        if "signatories" in kept:
            instance._import_signatories = stored
            return
        chosen, notes, error = self.cells.get(
            "signatories (found)", row.get("signatories"), self._signatories_of
        )
        for note in notes:
            self.note(note)
        if error:
            errors["signatories"] = error
        instance._import_signatories = list(chosen)
        kept_entries = {(p.pk, r) for p, _t, r in chosen}
        removed = [
            format_signatory(p.full_name, t, r)
            for p, t, r in stored
            if (p.pk, r) not in kept_entries
        ]
        if removed:
            self.note(
                gettext("This update removes the signatories: %(names)s.")
                % {"names": "; ".join(removed)}
            )

    def _signatories_of(self, cell: object) -> Found[tuple[Person, str, str]]:
        """The (person, position, role) entries of a ``signatories`` cell (people found,
        or new), what the preview says of them and the error ('' if none): once per
        distinct cell, like ``_fields_of``."""
        chosen: list[tuple[Person, str, str]] = []
        notes: list[str] = []
        title_max = self._title_max
        try:
            entries, said = self.cells.get("signatories", cell, self._parse_signatories)
            notes.extend(said)
            for name, title, role in entries:
                if len(title) > title_max:
                    raise ValueError(
                        gettext("The position “%(value)s…” is too long.") % {"value": title[:40]}
                    )
                person = self.lookups.person(name)
                if self.lookups.is_new(person):
                    notes.append(self.cells.get("people (new)", person.full_name, _new_person_note))
                if any(p is person and r == role for p, _t, r in chosen):
                    raise ValueError(gettext("“%(name)s” is listed twice.") % {"name": name})
                chosen.append((person, title, role))
        except ValueError as e:
            return tuple(chosen), tuple(notes), str(e)
        return tuple(chosen), tuple(notes), ""

    # -- export (also what a row is compared by) ----------------------------------------
    @override
    def export_row(self, instance: Agreement) -> dict[str, str]:
        row = {
            "reference": instance.reference or "",
            "kind": instance.kind or "",
            "title": instance.title or "",
            "signed_on": render_partial(instance.signed_on, instance.signed_on_precision),
            "signed_at": instance.signed_at or "",
            "valid_from": instance.valid_from.strftime("%d/%m/%Y") if instance.valid_from else "",
            "valid_until": (
                instance.valid_until.strftime("%d/%m/%Y") if instance.valid_until else ""
            ),
            "status": instance.status or "",
            "notes": instance.notes or "",
        }
        row.update(
            self.export_partnership(
                getattr(instance, "partnership", None) if instance.partnership_id else None
            )
        )
        pending = getattr(instance, "_pending_parent", None)
        if pending:
            row["parent_reference"] = pending
        else:
            parent = instance.parent if instance.parent_id else None
            row["parent_reference"] = parent.reference if parent else ""
        if hasattr(instance, "_import_fields"):
            chosen = instance._import_fields
        else:
            chosen = related_objects(instance, "fields") if instance.pk else []
        row["fields"] = "; ".join(
            escape_item(n) for n in sorted((f.name for f in chosen), key=fold)
        )
        if hasattr(instance, "_import_signatories"):
            people = [(p.full_name, t, r) for p, t, r in instance._import_signatories]
        elif instance.pk:
            people = [
                (s.person.full_name, s.position_title, s.role)
                for s in related_objects(instance, "signatories")
            ]
        else:
            people = []
        row["signatories"] = "; ".join(
            format_signatory(*entry) for entry in sorted(people, key=lambda e: (e[2], fold(e[0])))
        )
        return row

    def export_queryset(self, queryset: QuerySet[Agreement]) -> QuerySet[Agreement]:
        return (
            queryset.select_related("partnership__home_city", "partnership__partner_city", "parent")
            .prefetch_related(
                "fields",
                Prefetch(
                    "signatories",
                    queryset=Signatory.objects.select_related("person").order_by("role", "id"),
                ),
            )
            .order_by("reference")
        )

    # -- the whole sheet ----------------------------------------------------------------
    @override
    def check_sheet(self) -> dict[int, RowErrors]:
        """No chain of parents may loop back (A renews B renews A)."""
        parent_of: dict[str, str | None] = {
            ref: (a.parent.reference if a.parent_id and a.parent else None)
            for ref, a in self.stored.items()
        }
        number_of: dict[str, int] = {}
        for instance, _new, number in self.pending:
            parent_of[instance.reference] = instance._pending_parent or (
                instance.parent.reference if instance.parent_id and instance.parent else None
            )
            number_of[instance.reference] = number
        errors: dict[int, RowErrors] = {}
        for ref, number in number_of.items():
            seen, current = {ref}, parent_of.get(ref)
            while current is not None:
                if current in seen:
                    errors[number] = {
                        "parent_reference": gettext(
                            "An agreement cannot implement or renew itself, even indirectly."
                        )
                    }
                    break
                seen.add(current)
                current = parent_of.get(current)
        return errors

    @override
    def write(self, created: list[Agreement], updated: list[Agreement]) -> None:
        by_ref = {a.reference: a for a in created}
        planned: list[_ListChanges] = []

        def plan_lists() -> None:
            planned.append(self._list_changes(created, updated))

        if reserve_ids(created, Agreement):
            # Their ids known up front (PostgreSQL, where the parent is checked at the
            # commit): parents and children in one batch, and what their lists add is
            # worked out while the database writes them.
            for a in created:
                self._link_parent(a, by_ref)
            create_with_history(created, Agreement, self.user, reserved=True, meanwhile=plan_lists)
        else:
            self._create_by_level(created, by_ref)
            plan_lists()
        for a in updated:
            self._link_parent(a, by_ref)
        if updated:
            bulk_update_with_history(
                updated,
                Agreement,
                fields=[
                    "partnership",
                    "kind",
                    "title",
                    "signed_on",
                    "signed_on_precision",
                    "signed_at",
                    "valid_from",
                    "valid_until",
                    "status",
                    "parent",
                    "parent_relation",
                    "notes",
                    "version",
                    "updated_at",
                ],
                batch_size=BATCH_SIZE,
                default_user=self.user,
            )
        self._write_lists(planned[0])

    def _create_by_level(self, created: list[Agreement], by_ref: dict[str, Agreement]) -> None:
        """Parents before children, where ids are given as records are written: level n
        holds the agreements whose parent is at level n-1."""
        level: dict[str, int] = {}

        def depth(a: Agreement) -> int:
            if a.reference not in level:
                parent = by_ref.get(a._pending_parent) if a._pending_parent else None
                level[a.reference] = 0 if parent is None else depth(parent) + 1
            return level[a.reference]

        levels: dict[int, list[Agreement]] = defaultdict(list)
        for a in created:
            levels[depth(a)].append(a)
        for n in sorted(levels):
            batch = levels[n]
            for a in batch:
                self._link_parent(a, by_ref)
            create_with_history(batch, Agreement, self.user)

    def _link_parent(self, a: Agreement, by_ref: dict[str, Agreement]) -> None:
        if a._pending_parent:
            a.parent = by_ref[a._pending_parent]
            a.parent_relation = a._pending_relation

    def _list_changes(self, created: list[Agreement], updated: list[Agreement]) -> _ListChanges:
        """What the agreements' fields and signatories add, change and remove (their ids
        known; no query: the stored lists were loaded with the agreements)."""
        changes = _ListChanges()
        stored = {id(a) for a in updated}
        for a in [*created, *updated]:
            is_stored = id(a) in stored
            wanted = {f.pk for f in a._import_fields}
            have = {f.pk for f in related_objects(a, "fields")} if is_stored else set()
            changes.links += [(a.pk, pk) for pk in wanted - have]
            if have - wanted:
                changes.unlinked[a.pk] = have - wanted
            self._signatory_changes(a, changes, stored=is_stored)
        return changes

    @staticmethod
    def _signatory_changes(a: Agreement, changes: _ListChanges, *, stored: bool) -> None:
        have = (
            {(s.person_id, s.role): s for s in related_objects(a, "signatories")} if stored else {}
        )
        wanted = {(p.pk, r): (p, t) for p, t, r in a._import_signatories}
        for key, (person, title) in wanted.items():
            if key not in have:
                # New signatories as plain rows: only ever copied to the table.
                changes.signatories.append(
                    {
                        "agreement_id": a.pk,
                        "person_id": person.pk,
                        "role": key[1],
                        "position_title": title,
                    }
                )
            elif have[key].position_title != title:
                have[key].position_title = title
                changes.retitled.append(have[key])
        changes.unsigned += [s for key, s in have.items() if key not in wanted]

    def _write_lists(self, changes: _ListChanges) -> None:
        through = Agreement.fields.through
        for agreement_id, field_ids in changes.unlinked.items():
            through._default_manager.filter(
                agreement_id=agreement_id, fieldofcooperation_id__in=field_ids
            ).delete()
        add_links(through, changes.links, ("agreement_id", "fieldofcooperation_id"))
        for s in changes.unsigned:
            record_history_as(s, self.user)
            s.delete()
        insert_rows_with_history(Signatory, changes.signatories, self.user)
        if changes.retitled:
            bulk_update_with_history(
                changes.retitled,
                Signatory,
                fields=["position_title"],
                batch_size=BATCH_SIZE,
                default_user=self.user,
            )
