"""Demo data: the real cases told in the five seed articles (shared/seeds).

The data are TOML files under demo/data/ (see its README): what the cases share in
reference.toml, one file per partnership case under cases/. This module only reads
them and writes the records.

Loading is idempotent: every record is found by its natural key and written only when
something differs, so a second run changes nothing and leaves no history rows. Where an
article gives no date or year, the date stays empty and what the article said goes into
``date_note``.
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction

from agreements.models import Agreement, Signatory
from common.models import EndKind
from common.partialdate import PartialDate, Precision, parse_partial_date
from common.roles import EDITOR, VIEWER, ensure_roles
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
    VisitSource,
)
from partnerships.models import (
    City,
    CityName,
    FieldOfCooperation,
    Organisation,
    Partnership,
    Person,
    Position,
)

DATA = Path(__file__).resolve().parent / "data"

Spec = dict[str, Any]  # one table of a data file

# What a briefing book reads (issue 13), written only when a file gives it.
CITY_NOTE = (
    "population",
    "population_year",
    "profile",
    "profile_en",
    "relations_since",
    "country_note",
    "country_note_en",
    "key_figures",
    "key_figures_en",
    "timezone",
)
PERSON_PROFILE = (
    "form_of_address",
    "form_of_address_en",
    "biography",
    "biography_en",
    "languages",
    "dietary_needs",
    "phone",
)
VISIT_TEXTS = (
    "title_en",
    "purpose_en",
    "outcomes_en",
    "talking_points_en",
    "budget_line",
    "budget_amount",
    "budget_currency",
    "security_notes",
    "security_notes_en",
    "health_notes",
    "health_notes_en",
)
ENGAGEMENT_DETAILS = ("time", "end_time", "title_en", "summary_en", "dress", "date_note")
# [[visit.TABLE]] → the model and the fields that find a row again within its visit.
PARTS_KEYS: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "travel": (TravelSegment, ("from_place", "to_place", "departure_date")),
    "accommodation": (Accommodation, ("name",)),
    "contact": (LocalContact, ("name",)),
    "gift": (Gift, ("description",)),
    "point": (BriefPoint, ("kind", "text")),
    "source": (VisitSource, ("title",)),
}


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def upsert(
    tally: Tally, model: type[models.Model], lookup: dict[str, Any], **values: Any
) -> models.Model:
    """Find by ``lookup``; create, or save only the fields that differ."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        tally.created += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        tally.updated += 1
    else:
        tally.unchanged += 1
    return obj


def set_m2m(manager: Any, objs: Collection[models.Model]) -> None:
    """Set a many-to-many relation (``manager``: its related manager) when it differs."""
    wanted = {o.pk for o in objs}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(list(objs))


def read_toml(path: Path) -> Spec:
    with path.open("rb") as file:
        return tomllib.load(file)


def partial_date(text: str | None) -> PartialDate | None:
    """``"2004"``, ``"09/2025"`` or ``"07/12/2023"`` as a PartialDate; None when not given."""
    return None if text is None else parse_partial_date(text)


def optional(spec: Spec, *names: str) -> dict[str, Any]:
    """The values ``spec`` gives among ``names``: what a file leaves out is not written."""
    return {name: spec[name] for name in names if name in spec}


class DemoLoader:
    """Writes the records of demo/data/: reference.toml, then each case in file-name order."""

    def __init__(self, data: Path = DATA) -> None:
        self.data = data
        self.tally = Tally()
        self.fields: dict[str, FieldOfCooperation] = {}
        self.cities: dict[str, City] = {}
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, Person] = {}
        self.agreements: dict[str, Agreement] = {}

    def up(self, model: type[models.Model], lookup: dict[str, Any], **values: Any) -> Any:
        return upsert(self.tally, model, lookup, **values)

    def load(self) -> Tally:
        reference = read_toml(self.data / "reference.toml")
        for spec in reference["field"]:
            self.load_field(spec)
        for spec in reference["city"]:
            self.load_city(spec)
        for spec in reference["organisation"]:
            self.load_organisation(spec)
        for spec in reference["person"]:
            self.load_person(spec)
        for path in sorted((self.data / "cases").glob("*.toml")):
            self.load_case(read_toml(path))
        return self.tally

    # -- reference data ----------------------------------------------------------------
    def load_field(self, spec: Spec) -> None:
        self.fields[spec["code"]] = self.up(
            FieldOfCooperation, {"code": spec["code"]}, name=spec["name"], name_en=spec["name_en"]
        )

    def load_city(self, spec: Spec) -> None:
        city = self.up(
            City,
            {"country": spec["country"], "name": spec["name"]},
            name_en=spec["name_en"],
            name_local=spec["name_local"],
            region=spec.get("region", ""),
            latitude=Decimal(spec["latitude"]),
            longitude=Decimal(spec["longitude"]),
            **optional(spec, *CITY_NOTE),
            is_home=spec.get("is_home", False),
        )
        for other in spec.get("other_names", []):
            self.up(CityName, {"city": city, "name": other["name"]}, language=other["language"])
        self.cities[spec["key"]] = city

    def load_organisation(self, spec: Spec) -> None:
        self.orgs[spec["key"]] = self.up(
            Organisation,
            {"country": spec["country"], "name": spec["name"]},
            name_en=spec["name_en"],
            abbreviation=spec["abbreviation"],
            kind=spec["kind"],
            city=self.cities.get(spec.get("city", "")),
            parent=self.orgs.get(spec.get("parent", "")),
        )

    def load_person(self, spec: Spec) -> None:
        person = self.up(
            Person,
            {"full_name": spec["full_name"]},
            name_latin=spec["name_latin"],
            country=spec["country"],
            **optional(spec, *PERSON_PROFILE),
        )
        for position in spec.get("positions", []):
            start = partial_date(position.get("start"))
            dates = {"start": start.date, "start_precision": start.precision} if start else {}
            self.up(
                Position,
                {
                    "person": person,
                    "organisation": self.orgs[position["organisation"]],
                    "title": position["title"],
                },
                title_en=position["title_en"],
                **dates,
                **optional(position, "end_kind"),
            )
        self.people[spec["key"]] = person

    # -- one partnership case ----------------------------------------------------------
    def load_case(self, case: Spec) -> None:
        partnership = self.load_partnership(case["partnership"])
        for spec in case.get("agreement", []):
            self.load_agreement(partnership, spec)
        for spec in case.get("visit", []):
            self.load_visit(partnership, spec)

    def load_partnership(self, spec: Spec) -> Partnership:
        established = partial_date(spec.get("established"))
        partnership = self.up(
            Partnership,
            {
                "home_city": self.cities[spec["home_city"]],
                "partner_city": self.cities[spec["partner_city"]],
            },
            kind=spec["kind"],
            status=spec.get("status", Partnership.Status.ACTIVE),
            established_on=established.date if established else None,
            established_on_precision=established.precision if established else Precision.DAY,
            focal_office=self.orgs[spec["focal_office"]],
            summary=spec.get("summary", ""),
        )
        set_m2m(partnership.fields, [self.fields[code] for code in spec.get("fields", [])])
        return partnership

    def load_agreement(self, partnership: Partnership, spec: Spec) -> None:
        signed = partial_date(spec.get("signed"))
        dates = {"signed_on_precision": signed.precision} if signed else {}
        agreement = self.up(
            Agreement,
            {"reference": spec["reference"]},
            partnership=partnership,
            kind=spec["kind"],
            status=spec["status"],
            signed_on=signed.date if signed else None,
            title=spec["title"],
            title_en=spec.get("title_en", ""),
            parent=self.agreements[spec["parent"]] if "parent" in spec else None,
            parent_relation=spec.get("parent_relation", ""),
            **dates,
            **optional(spec, "signed_at", "valid_from", "valid_until", "valid_until_kind", "notes"),
        )
        set_m2m(agreement.parties, [self.orgs[key] for key in spec.get("parties", [])])
        set_m2m(agreement.fields, [self.fields[code] for code in spec.get("fields", [])])
        for signatory in spec.get("signatory", []):
            self.up(
                Signatory,
                {
                    "agreement": agreement,
                    "person": self.people[signatory["person"]],
                    "role": signatory["role"],
                },
                position_title=signatory.get("position_title", ""),
                organisation=self.orgs.get(signatory.get("organisation")),
            )
        self.agreements[spec["key"]] = agreement

    def load_visit(self, partnership: Partnership, spec: Spec) -> None:
        start = partial_date(spec.get("start"))
        dates = {"start_date_precision": start.precision} if start else {}
        visit = self.up(
            Visit,
            {"partnership": partnership, "title": spec["title"]},
            direction=spec["direction"],
            start_date=start.date if start else None,
            end_date=spec.get("end_date"),
            end_date_kind=spec.get("end_date_kind", EndKind.OPEN),
            place=spec.get("place", ""),
            status=spec["status"],
            purpose=spec.get("purpose", ""),
            outcomes=spec.get("outcomes", ""),
            date_note=spec.get("date_note", ""),
            **dates,
            **optional(spec, "talking_points", "source_url", *VISIT_TEXTS),
        )
        order: dict[str, int] = {}  # each side's participants in the order listed
        for participant in spec.get("participant", []):
            side = participant["side"]
            self.up(
                VisitParticipant,
                {"visit": visit, "person": self.people[participant["person"]]},
                side=side,
                role=participant["role"],
                position_title=participant.get("position_title", ""),
                phone=participant.get("phone", ""),
                order=order.setdefault(side, 0),
            )
            order[side] += 1
        for engagement in spec.get("engagement", []):
            self.load_engagement(visit, engagement)
        if "agreements_signed" in spec:
            set_m2m(
                visit.agreements_signed, [self.agreements[k] for k in spec["agreements_signed"]]
            )
        for action in spec.get("action", []):
            self.load_action(partnership, visit, action)
        self.load_visit_parts(visit, spec)

    def load_visit_parts(self, visit: Visit, spec: Spec) -> None:
        """Travel, accommodation, contacts, gifts, points and sources, each found again by
        its natural key within the visit (PARTS_KEYS)."""
        for table, (model, keys) in PARTS_KEYS.items():
            for order, row in enumerate(spec.get(table, [])):
                values = {**row, "order": order}
                values = self.resolved(model, values)
                lookup = {"visit": visit, **{key: values.pop(key) for key in keys}}
                self.up(model, lookup, **values)

    def resolved(self, model: type[models.Model], values: Spec) -> Spec:
        """Keys of people and organisations in ``values`` turned into their records (where
        the field is a relation: a contact's organisation is only a name)."""
        lookups: dict[str, dict[str, Any]] = {"person": self.people, "organisation": self.orgs}
        for name, records in lookups.items():
            if name in values and model._meta.get_field(name).is_relation:
                values[name] = records[values[name]]
        return values

    def load_engagement(self, visit: Visit, spec: Spec) -> None:
        engagement = self.up(
            Engagement,
            {"visit": visit, "title": spec["title"]},
            kind=spec["kind"],
            date=spec.get("date"),
            place=spec.get("place", ""),
            summary=spec.get("summary", ""),
            **optional(spec, *ENGAGEMENT_DETAILS),
        )
        set_m2m(engagement.counterparts, [self.people[k] for k in spec.get("counterparts", [])])
        if "accompanied_by" in spec:
            set_m2m(engagement.accompanied_by, [self.people[k] for k in spec["accompanied_by"]])

    def load_action(self, partnership: Partnership, visit: Visit, spec: Spec) -> None:
        due = partial_date(spec.get("due"))
        item = self.up(
            ActionItem,
            {"partnership": partnership, "description": spec["description"]},
            visit=visit,
            agreement=self.agreements[spec["agreement"]] if "agreement" in spec else None,
            field=self.fields[spec["field"]] if "field" in spec else None,
            owner_organisation=self.orgs[spec["owner"]] if "owner" in spec else None,
            owner_person=None,
            counterpart=self.orgs[spec["counterpart"]] if "counterpart" in spec else None,
            due_on=due.date if due else None,
            due_on_precision=due.precision if due else Precision.DAY,
            status=spec.get("status", ActionItem.Status.AGREED),
            priority=spec.get("priority", 2),
        )
        # Demo accounts the item is assigned to (made by ``load_demo`` before the data).
        wanted = spec.get("assigned", [])
        set_m2m(item.assignees, list(get_user_model().objects.filter(username__in=wanted)))
        for progress in spec.get("progress", []):
            self.up(
                ProgressUpdate,
                {"action_item": item, "date": progress["date"], "note": progress["note"]},
                status_after=progress["status_after"],
            )


def ensure_demo_user(
    username: str, role: str, password: str | None, *, new_password: bool = False
) -> tuple[str, str | None]:
    """Create or refresh a demo account; returns (status, password shown to the operator).

    ``new_password``: set ``password`` (or a new random one) even on an existing account,
    so that it can be shown again (scripts/demo.sh does it on every run)."""
    user_model = get_user_model()
    groups = ensure_roles()
    user = user_model.objects.filter(username=username).first()
    shown = None
    if user is None:
        shown = password or secrets.token_urlsafe(12)
        # Not staff: the Django admin is for administrators (SECURITY.md, "Accounts").
        user = user_model(username=username, is_staff=False)
        user.set_password(shown)
        user.save()
        status = "created"
    elif new_password or (password and not user.check_password(password)):
        shown = password or secrets.token_urlsafe(12)
        user.set_password(shown)
        user.save(update_fields=["password"])
        status = "password changed"
    else:
        status = "unchanged"
    if user.is_staff or user.is_superuser:  # made by an older seed_demo
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
    if not user.groups.filter(pk=groups[role].pk).exists() or user.groups.count() != 1:
        user.groups.set([groups[role]])
    return status, shown


@transaction.atomic
def load_demo(
    *, password: str | None = None, new_passwords: bool = False
) -> tuple[Tally, dict[str, tuple[str, str | None]]]:
    # The accounts first: demo action items are assigned to demo-editor.
    accounts = {
        "demo-editor": ensure_demo_user(
            "demo-editor", EDITOR, password, new_password=new_passwords
        ),
        "demo-viewer": ensure_demo_user(
            "demo-viewer", VIEWER, password, new_password=new_passwords
        ),
    }
    tally = DemoLoader().load()
    return tally, accounts
