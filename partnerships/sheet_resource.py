"""``PartnershipSheetResource``: the base of the record apps' sheets, whose rows name a
partnership by its home and partner cities (and their countries), and may refer to
fields of cooperation, people and organisations (``sheet_lookups.Lookups``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import override

from django.utils.translation import gettext

from common.models import Record
from common.sheetkit.cells import Row, RowErrors
from common.sheetkit.countries import parse_country
from common.sheetkit.resource import SheetResource
from common.text import name_key

from .models import City, FieldOfCooperation, Partnership
from .sheet_lookups import Lookups, country_code


class PartnershipSheetResource[M: Record](SheetResource[M]):
    """A sheet whose rows belong to a partnership (agreements, visits, action items)."""

    lookups: Lookups

    class Meta:
        abstract = True

    @override
    @classmethod
    def record_values(cls) -> list[tuple[str, str, str]]:
        rows = [
            ("home_city", city.name, "; ".join(city.all_names()[1:]))
            for city in City.objects.home()
        ]
        rows.extend(("fields", f.name, f.name_en) for f in FieldOfCooperation.objects.all())
        return rows

    @override
    def make_lookups(self) -> Lookups:
        lookups = Lookups(self.user)
        lookups.create_cities = bool(getattr(self.options, "create_cities", False))
        lookups.confirmed_cities = {
            name_key(n) for n in getattr(self.options, "new_cities", None) or ()
        }
        return lookups

    def partnership_from(self, row: Row, errors: RowErrors) -> Partnership | None:
        """The pair (home city, partner city) of the row, found or created: once per
        distinct four cells (the rows naming the same cities get the same partnership,
        errors and notes: what the look-ups answer depends on the cells alone)."""
        get = row.get
        cells = (get("home_city"), get("home_country"), get("partner_city"), get("partner_country"))
        key = (cells, tuple(map(type, cells)))  # the types too: 1 and 1.0 are equal keys
        known = self.__dict__.setdefault("_partnerships_by_cells", {})
        found = known.get(key)
        if found is None or found[3] != self.lookups.cities_version:
            notes, self._current["notes"] = self._current.get("notes", []), []
            found_errors: RowErrors = {}
            try:
                partnership = self._partnership_from(row, found_errors)
            finally:
                notes, self._current["notes"] = self._current["notes"], notes
            found = (partnership, dict(found_errors), tuple(notes), self.lookups.cities_version)
            known[key] = found
        partnership, found_errors, found_notes, _version = found
        for column, message in found_errors.items():
            errors[column] = message
        for note in found_notes:
            self.note(note)
        return partnership

    def _partnership_from(self, row: Row, errors: RowErrors) -> Partnership | None:
        home_country = self._country(row, "home_country", errors)
        partner_country = self._country(row, "partner_country", errors)
        home = self._city(row, "home_city", home_country, self._home_city, errors)
        partner = self._city(
            row, "partner_city", partner_country, self.lookups.partner_city, errors
        )
        if home is None or partner is None:
            return None
        if self.lookups.is_new(partner):
            self.note(gettext("New city “%(name)s” will be created.") % {"name": partner.name})
        try:
            partnership = self.lookups.partnership(home, partner)
        except ValueError as e:
            errors["partner_city"] = str(e)
            return None
        if self.lookups.is_new(partnership):
            self.note(gettext("New partnership %(name)s will be created.") % {"name": partnership})
        return partnership

    def _home_city(self, name: str, country: str) -> City:
        """The home city named, else the one chosen for the import, else our only one."""
        chosen = name or getattr(self.options, "home_city", "")
        if chosen:
            return self.lookups.home_city(chosen, country)
        return self.lookups.only_home_city()

    @staticmethod
    def _country(row: Row, column: str, errors: RowErrors) -> str | None:
        """The ISO code in ``column`` ('' if blank; None, with the error filed, if unknown)."""
        try:
            return parse_country(row.get(column))
        except ValueError as e:
            errors[column] = str(e)
            return None

    def _city(
        self,
        row: Row,
        column: str,
        country: str | None,
        find: Callable[[str, str], City],
        errors: RowErrors,
    ) -> City | None:
        """The city ``find`` gives for ``column`` in ``country`` (None if not found)."""
        if country is None:
            return None
        try:
            return find(self.text(row, column), country)
        except ValueError as e:
            errors[column] = str(e)
            return None

    def export_partnership(self, partnership: Partnership | None) -> dict[str, str]:
        if partnership is None:
            return dict.fromkeys(
                ("home_city", "home_country", "partner_city", "partner_country"), ""
            )
        cache = self.__dict__.setdefault("_partnership_cells", {})
        key = id(partnership)
        if key not in cache:
            cache[key] = (
                partnership,  # kept alive so that its id is not reused
                {
                    "home_city": partnership.home_city.name,
                    "home_country": country_code(partnership.home_city),
                    "partner_city": partnership.partner_city.name,
                    "partner_country": country_code(partnership.partner_city),
                },
            )
        return dict(cache[key][1])
