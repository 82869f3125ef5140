"""Cities, the partnerships between them, and the organisations and people on both sides.

What a briefing book reads from here (issue 13; see also ``delegations/models.py``):

- ``City``: the partner city and country note — ``population`` (with ``population_year``),
  ``profile``/``profile_en``, ``relations_since`` (the year the two countries' relations
  began, e.g. Vietnam–Belarus 1992), ``country_note``/``country_note_en`` (the national
  context), ``key_figures``/``key_figures_en`` (one fact a line), ``timezone`` (IANA name;
  ``City.utc_offset_on(day)`` and ``Visit.time_difference()`` give the time difference).
- ``Person``: ``form_of_address``/``form_of_address_en`` ("Ngài Chủ tịch", "Your Excellency"),
  ``biography``/``biography_en``, ``languages``, ``dietary_needs`` and ``photo``: an uploaded
  image kept under ``MEDIA_ROOT/private/people/`` and handed out only by
  ``partnerships:person_photo`` to signed-in readers, never at a media URL.
- ``Position.title_en``; every position a person holds on a day is
  ``person.positions.held_on(day)`` (concurrent party and state offices are all kept).

English versions: ``text_in(lang, field)`` (``common.models.EnglishVersions``) returns
``(value, fell_back)``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Mod,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from common.list_subquery import ListSubquery
from common.models import EndKind, EnglishVersions, Record, end_kind_constraint, end_kind_field
from common.partialdate import (
    PartialDate,
    Precision,
    partial_date_constraint,
    partial_range_constraint,
    period_covers,
)
from common.scripts import name_language

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ANNIVERSARY_STEP = 5
# ``anniversary_key``: the year's place in the ``ANNIVERSARY_STEP``-year cycle, then the
# month and day: 3_0714 for 14 July 2008 (2008 % 5 = 3).
ANNIVERSARY_CYCLE = 10_000


def anniversary_key(field: str) -> Cast:
    """``MOD(year, 5) * 10000 + month * 100 + day`` of the date ``field``.

    Indexed (agreements and partnerships, issue 16): every round anniversary falling
    within the next 12 months lies in at most four ranges of this key, each read in
    order from the index (``round_anniversary_branches``), so the dashboard's section
    costs the same whatever the size of the archive. An expression index rather than a
    stored column: no write path (forms, imports' COPY, ``seed_bulk``) can forget it.
    """
    return Cast(
        Mod(ExtractYear(field), Value(ANNIVERSARY_STEP)) * Value(ANNIVERSARY_CYCLE)
        + ExtractMonth(field) * Value(100)
        + ExtractDay(field),
        models.IntegerField(),
    )


CITY_NAME_FIELDS = ["name", "name_en", "name_local"]


class FieldOfCooperation(Record):
    """Culture, education, health, trade, tourism, public transport… (lĩnh vực hợp tác)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=120, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("field of cooperation")
        verbose_name_plural = _("fields of cooperation")

    def __str__(self) -> str:
        return self.name


class CityQuerySet(models.QuerySet["City"]):
    def home(self) -> Self:
        return self.filter(is_home=True)

    def partners(self) -> Self:
        return self.filter(is_home=False)

    def named(self, query: str) -> Self:
        """Cities known by ``query`` under any of their names, ignoring case and accents
        (``vieng chan``, ``Vientiane`` and ``ວຽງຈັນ`` all find Viêng Chăn)."""
        from common.text_match import any_field_contains, related_match

        return self.filter(
            any_field_contains(CITY_NAME_FIELDS, query)
            | related_match(CityName, "city", ["name"], query)
        )


def validate_timezone(value: str) -> None:
    if not value:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(_("Unknown time zone: %(name)s."), params={"name": value}) from error


class City(EnglishVersions, Record):
    """A city: one of ours (Hà Nội, TP Hồ Chí Minh) or a partner abroad."""

    name = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_local = models.CharField(_("local name"), max_length=120, blank=True)
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_home = models.BooleanField(
        _("one of our cities"),
        default=False,
        help_text=_("A home city whose foreign relations this office keeps."),
    )
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population as of (year)"), null=True, blank=True
    )
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    profile = models.TextField(_("profile"), blank=True)
    profile_en = models.TextField(_("profile (English)"), blank=True)
    relations_since = models.PositiveSmallIntegerField(
        _("relations between the countries since (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2200)],
    )
    country_note = models.TextField(
        _("country note"),
        blank=True,
        help_text=_("The national context: relations between the two countries, recent visits."),
    )
    country_note_en = models.TextField(_("country note (English)"), blank=True)
    key_figures = models.TextField(
        _("key figures"), blank=True, help_text=_("One fact a line: economy, trade, people.")
    )
    key_figures_en = models.TextField(_("key figures (English)"), blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_("IANA name, e.g. Europe/Minsk, Asia/Vientiane."),
    )
    # The gazetteer's id of the city (GeoNames, common/cities), when it was made from it
    # or matched to it: the sheets' city matcher tries it before any name.
    geonames_id = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True, unique=True)

    history = HistoricalRecords()
    objects = CityQuerySet.as_manager()
    main_text_field = "profile"

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="city_unique_name_in_country"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="city_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="city_longitude_range",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="city_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:city_detail", args=[self.pk])

    def utc_offset_on(self, day: dt.date) -> dt.timedelta | None:
        """The city's offset from UTC on ``day`` (summer time included), if its zone is known."""
        if not self.timezone:
            return None
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=zoneinfo.ZoneInfo(self.timezone))
        return noon.utcoffset()

    def key_figures_in(self, lang: str) -> tuple[list[str], bool]:
        """The key figures as lines, in ``lang`` when written, and whether it fell back."""
        text, fell_back = self.text_in(lang, "key_figures")
        return [line.strip() for line in text.splitlines() if line.strip()], fell_back

    @property
    def local_name_language(self) -> str:
        """The language tag (BCP 47) for ``name_local``, from the city's country's languages."""
        return name_language(self.name_local, str(self.country))

    def all_names(self) -> list[str]:
        names = [self.name, self.name_en, self.name_local]
        names += [alias.name for alias in self.alternative_names.all()]
        return [n for n in dict.fromkeys(names) if n]


class CityName(models.Model):
    """Another name a city is known by: Vientiane = Viêng Chăn = ວຽງຈັນ."""

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="alternative_names", verbose_name=_("city")
    )
    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("ISO code, e.g. lo, zh, ru")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("alternative city name")
        verbose_name_plural = _("alternative city names")
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="cityname_unique_per_city"),
        ]

    def __str__(self) -> str:
        return self.name


# The columns a row of the organisations list shows (``OrganisationQuerySet.for_list``).
ORGANISATION_ROW_FIELDS = (
    "name",
    "abbreviation",
    "kind",
    "country",
    "city__name",
    "parent__name",
    "parent__abbreviation",
)


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def parties_for(
        self, partnership_id: int | None, *, chosen: models.QuerySet[Organisation] | None = None
    ) -> OrganisationQuerySet:
        """The organisations that may be party to an agreement of this partnership: those
        of its two cities and, with no city, of their two countries (a ministry, an
        embassy), with those already chosen. One query, however many organisations."""
        wanted = models.Q(pk__in=[])
        pair = (
            Partnership.objects.filter(pk=partnership_id)
            .values_list(
                "home_city_id", "partner_city_id", "home_city__country", "partner_city__country"
            )
            .first()
            if partnership_id is not None
            else None
        )
        if pair is not None:
            wanted |= models.Q(city_id__in=pair[:2]) | models.Q(city=None, country__in=pair[2:])
        if chosen is not None:
            wanted |= models.Q(pk__in=chosen.values("pk"))
        return self.filter(wanted)

    def with_people_now(self) -> Self:
        """Annotate ``people_now``: how many positions in the organisation are held today.

        A count per row (an index probe of ``position.organisation_id``), which PostgreSQL
        runs only for the rows a page shows: a ``Count`` over a join grouped every position
        of every organisation before the page was cut (issue 16: 150 ms at scale 1, growing
        with the archive)."""
        held = (
            Position.objects.current()
            .filter(organisation=models.OuterRef("pk"))
            .order_by()
            .values("organisation")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            people_now=Coalesce(models.Subquery(held), 0, output_field=models.IntegerField())
        )

    def for_list(self) -> Self:
        """What a row of the organisations list shows and no more (no notes, no website, no
        city profiles), with ``people_now`` (issue 16, as ``PartnershipQuerySet.for_list``)."""
        return (
            self.select_related("city", "parent").only(*ORGANISATION_ROW_FIELDS).with_people_now()
        )


class Organisation(EnglishVersions, Record):
    """An organisation on either side: UBND TP Hà Nội, Ủy ban Hành chính TP Minsk, Sở Ngoại vụ…"""

    class Kind(models.TextChoices):
        CITY_GOVERNMENT = "city_government", _("city government")
        PARTY_COMMITTEE = "party_committee", _("party committee")
        PEOPLES_COUNCIL = "peoples_council", _("people's council / legislature")
        DEPARTMENT = "department", _("department or agency")
        NATIONAL_GOVERNMENT = "national_government", _("national government")
        DIPLOMATIC_MISSION = "diplomatic_mission", _("embassy or consulate")
        EDUCATION = "education", _("school or university")
        MASS_ORGANISATION = "mass_organisation", _("mass organisation")
        BUSINESS = "business", _("business")
        OTHER = "other", _("other")

    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    country = CountryField(_("country"))
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("city"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("part of"),
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()
    main_text_field = "name"

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name"], name="organisation_unique_name_in_country"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="organisation_not_own_parent"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organisation_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:organisation_detail", args=[self.pk])


def person_photo_path(instance: Person, filename: str) -> str:
    # Under private/: never served at a media URL (common/views.NOT_SERVED_MEDIA).
    return f"private/people/{instance.pk or 'new'}/{filename}"


class Person(EnglishVersions, Record):
    """Someone on either side, whose offices change over time (see Position)."""

    full_name = models.CharField(_("full name"), max_length=200)
    name_latin = models.CharField(_("name in Latin script / English"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    form_of_address = models.CharField(
        _("form of address"),
        max_length=200,
        blank=True,
        help_text=_("How to address and refer to this person, e.g. “Ngài Thị trưởng”."),
    )
    form_of_address_en = models.CharField(
        _("form of address (English)"), max_length=200, blank=True
    )
    biography = models.TextField(_("biography"), blank=True)
    biography_en = models.TextField(_("biography (English)"), blank=True)
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)
    dietary_needs = models.CharField(_("dietary needs"), max_length=255, blank=True)
    photo = models.ImageField(_("photo"), upload_to=person_photo_path, blank=True)

    history = HistoricalRecords()
    main_text_field = "biography"

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # The country drop-down of the people list reads the countries in use from it
        # (common.distinct_values: issue 16), as the organisations' from their unique
        # (country, name) constraint.
        indexes = [models.Index(fields=["country"], name="person_country")]
        constraints = [
            models.CheckConstraint(condition=~Q(full_name=""), name="person_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:person_detail", args=[self.pk])

    def photo_url(self) -> str:
        """The photo through the view that checks the reader ("" without a photo)."""
        if not self.photo:
            return ""
        return reverse("partnerships:person_photo", args=[self.pk])

    def position_on(self, day: dt.date) -> Position | None:
        """The office this person held on ``day`` (the most recently started one)."""
        return (
            self.positions.held_on(day)
            .select_related("organisation")
            .order_by(models.F("start").desc(nulls_last=True))
            .first()
        )

    def current_position(self) -> Position | None:
        return self.position_on(timezone.localdate())


def held_on_q(day: dt.date) -> Q:
    """Q for a position held on ``day``; an end known to the year covers the whole year."""
    started = Q(start__isnull=True) | Q(start__lte=day)
    not_ended = Q(end__isnull=True) | period_covers("end", day, after=True)
    return started & not_ended


class PositionQuerySet(models.QuerySet["Position"]):
    def held_on(self, day: dt.date) -> Self:
        """Positions held on ``day``; an end known to the year covers the whole year."""
        return self.filter(held_on_q(day))

    def current(self) -> Self:
        return self.held_on(timezone.localdate())


class Position(EnglishVersions, Record):
    """An office a person held: Trần Sỹ Thanh, Chủ tịch UBND TP Hà Nội, from … to …"""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="positions", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title (Vietnamese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    start = models.DateField(_("from"), null=True, blank=True)
    start_precision = models.CharField(
        _("from: precision"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    end = models.DateField(_("until"), null=True, blank=True)
    end_precision = models.CharField(
        _("until: precision"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    end_kind = end_kind_field(
        _("still held"),
        _("When “until” is empty: the person still holds it, or it ended on a day not recorded."),
    )

    history = HistoricalRecords()
    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["person__full_name", models.F("start").desc(nulls_last=True)]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        constraints = [
            partial_date_constraint("start", "position"),
            partial_date_constraint("end", "position"),
            partial_range_constraint("start", "end", "position"),
            models.CheckConstraint(condition=~Q(title=""), name="position_title_not_empty"),
            end_kind_constraint("end", "end_kind", "position"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.organisation}"

    @property
    def start_partial(self) -> PartialDate | None:
        return PartialDate.of(self.start, self.start_precision)

    @property
    def end_partial(self) -> PartialDate | None:
        return PartialDate.of(self.end, self.end_precision)

    @property
    def end_not_recorded(self) -> bool:
        """No end date stored because none was recorded (not because it is still held)."""
        return self.end is None and self.end_kind == EndKind.NOT_RECORDED

    def label(self) -> str:
        """ "Chủ tịch UBND TP Hà Nội" — the title followed by the organisation's short name."""
        org = self.organisation.abbreviation or self.organisation.name
        return f"{self.title} {org}"


# The columns a row of the partners list shows (``PartnershipQuerySet.for_list``).
PARTNERSHIP_ROW_FIELDS = (
    "kind",
    "status",
    "established_on",
    "established_on_precision",
    "home_city__name",
    "partner_city__name",
    "partner_city__name_en",
    "partner_city__country",
)


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def active(self) -> Self:
        return self.filter(status=Partnership.Status.ACTIVE)

    def with_cities(self) -> Self:
        return self.select_related("home_city", "partner_city", "focal_office")

    def for_list(self) -> Self:
        """What a row of the partners list shows and no more: the two cities' names and the
        partner's country (no focal office, no profiles or summaries), and ``field_names``,
        the names of its fields of cooperation in name order, read in the same query for
        the rows shown (issue 16: the list's first view after a change spent more time
        building and rendering model instances than reading its rows)."""
        names = (
            FieldOfCooperation.objects.filter(partnerships=models.OuterRef("pk"))
            .order_by("name")
            .values("name")
        )
        return (
            self.select_related("home_city", "partner_city")
            .only(*PARTNERSHIP_ROW_FIELDS)
            .annotate(field_names=ListSubquery(names))
        )

    def followed_by(self, user: User) -> Self:
        return self.filter(followers=user)

    def round_anniversaries(self, *, on: dt.date | None = None) -> Self:
        """Established a round number of years ago (5, 10, 15…) within the next 12 months.

        Soonest first; ``Partnership.next_anniversary`` gives the years and the date.
        """
        on = on or timezone.localdate()
        return round_anniversary_within_year(
            self.exclude(status=Partnership.Status.ENDED), "established_on", on
        )


class Partnership(Record):
    """The relation between one of our cities and a partner city (Hà Nội – Minsk since 2004)."""

    class Kind(models.TextChoices):
        SISTER_CITY = "sister_city", _("sister city")
        FRIENDSHIP = "friendship", _("friendship and cooperation")
        COOPERATION = "cooperation", _("cooperation")

    class Status(models.TextChoices):
        PROSPECTIVE = "prospective", _("prospective")
        ACTIVE = "active", _("active")
        DORMANT = "dormant", _("dormant")
        ENDED = "ended", _("ended")

    home_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        related_name="home_partnerships",
        verbose_name=_("home city"),
    )
    partner_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        related_name="partner_partnerships",
        verbose_name=_("partner city"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FRIENDSHIP)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    established_on_precision = models.CharField(
        _("established on: precision"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
    focal_office = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="focal_partnerships",
        verbose_name=_("focal office"),
    )
    fields = models.ManyToManyField(
        FieldOfCooperation,
        blank=True,
        related_name="partnerships",
        verbose_name=_("fields of cooperation"),
    )
    summary = models.TextField(_("summary"), blank=True)
    # The staff who look after the partnership (issue 15): their e-mail reminders and My
    # work include its expiring agreements and coming visits, whether or not any of its
    # action items is assigned to them.
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="followed_partnerships",
        verbose_name=_("followed by"),
        help_text=_(
            "Staff accounts who look after this partnership: their reminders include its "
            "expiring agreements and coming visits."
        ),
    )

    history = HistoricalRecords(m2m_fields=[fields, followers])
    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["home_city__name", "partner_city__name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["home_city", "partner_city"], name="partnership_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(home_city=models.F("partner_city")),
                name="partnership_two_different_cities",
            ),
            partial_date_constraint("established_on", "partnership"),
        ]
        indexes = [
            models.Index(
                anniversary_key("established_on"),
                F("id"),
                name="partnership_anniversary",
                condition=~Q(status="ended"),
            ),
            # The calendar's anniversaries, of every partnership (ended ones too): the
            # few of its weeks, not every partnership's date computed (issue 16).
            models.Index(
                anniversary_key("established_on"),
                F("id"),
                include=["established_on", "established_on_precision"],
                name="partnership_anniversary_any",
            ),
        ]

    # The separator of its two cities' names, here and in ``name_in_sql``.
    NAME_SEPARATOR = " – "

    def __str__(self) -> str:
        return f"{self.home_city}{self.NAME_SEPARATOR}{self.partner_city}"

    @staticmethod
    def name_in_sql() -> Concat:
        """``str(partnership)`` as the database writes it, for a queryset of partnerships
        (its cities' names either side of ``NAME_SEPARATOR``)."""
        return Concat("home_city__name", Value(Partnership.NAME_SEPARATOR), "partner_city__name")

    def clean(self) -> None:
        if self.home_city_id and not self.home_city.is_home:
            raise ValidationError({"home_city": _("Choose one of our home cities.")})

    @property
    def established(self) -> PartialDate | None:
        return PartialDate.of(self.established_on, self.established_on_precision)

    def next_anniversary(self, on: dt.date | None = None) -> tuple[int, PartialDate] | None:
        """The next round anniversary (5, 10, 15… years) on or after ``on``: (years, date)."""
        return next_round_anniversary(self.established, on or timezone.localdate())

    def get_absolute_url(self) -> str:
        return reverse("partnerships:partnership_detail", args=[self.pk])

    def set_followed(self, user: User, *, follow: bool) -> None:
        """``user`` follows the partnership or stops; changed from this side so that the
        partnership's history records it."""
        if follow:
            self.followers.add(user)
        else:
            self.followers.remove(user)

    def counterpart_positions(self, on: dt.date | None = None) -> PositionQuerySet:
        """Who holds office now in the partner city's organisations (the people we deal with)."""
        return (
            Position.objects.held_on(on or timezone.localdate())
            .filter(organisation__city=self.partner_city_id)
            .select_related("person", "organisation")
            .order_by("organisation__name", "person__full_name")
        )


def next_round_anniversary(
    since: PartialDate | None, on: dt.date
) -> tuple[int, PartialDate] | None:
    """Next multiple of five years after ``since`` that falls on or after ``on``.

    A date known to the year has its anniversary in that year (compared by year).
    """
    if since is None:
        return None
    years = on.year - since.year
    years = max(ANNIVERSARY_STEP, -(-years // ANNIVERSARY_STEP) * ANNIVERSARY_STEP)
    while True:
        when = _shift_years(since, years)
        if when.last_day() >= on:
            return years, when
        years += ANNIVERSARY_STEP


def round_anniversary_within_year[QS: models.QuerySet[Any]](
    queryset: QS, field: str, on: dt.date, step: int = ANNIVERSARY_STEP
) -> QS:
    """Rows whose partial date ``field`` has a round anniversary from ``on`` to a year later.

    The same rule as ``next_round_anniversary`` (a date known to the year or month
    has its anniversary all that year or month), evaluated in the database so the
    dashboard can cap and count without loading every row. Soonest first.
    """
    precision = f"{field}_precision"
    month, day = f"{field}__month", f"{field}__day"
    this_year_left = (
        Q(**{precision: Precision.YEAR})
        | Q(**{precision: Precision.MONTH, f"{month}__gte": on.month})
        | Q(**{f"{month}__gt": on.month})
        | Q(**{month: on.month, f"{day}__gte": on.day})
    )
    next_year_until = (
        Q(**{precision: Precision.YEAR})
        | Q(**{precision: Precision.MONTH, f"{month}__lte": on.month})
        | Q(**{f"{month}__lt": on.month})
        | Q(**{month: on.month, f"{day}__lte": on.day})
    )
    this_year = Q(_anniversary_step=on.year % step, **{f"{field}__year__lt": on.year})
    next_year = Q(_anniversary_step=(on.year + 1) % step, **{f"{field}__year__lt": on.year + 1})
    return (
        queryset.filter(**{f"{field}__isnull": False})
        .annotate(_anniversary_step=Mod(ExtractYear(field), Value(step)))
        .filter((this_year & this_year_left) | (next_year & next_year_until))
        .annotate(
            _anniversary_next_year=Case(
                When(_anniversary_step=on.year % step, then=Value(0)), default=Value(1)
            )
        )
        .order_by("_anniversary_next_year", ExtractMonth(field), ExtractDay(field), "pk")
    )


def round_anniversary_branches[QS: models.QuerySet[Any]](
    queryset: QS, field: str, on: dt.date, step: int = ANNIVERSARY_STEP
) -> list[QS]:
    """``round_anniversary_within_year`` as four ranges of the indexed ``anniversary_key``.

    Each is ordered by ``_anniversary_key`` and pk (the index's order), annotated with
    ``_anniversary_next_year`` (0 this year, 1 the next); sorted on (that, key, pk) their
    union is ``round_anniversary_within_year`` in its order. Slice each to read the first
    rows or count up to a cap from the index, never the whole archive:

    1. dates known to the year (1 January), anniversary this year, today or before;
    2. dates known to this month (its 1st), anniversary this month, before today;
    3. anniversary this year from today on (any precision: the period has not ended);
    4. anniversary next year, until today's month and day (a period that has begun).
    """
    precision = f"{field}_precision"
    cycle = ANNIVERSARY_CYCLE
    this, following = (on.year % step) * cycle, ((on.year + 1) % step) * cycle
    today = on.month * 100 + on.day
    this_month = this + on.month * 100 + 1
    keyed = queryset.annotate(_anniversary_key=anniversary_key(field))
    this_year = keyed.filter(**{f"{field}__year__lt": on.year}).annotate(
        _anniversary_next_year=Value(0)
    )
    branches = [
        this_year.filter(_anniversary_key=this + 101, **{precision: Precision.YEAR}).filter(
            _anniversary_key__lt=this + today
        ),
        this_year.filter(_anniversary_key=this_month, **{precision: Precision.MONTH}).filter(
            _anniversary_key__lt=this + today
        ),
        this_year.filter(_anniversary_key__gte=this + today, _anniversary_key__lte=this + 1231),
        keyed.filter(
            **{f"{field}__year__lt": on.year + 1},
            _anniversary_key__gte=following + 101,
            _anniversary_key__lte=following + today,
        ).annotate(_anniversary_next_year=Value(1)),
    ]
    return [branch.order_by("_anniversary_key", "pk") for branch in branches]


def _shift_years(since: PartialDate, years: int) -> PartialDate:
    try:
        day = since.date.replace(year=since.year + years)
    except ValueError:  # 29 February
        day = since.date.replace(year=since.year + years, day=28)
    return PartialDate(day, since.precision)
