"""The look-ups every record sheet shares: cities, partnerships, fields of cooperation,
people and organisations, loaded once per import and found by folded name.

Cities are matched on any of their names (Vietnamese, English, local name, alternative
names) within the country, ignoring case, accents and spaces; then by ``CityMatcher``
(transliterations, the gazetteer). A city found nowhere is created only when the user
confirms it; the home city must be one of ours (``City.is_home``). Organisations are
never created (a typo must not become a new organisation).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import TYPE_CHECKING, override

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext
from django_countries.fields import Country

from common.sheetkit.cells import Row, cell_text, fold
from common.sheetkit.countries import parse_country
from common.sheetkit.resource import SheetLookups, max_length
from common.sheetkit.writer import create_with_history
from common.text import name_key

from .city_matching import CityMatcher
from .models import City, FieldOfCooperation, Organisation, Partnership, Person

if TYPE_CHECKING:
    from common.sheetkit.writer import Editor

# A stored partnership by (home city id, partner city id); one the sheet creates is keyed
# by ("new", id of its partner city object) until it is written.
type PartnershipKey = tuple[int, int | tuple[str, int]]


def country_code(city: City) -> str:
    """The ISO code of ``city``'s country.

    django-countries' descriptor gives a ``Country``; django-stubs sees the ``CharField``
    beneath it (text), so both are handled.
    """
    country: Country | str = city.country
    return country.code if isinstance(country, Country) else country


class Lookups(SheetLookups):
    """Everything rows refer to, loaded once per import and found by folded name.

    Each table is read with one query on first use; records created by the import
    (an unknown partner city, field or person) join the index, so the number of
    queries does not grow with the number of rows that mention them.
    """

    def __init__(self, user: Editor = None) -> None:
        super().__init__(user)
        self._cities: dict[str, dict[str, list[City]]] | None = None
        self._partnerships: dict[PartnershipKey, Partnership] | None = None
        self._fields: dict[str, list[FieldOfCooperation]] | None = None
        self._people: dict[str, list[Person]] | None = None
        self._organisations: dict[str, list[Organisation]] | None = None
        # Records the sheet needs that do not exist yet: validated now, written in bulk
        # (with history) by ``flush`` just before the rows themselves.
        self.new_records: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self._new_ids: set[int] = set()
        self._matcher: CityMatcher | None = None
        # Bumped whenever a city or partnership is added or a city gains a spelling: what
        # a row's cities resolved to holds as long as this has not changed
        # (``PartnershipSheetResource.partnership_from`` keeps it by cells meanwhile).
        self.cities_version = 0
        # Cities found nowhere that may be created: all (--create-cities), or those
        # ticked in the preview (by name_key); the others are refused.
        self.create_cities = False
        self.confirmed_cities: set[str] = set()

    def _add[M: models.Model](self, obj: M) -> M:
        # Relations and countries are what the sheet matched against stored records;
        # checking them again would cost queries (relations) or much time (countries).
        obj.full_clean(
            exclude=[
                f.name
                for f in obj._meta.concrete_fields
                if f.is_relation or f.get_internal_type() == "CountryField" or f.name == "country"
            ],
            validate_unique=False,
            validate_constraints=False,
        )
        self.new_records[type(obj)].append(obj)
        self._new_ids.add(id(obj))
        if isinstance(obj, City | Partnership):
            self.cities_version += 1
        return obj

    def is_new(self, obj: models.Model) -> bool:
        return id(obj) in self._new_ids

    @override
    def flush(self) -> None:
        """Write the new cities, partnerships, fields and people (in that order)."""
        for model in (City, Partnership, FieldOfCooperation, Person):
            create_with_history(self.new_records.pop(model, []), model, self.user)

    # cities
    def cities(self) -> dict[str, dict[str, list[City]]]:
        if self._cities is None:
            self._cities = defaultdict(lambda: defaultdict(list))
            for city in City.objects.prefetch_related("alternative_names"):
                self._index_city(self._cities, city)
        return self._cities

    @staticmethod
    def _index_city(index: dict[str, dict[str, list[City]]], city: City) -> None:
        names = city.all_names() if city.pk else [city.name]
        for name in names:
            bucket = index[country_code(city)][fold(name)]
            if city not in bucket:
                bucket.append(city)

    def find_partnership(self, row: Row) -> Partnership | None:
        """The stored partnership a row names, without creating anything (None if unsure)."""
        try:
            home_country = parse_country(row.get("home_country"))
            partner_country = parse_country(row.get("partner_country"))
        except ValueError:
            return None
        home_name = cell_text(row.get("home_city"))
        home = [c for c in self._matching(home_name, home_country) if c.is_home]
        if not home_name:  # a sheet without the column: the office's only home city
            with contextlib.suppress(ValueError):
                home = [self.only_home_city()]
        partner = self._matching(cell_text(row.get("partner_city")), partner_country)
        if len(home) != 1 or len(partner) != 1:
            return None
        return self.partnerships_index().get((home[0].pk, partner[0].pk))

    def partnerships_by_pk(self) -> dict[int, Partnership]:
        return {p.pk: p for p in self.partnerships_index().values() if p.pk}

    def fields_by_pk(self) -> dict[int, FieldOfCooperation]:
        return {f.pk: f for fs in self.field_index().values() for f in fs if f.pk}

    def people_by_pk(self) -> dict[int, Person]:
        return {p.pk: p for ps in self.people_index().values() for p in ps if p.pk}

    def partnerships_index(self) -> dict[PartnershipKey, Partnership]:
        if self._partnerships is None:
            self._partnerships = {
                (p.home_city_id, p.partner_city_id): p
                for p in Partnership.objects.select_related("home_city", "partner_city")
            }
        return self._partnerships

    def _matching(self, name: str, country: str) -> list[City]:
        key = fold(name)
        if country:
            return list(self.cities().get(country, {}).get(key, []))
        return [c for by_name in self.cities().values() for c in by_name.get(key, [])]

    def home_city(self, name: str, country: str) -> City:
        if not name:
            raise ValueError(gettext("Give the home city (one of ours)."))
        found = self._matching(name, country)
        home = [c for c in found if c.is_home]
        if len(home) == 1:
            return home[0]
        if found:
            raise ValueError(gettext("“%(value)s” is not one of our cities.") % {"value": name})
        ours = sorted(
            {c.name for by in self.cities().values() for b in by.values() for c in b if c.is_home}
        )
        raise ValueError(
            gettext("“%(value)s” is not one of our cities (%(ours)s).")
            % {"value": name, "ours": ", ".join(ours)}
        )

    def only_home_city(self) -> City:
        """Our home city when there is just one (rows need not name it then)."""
        ours = list(
            {
                c.pk: c
                for by in self.cities().values()
                for b in by.values()
                for c in b
                if c.is_home
            }.values()
        )
        if len(ours) == 1:
            return ours[0]
        raise ValueError(
            gettext("Give the home city (one of ours: %(ours)s).")
            % {"ours": ", ".join(sorted(c.name for c in ours))}
        )

    def partner_city(self, name: str, country: str) -> City:
        if not name:
            raise ValueError(gettext("Give the partner city."))
        found = self._matching(name, country)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValueError(
                gettext("Several cities are called “%(value)s”; give the country.")
                % {"value": name}
                if not country
                else gettext("Several cities in this country are called “%(value)s”.")
                % {"value": name}
            )
        match = self.matcher().find(name, country)
        if match.city is not None:
            city = match.city
            if city.pk is None and not self.is_new(city):
                self._add(city)
                self.matcher().add(city, match.place)
            self.cities()[country_code(city)][fold(name)].append(city)
            self.cities_version += 1
            return city
        return self._unknown_city(name, country, match.suggestions)

    def matcher(self) -> CityMatcher:
        if self._matcher is None:
            stored = {c.pk: c for by in self.cities().values() for b in by.values() for c in b}
            self._matcher = CityMatcher(stored.values())
        return self._matcher

    def _unknown_city(self, name: str, country: str, suggestions: list[str]) -> City:
        """A city found nowhere: created if confirmed (and its country given), else refused."""
        if not (self.create_cities or name_key(name) in self.confirmed_cities):
            self.unknown_cities[name] = suggestions
            if suggestions:
                raise ValueError(
                    gettext(
                        "“%(value)s” is not a known city. Did you mean: %(suggestions)s? "
                        "Otherwise confirm that it is to be created."
                    )
                    % {"value": name, "suggestions": "; ".join(suggestions)}
                )
            raise ValueError(
                gettext("“%(value)s” is not a known city: confirm that it is to be created.")
                % {"value": name}
            )
        if not country:
            raise ValueError(
                gettext("“%(value)s” is a new city: give its country so it can be created.")
                % {"value": name}
            )
        if len(name) > max_length(City, "name"):
            raise ValueError(gettext("The city name is too long."))
        city = self._add(City(name=name, country=country, is_home=False))
        self._index_city(self.cities(), city)
        self.matcher().add(city)
        return city

    # partnerships
    def partnership(self, home: City, partner: City) -> Partnership:
        partnerships = self.partnerships_index()
        key = (home.pk, partner.pk or ("new", id(partner)))
        if key not in partnerships:
            if home is partner:
                raise ValueError(gettext("The partner city cannot be the home city itself."))
            partnerships[key] = self._add(Partnership(home_city=home, partner_city=partner))
        return partnerships[key]

    # fields of cooperation
    def field_index(self) -> dict[str, list[FieldOfCooperation]]:
        if self._fields is None:
            self._fields = defaultdict(list)
            for f in FieldOfCooperation.objects.all():
                self._index_field(self._fields, f)
        return self._fields

    def field(self, name: str) -> FieldOfCooperation:
        index = self.field_index()
        found = index.get(fold(name), [])
        if found:
            return found[0]
        if len(name) > max_length(FieldOfCooperation, "name"):
            raise ValueError(gettext("“%(value)s” is too long for a field name.") % {"value": name})
        codes = {f.code for fs in index.values() for f in fs}
        base = slugify(fold(name))[:45] or "field"
        code, n = base, 2
        while code in codes:
            code, n = f"{base}-{n}", n + 1
        created = self._add(FieldOfCooperation(code=code, name=name))
        self._index_field(index, created)
        return created

    @staticmethod
    def _index_field(index: dict[str, list[FieldOfCooperation]], f: FieldOfCooperation) -> None:
        for name in (f.name, f.name_en, f.code):
            if name and f not in index[fold(name)]:
                index[fold(name)].append(f)

    # people
    def people_index(self) -> dict[str, list[Person]]:
        if self._people is None:
            self._people = defaultdict(list)
            # Only what a sheet matches and writes of a person (its biography, notes…
            # would be read for thousands of people to no purpose).
            for p in Person.objects.only("id", "full_name", "name_latin"):
                self._index_person(self._people, p)
        return self._people

    def person(self, name: str) -> Person:
        index = self.people_index()
        found = index.get(fold(name), [])
        if found:
            return found[0]
        if len(name) > max_length(Person, "full_name"):
            raise ValueError(gettext("“%(value)s” is too long for a name.") % {"value": name})
        created = self._add(Person(full_name=name))
        self._index_person(index, created)
        return created

    @staticmethod
    def _index_person(index: dict[str, list[Person]], p: Person) -> None:
        for name in (p.full_name, p.name_latin):
            if name and p not in index[fold(name)]:
                index[fold(name)].append(p)

    # organisations (never created: a typo must not become a new organisation)
    def organisation(self, name: str) -> Organisation:
        if self._organisations is None:
            self._organisations = defaultdict(list)
            for o in Organisation.objects.all():
                for n in (o.name, o.name_en, o.abbreviation):
                    if n:
                        self._organisations[fold(n)].append(o)
        found = self._organisations.get(fold(name), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValueError(
                gettext("Several organisations are called “%(value)s”.") % {"value": name}
            )
        raise ValueError(
            gettext("“%(value)s” is not a known organisation: add it first.") % {"value": name}
        )
