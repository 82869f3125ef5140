"""Spreadsheet sheets for delegation visits and action items (same rules as agreements).

Natural keys (no reference number exists for visits and action items in the office's
books, so none is invented):

* a visit is its partnership (home city + partner city), its title and its start date
  as known (``2025``, ``05/2025`` or ``11/05/2025``), titles compared ignoring case,
  accents and spaces. Changing a visit's title or start date in the sheet therefore
  creates a new visit: correct those in the workspace.
* an action item is its partnership, the visit it was agreed at (``visit_title`` +
  ``visit_start_date``) and/or the agreement (``agreement_reference``), and its
  description (compared folded). The visit or agreement must already be stored
  (import the visits first).

Cities, countries, dates, choices and fields of cooperation are read exactly as in the
agreement sheet (``common.sheetkit``, ``partnerships.sheet_resource``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, override

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields as ie_fields
from simple_history.utils import bulk_update_with_history

from agreements.models import Agreement
from common.models import Record
from common.partialdate import Precision
from common.sheetkit.cells import Row, RowErrors, cell_text, escape_item, fold, split_list
from common.sheetkit.widgets import ChoiceWidget, DateWidget, TextWidget, clean_date, render_partial
from common.sheetkit.writer import BATCH_SIZE, add_links, create_with_history
from partnerships.sheet_resource import PartnershipSheetResource

from .models import ActionItem, Visit

if TYPE_CHECKING:
    import tablib

# A visit by (partnership id, folded title, start date as written); an action item by
# (partnership id, visit id, agreement id, folded description).
type VisitKey = tuple[int, str, str]
type ActionItemKey = tuple[int, int | None, int | None, str]

PLACE_COLUMNS = ("home_city", "home_country", "partner_city", "partner_country")
PLACE_ALIASES = {
    "home_city": ("Thành phố của ta", "Thành phố phía ta", "Địa phương"),
    "home_country": ("Quốc gia của ta", "Nước của ta"),
    "partner_city": ("Thành phố đối tác", "Địa phương đối tác"),
    "partner_country": ("Quốc gia đối tác", "Nước đối tác"),
}

DIRECTION_SYNONYMS: dict[str, tuple[str, ...]] = {
    Visit.Direction.INCOMING: ("Đoàn vào", "Đón đoàn", "Incoming", "vào"),
    Visit.Direction.OUTGOING: ("Đoàn ra", "Outgoing", "ra"),
    Visit.Direction.ONLINE: ("Trực tuyến", "Hội đàm trực tuyến", "Online", "Online meeting"),
}
VISIT_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    Visit.Status.PLANNED: ("Dự kiến", "Kế hoạch", "Theo kế hoạch", "Planned"),
    Visit.Status.CONFIRMED: ("Đã xác nhận", "Xác nhận", "Confirmed"),
    Visit.Status.COMPLETED: ("Đã hoàn thành", "Hoàn thành", "Đã diễn ra", "Completed"),
    Visit.Status.CANCELLED: ("Đã hủy", "Hủy", "Hủy bỏ", "Cancelled", "Canceled"),
}
ACTION_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    ActionItem.Status.PROPOSED: ("Đề xuất", "Proposed"),
    ActionItem.Status.AGREED: ("Đã thống nhất", "Thống nhất", "Đã thỏa thuận", "Agreed"),
    ActionItem.Status.IN_PROGRESS: ("Đang thực hiện", "Đang triển khai", "In progress"),
    ActionItem.Status.DONE: ("Đã hoàn thành", "Hoàn thành", "Xong", "Done"),
    ActionItem.Status.DROPPED: ("Hủy bỏ", "Không thực hiện", "Dừng", "Dropped"),
}
PRIORITY_NAMES: dict[int, str] = {
    ActionItem.Priority.LOW: "low",
    ActionItem.Priority.NORMAL: "normal",
    ActionItem.Priority.HIGH: "high",
}
PRIORITY_SYNONYMS: dict[int, tuple[str, ...]] = {
    ActionItem.Priority.LOW: ("low", "thấp", "1"),
    ActionItem.Priority.NORMAL: ("normal", "bình thường", "trung bình", "2"),
    ActionItem.Priority.HIGH: ("high", "cao", "3"),
}


def visit_key(partnership_id: int, title: str, start: str) -> VisitKey:
    return (partnership_id, fold(title), start)


class DelegationSheet[M: Record, K](PartnershipSheetResource[M]):
    """What the visit and action-item sheets share: loading by partnership, bulk writes.

    ``K`` is the natural key of a record (``key_of``).
    """

    WRITE_FIELDS: tuple[str, ...] = ()

    @override
    def existing_instance(self, row: Row) -> M | None:
        key = self.key_of(row)
        return None if key is None else self.stored.get(key)

    def key_of(self, row: Row) -> K | None:
        raise NotImplementedError

    def load_stored(self) -> dict[K, M]:
        """The stored records of the sheet's partnerships, by key."""
        raise NotImplementedError

    @override
    def prepare(self, dataset: tablib.Dataset) -> None:
        rows = list(dataset.dict)
        self.partnership_ids = {
            p.pk for p in (self.lookups.find_partnership(r) for r in rows) if p is not None
        }
        self.stored = self.load_stored()
        seen: dict[K, int] = {}
        for number, row in enumerate(rows, 1):
            key = self.key_of(row)
            if key is None:
                continue
            if key in seen:
                self.row_errors[number] = {
                    NON_FIELD_KEY: gettext("This row repeats row %(row)s of the sheet.")
                    % {"row": seen[key] + 1}
                }
            else:
                seen[key] = number

    @override
    def write(self, created: list[M], updated: list[M]) -> None:
        model = self._meta.model
        create_with_history(created, model, self.user)
        if updated:
            bulk_update_with_history(
                updated,
                model,
                fields=[*self.WRITE_FIELDS, "version", "updated_at"],
                batch_size=BATCH_SIZE,
                default_user=self.user,
            )


NON_FIELD_KEY = ""


class VisitResource(DelegationSheet[Visit, VisitKey]):
    COLUMNS = (
        *PLACE_COLUMNS,
        "direction",
        "title",
        "start_date",
        "end_date",
        "date_note",
        "place",
        "status",
        "purpose",
        "outcomes",
        "notes",
        "agreements_signed",
    )
    HEADER_ALIASES = {
        **PLACE_ALIASES,
        "direction": ("Hình thức", "Loại đoàn", "Chiều"),
        "title": ("Tên đoàn", "Tiêu đề", "Tên"),
        "start_date": ("Ngày bắt đầu", "Từ ngày", "Ngày đến"),
        "end_date": ("Ngày kết thúc", "Đến ngày", "Ngày về"),
        "date_note": ("Ghi chú thời gian", "Thời gian theo nguồn"),
        "place": ("Địa điểm",),
        "status": ("Tình trạng", "Trạng thái"),
        "purpose": ("Mục đích",),
        "outcomes": ("Kết quả",),
        "notes": ("Ghi chú",),
        "agreements_signed": ("Văn bản đã ký", "Văn bản ký kết"),
    }
    ERROR_COLUMNS = {"partnership": "partner_city", "start_date_precision": "start_date"}
    FK_FIELDS = ("partnership",)
    # Replaced on update; restored by a revert (common/sheetkit/resource.py, list_snapshot).
    LIST_FIELDS = ("agreements_signed",)
    KEY_COLUMNS = ("partner_city", "title", "start_date")
    # What identifies a visit; the other columns may be absent (left as they are).
    REQUIRED_COLUMNS = ("partner_city", "direction", "title", "start_date")
    # Checked for date cells an office suite read month-first (sheets/dates.py).
    DATE_COLUMNS = ("start_date", "end_date")
    CHOICE_COLUMNS = {
        "direction": (Visit.Direction, DIRECTION_SYNONYMS),
        "status": (Visit.Status, VISIT_STATUS_SYNONYMS),
    }
    WRITE_FIELDS = (
        "partnership",
        "direction",
        "title",
        "start_date",
        "start_date_precision",
        "end_date",
        "date_note",
        "place",
        "status",
        "purpose",
        "outcomes",
        "notes",
    )
    EXAMPLE = {
        "home_city": "Hà Nội",
        "home_country": "VN",
        "partner_city": "Minsk",
        "partner_country": "BY",
        "direction": "outgoing",
        "title": "Đoàn đại biểu thành phố Hà Nội thăm và làm việc tại thành phố Minsk",
        "start_date": "11/05/2025",
        "end_date": "13/05/2025",
        "date_note": "",
        "place": "Minsk",
        "status": "completed",
        "purpose": "",
        "outcomes": "",
        "notes": "",
        "agreements_signed": "",
    }

    direction = ie_fields.Field(
        attribute="direction",
        column_name="direction",
        widget=ChoiceWidget(Visit.Direction, DIRECTION_SYNONYMS, what=_("direction")),
    )
    title = ie_fields.Field(attribute="title", column_name="title", widget=TextWidget())
    end_date = ie_fields.Field(attribute="end_date", column_name="end_date", widget=DateWidget())
    date_note = ie_fields.Field(attribute="date_note", column_name="date_note", widget=TextWidget())
    place = ie_fields.Field(attribute="place", column_name="place", widget=TextWidget())
    status = ie_fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(Visit.Status, VISIT_STATUS_SYNONYMS, what=_("status")),
    )
    purpose = ie_fields.Field(
        attribute="purpose", column_name="purpose", widget=TextWidget(multiline=True)
    )
    outcomes = ie_fields.Field(
        attribute="outcomes", column_name="outcomes", widget=TextWidget(multiline=True)
    )
    notes = ie_fields.Field(
        attribute="notes", column_name="notes", widget=TextWidget(multiline=True)
    )

    class Meta:
        model = Visit
        fields = (
            "direction",
            "title",
            "end_date",
            "date_note",
            "place",
            "status",
            "purpose",
            "outcomes",
            "notes",
        )
        import_id_fields = ()
        use_bulk = True
        batch_size = BATCH_SIZE
        skip_diff = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    SIMPLE = (
        "direction",
        "title",
        "end_date",
        "date_note",
        "place",
        "status",
        "purpose",
        "outcomes",
        "notes",
    )

    @override
    def get_import_id_fields(self) -> list[str]:
        return []

    @override
    def _check_import_id_fields(self, headers: list[str]) -> None:
        return None

    @override
    def key_of(self, row: Row) -> VisitKey | None:
        partnership = self.lookups.find_partnership(row)
        title = cell_text(row.get("title"))
        if partnership is None or not title:
            return None
        try:
            start = clean_date(row.get("start_date"), partial=True)
        except ValueError:
            return None
        return visit_key(partnership.pk, title, start.format() if start else "")

    @override
    def load_stored(self) -> dict[VisitKey, Visit]:
        visits = (
            Visit.objects.filter(partnership_id__in=self.partnership_ids)
            .select_related("partnership__home_city", "partnership__partner_city")
            .prefetch_related(
                Prefetch("agreements_signed", queryset=Agreement.objects.only("id", "reference"))
            )
        )
        return {
            visit_key(
                v.partnership_id, v.title, render_partial(v.start_date, v.start_date_precision)
            ): v
            for v in visits
        }

    @override
    def prepare(self, dataset: tablib.Dataset) -> None:
        super().prepare(dataset)
        refs = {ref for row in dataset.dict for ref in split_list(row.get("agreements_signed"))}
        self.agreements = {
            a.reference: a
            for a in Agreement.objects.filter(reference__in=refs).only("id", "reference")
        }

    @override
    def fill(self, instance: Visit, row: Row, errors: RowErrors) -> None:
        for name in self.SIMPLE:
            field = self.fields[name]
            if self.keeps(instance, row, field.column_name):  # absent, or blank on update
                continue
            try:
                field.save(instance, row)
            except ValueError as e:
                errors.setdefault(field.column_name, str(e))
        if not instance.title:
            errors.setdefault("title", gettext("Give the visit's title."))
        try:
            start = clean_date(row.get("start_date"), partial=True)
        except ValueError as e:
            errors["start_date"] = str(e)
        else:
            instance.start_date = start.date if start else None
            instance.start_date_precision = start.precision if start else Precision.DAY
        partnership = self.partnership_from(row, errors)
        if partnership is not None:
            instance.partnership = partnership
        self._fill_agreements(instance, row, errors)

    def _fill_agreements(self, instance: Visit, row: Row, errors: RowErrors) -> None:
        if self.keeps(instance, row, "agreements_signed"):
            stored = instance.agreements_signed.all() if instance.pk else []
            instance._import_agreements = list(stored)
            return
        chosen: list[Agreement] = []
        for ref in split_list(row.get("agreements_signed")):
            if ref not in self.agreements:
                errors["agreements_signed"] = gettext("“%(ref)s” is not a stored agreement.") % {
                    "ref": ref
                }
                break
            chosen.append(self.agreements[ref])
        instance._import_agreements = chosen

    @override
    def export_row(self, instance: Visit) -> dict[str, str]:
        row = {name: self.fields[name].export(instance) for name in self.SIMPLE}
        row["start_date"] = render_partial(instance.start_date, instance.start_date_precision)
        row.update(
            self.export_partnership(instance.partnership if instance.partnership_id else None)
        )
        if hasattr(instance, "_import_agreements"):
            signed = instance._import_agreements
        else:
            signed = list(instance.agreements_signed.all()) if instance.pk else []
        row["agreements_signed"] = "; ".join(
            escape_item(reference) for reference in sorted(a.reference for a in signed)
        )
        return row

    def export_queryset(self, queryset: QuerySet[Visit]) -> QuerySet[Visit]:
        return queryset.select_related(
            "partnership__home_city", "partnership__partner_city"
        ).prefetch_related(
            Prefetch("agreements_signed", queryset=Agreement.objects.only("id", "reference"))
        )

    @override
    def write(self, created: list[Visit], updated: list[Visit]) -> None:
        super().write(created, updated)
        through = Visit.agreements_signed.through
        stored = {id(v) for v in updated}
        add: list[tuple[int, int]] = []
        remove: dict[int, set[int]] = defaultdict(set)
        for v in [*created, *updated]:
            wanted = {a.pk for a in v._import_agreements}
            have = {a.pk for a in v.agreements_signed.all()} if id(v) in stored else set()
            add += [(v.pk, pk) for pk in wanted - have]
            if have - wanted:
                remove[v.pk] = have - wanted
        for visit_id, agreement_ids in remove.items():
            through._default_manager.filter(
                visit_id=visit_id, agreement_id__in=agreement_ids
            ).delete()
        add_links(through, add, ("visit_id", "agreement_id"))


class ActionItemResource(DelegationSheet[ActionItem, ActionItemKey]):
    COLUMNS = (
        *PLACE_COLUMNS,
        "visit_title",
        "visit_start_date",
        "agreement_reference",
        "description",
        "field",
        "owner_organisation",
        "owner_person",
        "due_on",
        "status",
        "priority",
    )
    HEADER_ALIASES = {
        **PLACE_ALIASES,
        "visit_title": ("Đoàn", "Tên đoàn"),
        "visit_start_date": ("Ngày bắt đầu của đoàn", "Ngày đoàn"),
        "agreement_reference": ("Số hiệu văn bản", "Văn bản"),
        "description": ("Nội dung", "Nội dung công việc", "Việc cần làm"),
        "field": ("Lĩnh vực",),
        "owner_organisation": ("Đơn vị chủ trì", "Cơ quan chủ trì"),
        "owner_person": ("Người phụ trách",),
        "due_on": ("Thời hạn", "Hạn"),
        "status": ("Tình trạng", "Trạng thái"),
        "priority": ("Mức ưu tiên", "Ưu tiên"),
    }
    ERROR_COLUMNS = {
        "partnership": "partner_city",
        "visit": "visit_title",
        "agreement": "agreement_reference",
        "due_on_precision": "due_on",
    }
    FK_FIELDS = (
        "partnership",
        "visit",
        "agreement",
        "field",
        "owner_organisation",
        "owner_person",
        "counterpart",
    )
    KEY_COLUMNS = ("partner_city", "visit_title", "agreement_reference", "description")
    REQUIRED_COLUMNS = ("partner_city", "description")
    DATE_COLUMNS = ("visit_start_date", "due_on")
    CHOICE_COLUMNS = {
        "status": (ActionItem.Status, ACTION_STATUS_SYNONYMS),
        "priority": (ActionItem.Priority, PRIORITY_SYNONYMS),
    }
    WRITE_FIELDS = (
        "partnership",
        "visit",
        "agreement",
        "description",
        "field",
        "owner_organisation",
        "owner_person",
        "due_on",
        "due_on_precision",
        "status",
        "priority",
    )
    EXAMPLE = {
        "home_city": "Hà Nội",
        "home_country": "VN",
        "partner_city": "Minsk",
        "partner_country": "BY",
        "visit_title": "Đoàn đại biểu thành phố Hà Nội thăm và làm việc tại thành phố Minsk",
        "visit_start_date": "11/05/2025",
        "agreement_reference": "",
        "description": "Tổ chức Ngày văn hóa Hà Nội tại Minsk",
        "field": "Văn hóa",
        "owner_organisation": "",
        "owner_person": "",
        "due_on": "12/2025",
        "status": "agreed",
        "priority": "normal",
    }

    status = ie_fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(ActionItem.Status, ACTION_STATUS_SYNONYMS, what=_("status")),
    )

    class Meta:
        model = ActionItem
        fields = ("status",)
        import_id_fields = ()
        use_bulk = True
        batch_size = BATCH_SIZE
        skip_diff = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    priority_widget = ChoiceWidget(ActionItem.Priority, PRIORITY_SYNONYMS, what=_("priority"))

    @override
    def get_import_id_fields(self) -> list[str]:
        return []

    @override
    def _check_import_id_fields(self, headers: list[str]) -> None:
        return None

    def _source_of(self, row: Row, partnership_id: int) -> tuple[Visit | None, Agreement | None]:
        """(visit, agreement) a row names, or raise ValueError with the column."""
        visit = agreement = None
        title = cell_text(row.get("visit_title"))
        if title:
            try:
                start = clean_date(row.get("visit_start_date"), partial=True)
            except ValueError as e:
                raise LookupError("visit_start_date", str(e)) from e
            visit = self.visits.get(
                visit_key(partnership_id, title, start.format() if start else "")
            )
            if visit is None:
                raise LookupError(
                    "visit_title",
                    gettext(
                        "No stored visit of this partnership is called “%(title)s” with that start date."
                    )
                    % {"title": title},
                )
        ref = cell_text(row.get("agreement_reference"))
        if ref:
            agreement = self.agreements.get(ref)
            if agreement is None:
                raise LookupError(
                    "agreement_reference",
                    gettext("“%(ref)s” is not a stored agreement.") % {"ref": ref},
                )
        if visit is None and agreement is None:
            raise LookupError(
                "visit_title", gettext("Say where this was agreed: a visit, an agreement, or both.")
            )
        return visit, agreement

    @override
    def key_of(self, row: Row) -> ActionItemKey | None:
        partnership = self.lookups.find_partnership(row)
        description = cell_text(row.get("description"), multiline=True)
        if partnership is None or not description:
            return None
        try:
            visit, agreement = self._source_of(row, partnership.pk)
        except LookupError:
            return None
        return (
            partnership.pk,
            visit.pk if visit else None,
            agreement.pk if agreement else None,
            fold(description),
        )

    @override
    def prepare(self, dataset: tablib.Dataset) -> None:
        rows = list(dataset.dict)
        ids = {p.pk for p in (self.lookups.find_partnership(r) for r in rows) if p is not None}
        self.visits = {
            visit_key(
                v.partnership_id, v.title, render_partial(v.start_date, v.start_date_precision)
            ): v
            for v in Visit.objects.filter(partnership_id__in=ids).select_related(
                "partnership__home_city", "partnership__partner_city"
            )
        }
        refs = {cell_text(r.get("agreement_reference")) for r in rows} - {""}
        self.agreements = {
            a.reference: a
            for a in Agreement.objects.filter(reference__in=refs).select_related("partnership")
        }
        super().prepare(dataset)

    @override
    def load_stored(self) -> dict[ActionItemKey, ActionItem]:
        items = ActionItem.objects.filter(partnership_id__in=self.partnership_ids).select_related(
            "partnership__home_city",
            "partnership__partner_city",
            "visit",
            "agreement",
            "field",
            "owner_organisation",
            "owner_person",
        )
        return {
            (i.partnership_id, i.visit_id, i.agreement_id, fold(i.description)): i for i in items
        }

    @override
    def fill(self, instance: ActionItem, row: Row, errors: RowErrors) -> None:
        if not self.keeps(instance, row, "status"):
            try:
                self.fields["status"].save(instance, row)
            except ValueError as e:
                errors["status"] = str(e)
        instance.description = cell_text(row.get("description"), multiline=True)
        if not instance.description:
            errors["description"] = gettext("Describe what was agreed.")
        if not self.keeps(instance, row, "priority"):
            try:
                instance.priority = self.priority_widget.clean(row.get("priority") or "normal")
            except ValueError as e:
                errors["priority"] = str(e)
        self._fill_due_on(instance, row, errors)
        partnership = self.partnership_from(row, errors)
        if partnership is not None:
            instance.partnership = partnership
            try:
                instance.visit, instance.agreement = self._source_of(row, partnership.pk)
            except LookupError as e:
                errors[e.args[0]] = e.args[1]
        self._fill_lookup(instance, row, errors, "field", self.lookups.field)
        self._fill_lookup(instance, row, errors, "owner_organisation", self.lookups.organisation)
        self._fill_lookup(instance, row, errors, "owner_person", self.lookups.person)

    def _fill_due_on(self, instance: ActionItem, row: Row, errors: RowErrors) -> None:
        if self.keeps(instance, row, "due_on"):
            return
        try:
            due = clean_date(row.get("due_on"), partial=True)
        except ValueError as e:
            errors["due_on"] = str(e)
        else:
            instance.due_on = due.date if due else None
            instance.due_on_precision = due.precision if due else Precision.DAY

    def _fill_lookup(
        self,
        instance: ActionItem,
        row: Row,
        errors: RowErrors,
        column: str,
        find: Callable[[str], models.Model],
    ) -> None:
        if self.keeps(instance, row, column):
            return
        name = cell_text(row.get(column))
        if not name:
            setattr(instance, column, None)
            return
        try:
            found = find(name)
        except ValueError as e:
            errors[column] = str(e)
            return
        setattr(instance, column, found)
        if self.lookups.is_new(found):
            self.note(
                gettext("New %(what)s “%(name)s” will be created.")
                % {"what": found._meta.verbose_name, "name": found}
            )

    @override
    def export_row(self, instance: ActionItem) -> dict[str, str]:
        row = self.export_partnership(instance.partnership if instance.partnership_id else None)
        visit = instance.visit if instance.visit_id else None
        agreement = instance.agreement if instance.agreement_id else None
        field = instance.field if instance.field_id else None
        org = instance.owner_organisation if instance.owner_organisation_id else None
        person = instance.owner_person if instance.owner_person_id else None
        row.update(
            {
                "visit_title": visit.title if visit else "",
                "visit_start_date": render_partial(visit.start_date, visit.start_date_precision)
                if visit
                else "",
                "agreement_reference": agreement.reference if agreement else "",
                "description": instance.description or "",
                "field": field.name if field else "",
                "owner_organisation": org.name if org else "",
                "owner_person": person.full_name if person else "",
                "due_on": render_partial(instance.due_on, instance.due_on_precision),
                "status": instance.status or "",
                "priority": PRIORITY_NAMES.get(instance.priority, str(instance.priority or "")),
            }
        )
        return row

    def export_queryset(self, queryset: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
        return queryset.select_related(
            "partnership__home_city",
            "partnership__partner_city",
            "visit",
            "agreement",
            "field",
            "owner_organisation",
            "owner_person",
        )
