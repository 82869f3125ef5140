"""Bulk demo data at the size of a big office's archive, for the benchmark.

``seed_bulk(scale=1)`` adds, on top of the demo data: 300 partner cities in 80
countries (with alternative names), their organisations, 5,000 people with
position histories, 10,000 agreements in implements/renews chains (with parties,
fields and signatories), 20,000 visits with about 5 participants and 6 programme
items each, 100,000 action items with about 3 progress updates each. All text is
Vietnamese with diacritics, composed from word lists.

Everything is drawn from one seeded ``random.Random``: the same seed, scale,
reference date and starting database give the same rows. Rows are written with
PostgreSQL COPY (``bulk_create`` elsewhere) with ids allocated up front, so the
database still checks every constraint but no history rows are written: the
generated records have no django-simple-history history. The tables' secondary
indexes, foreign keys and activity-count triggers are set aside during the load and
put back after it (``demo.bulk_load``), which keeps the cost linear in the scale.

Generation and writing are separated: the generator hands batches of rows to a
*sink*; ``DatabaseSink`` writes them, ``DigestSink`` only fingerprints them
(used to check determinism without touching the database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import operator
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django_countries import countries

from agreements.models import Agreement, Signatory
from common.partialdate import Precision
from common.text import fold
from delegations.models import ActionItem, Engagement, ProgressUpdate, Visit, VisitParticipant
from demo.bulk_load import bulk_load
from partnerships.models import (
    City,
    CityName,
    FieldOfCooperation,
    Organisation,
    Partnership,
    Person,
    Position,
)

# Every generated agreement's reference starts with this: it marks a seeded database.
REFERENCE_PREFIX = "SB-"
RARE_PERSON = "Khúc Thừa Quyên"

BASE = {
    "partner_cities": 300,
    "countries": 80,
    "people": 5_000,
    "agreements": 10_000,
    "visits": 20_000,
    "action_items": 100_000,
}
BATCH = 5_000
# Countries partner cities may be drawn from (sampled without replacement, so a cap on "countries").
COUNTRY_CODES = sorted(code for code, _ in countries if code != "VN")
HOME_PEOPLE_PER_FIVE = 2  # of every five people generated, two work in a home city

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Đoàn",
    "Lương",
    "Mai",
    "Tạ",
    "Cao",
    "Chu",
    "Kiều",
    "Lại",
    "Quách",
    "Thái",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Quang",
    "Thanh",
    "Ngọc",
    "Thu",
    "Hoài",
    "Xuân",
    "Quốc",
    "Gia",
    "Bảo",
    "Kim",
    "Thế",
    "Đình",
    "Công",
    "Mạnh",
    "Diệu",
]
GIVEN = [
    "An",
    "Anh",
    "Bình",
    "Châu",
    "Chi",
    "Cường",
    "Dũng",
    "Duy",
    "Đạt",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Hương",
    "Huy",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Ngọc",
    "Nhung",
    "Phong",
    "Phúc",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Thảo",
    "Thủy",
    "Trang",
    "Trung",
    "Tuấn",
    "Tùng",
    "Vân",
    "Việt",
    "Yến",
    "Hằng",
    "Đông",
    "Nghĩa",
    "Lực",
    "Thịnh",
    "Ánh",
    "Ước",
    "Ưng",
    "Đào",
]
SYLLABLES = [
    "Ma",
    "Ri",
    "Bê",
    "Lô",
    "Xơ",
    "Ta",
    "Va",
    "Ni",
    "Cô",
    "Pa",
    "La",
    "Mi",
    "Đa",
    "Nô",
    "Gi",
    "Tê",
    "Ca",
    "Bu",
    "Gơ",
    "Lin",
    "Xan",
    "Pê",
    "Tơ",
    "Ô",
    "Phơ",
    "Rây",
    "Đen",
    "Ki",
    "Rô",
    "Xta",
    "Vích",
    "Gra",
    "Bơ",
    "Mu",
    "Sa",
    "Ê",
    "Hăm",
    "Lép",
    "Tô",
    "Xi",
    "Uy",
    "Lơ",
]
PLACES = (
    "Nhà hát Lớn",
    "Văn Miếu – Quốc Tử Giám",
    "Trung tâm Hội nghị Quốc gia",
    "Bảo tàng Lịch sử",
    "Khu công nghệ cao",
    "Trường Đại học Bách khoa",
    "Bệnh viện Đa khoa",
    "Cảng hàng không quốc tế",
    "Khu đô thị mới",
    "Làng nghề truyền thống",
)
KIND_LABELS = {
    Agreement.Kind.FRIENDSHIP: ("Thỏa thuận thiết lập quan hệ hữu nghị và hợp tác", "Friendship"),
    Agreement.Kind.PROGRAMME: ("Chương trình hợp tác", "Cooperation programme"),
    Agreement.Kind.MOU: ("Biên bản ghi nhớ hợp tác", "Memorandum of understanding"),
    Agreement.Kind.LETTER_OF_INTENT: ("Thư ý định hợp tác", "Letter of intent"),
    Agreement.Kind.ANNUAL_PLAN: ("Kế hoạch hợp tác", "Annual cooperation plan"),
}
TITLES_HOME = (
    ("Chủ tịch", "Chairman"),
    ("Phó Chủ tịch", "Vice Chairman"),
    ("Giám đốc", "Director"),
    ("Phó Giám đốc", "Deputy Director"),
    ("Trưởng phòng", "Head of Division"),
    ("Chuyên viên chính", "Senior Officer"),
)
TITLES_PARTNER = (
    ("Thị trưởng", "Mayor"),
    ("Phó Thị trưởng", "Deputy Mayor"),
    ("Chủ tịch Hội đồng thành phố", "Chair of the City Council"),
    ("Giám đốc Sở", "Director of Department"),
    ("Cố vấn", "Adviser"),
    ("Hiệu trưởng", "Rector"),
)
ACTIONS = (
    "Tổ chức Tuần văn hóa {home} tại {partner}",
    "Trao đổi đoàn học sinh, sinh viên giữa hai thành phố",
    "Xây dựng kế hoạch hợp tác về {field}",
    "Cử chuyên gia sang tập huấn về {field}",
    "Đăng cai diễn đàn xúc tiến đầu tư {home} – {partner}",
    "Hoàn thiện dự thảo biên bản ghi nhớ về {field}",
    "Mời đoàn doanh nghiệp {partner} dự hội chợ thương mại",
    "Chuẩn bị kỷ niệm năm thiết lập quan hệ hữu nghị",
    "Nghiên cứu mô hình quản lý đô thị thông minh của {partner}",
    "Phối hợp tổ chức triển lãm ảnh về đất nước, con người Việt Nam",
)
NOTES = (
    "Đã gửi công văn đề nghị phía bạn cho ý kiến.",
    "Phía bạn đã phản hồi, đang thống nhất chương trình chi tiết.",
    "Đã họp liên ngành, giao Sở chủ trì xây dựng kế hoạch.",
    "Chờ ý kiến của Ủy ban nhân dân thành phố.",
    "Đã hoàn thành, báo cáo kết quả gửi Thường trực Thành ủy.",
    "Tạm hoãn do điều chỉnh kế hoạch ngân sách.",
)
ENGAGEMENT_TITLES = (
    (Engagement.Kind.TALKS, "Hội đàm với lãnh đạo {org}"),
    (Engagement.Kind.COURTESY_CALL, "Chào xã giao {org}"),
    (Engagement.Kind.SIGNING, "Lễ ký kết văn bản hợp tác"),
    (Engagement.Kind.CULTURAL_EVENT, "Dự chương trình giao lưu văn hóa nghệ thuật"),
    (Engagement.Kind.FORUM, "Diễn đàn xúc tiến thương mại và đầu tư"),
    (Engagement.Kind.SITE_VISIT, "Thăm quan {place}"),
    (Engagement.Kind.CEREMONY, "Lễ dâng hoa tưởng niệm"),
)

# Read once: an enum's ``.values`` builds a new list each time, and it is drawn from a
# million times at scale 10.
VISIT_DIRECTIONS = Visit.Direction.values
ITEM_STATUSES = ActionItem.Status.values


def counts(scale: float) -> dict[str, int]:
    """Row targets for ``scale``; every kind has at least a couple so tiny scales still link up."""
    out = {name: max(2, round(n * scale)) for name, n in BASE.items()}
    out["countries"] = max(2, min(out["countries"], out["partner_cities"], len(COUNTRY_CODES)))
    return out


def ascii_name(text: str) -> str:
    return fold(text).replace("-", "").title()


# ---------------------------------------------------------------------------
# Sinks: where generated rows go.


# One row as written: the values of the table's columns in order.
type Row = tuple[Any, ...]


class Sink(Protocol):
    rows: dict[str, int]  # rows written per table

    def write(self, table: str, columns: list[str], rows: list[Row]) -> None: ...


class DigestSink:
    """Fingerprints every row instead of writing it (determinism checks)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.rows: dict[str, int] = defaultdict(int)

    def write(self, table: str, columns: list[str], rows: list[Row]) -> None:
        self.rows[table] += len(rows)
        self.digest.update(repr((table, columns, rows)).encode())

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


class DatabaseSink:
    """Writes rows with COPY on PostgreSQL, with executemany elsewhere."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = defaultdict(int)

    def write(self, table: str, columns: list[str], rows: list[Row]) -> None:
        if not rows:
            return
        self.rows[table] += len(rows)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                table_name = connection.ops.quote_name(table)
                cursor.executemany(
                    f"INSERT INTO {table_name} ({quoted}) VALUES ({marks})",  # noqa: S608 (names quoted by the backend, values are parameters)
                    rows,
                )


class Table:
    """Buffers dict rows for one model (or M2M table), filling defaults, flushing in batches."""

    def __init__(self, sink: Sink, model: type[models.Model], now: dt.datetime) -> None:
        self.sink, self.model = sink, model
        self.fields = list(model._meta.concrete_fields)
        # A concrete field always has its column (None only for fields without one).
        self.columns = cast("list[str]", [f.column for f in self.fields])
        self.now = now
        self.buffer: list[Row] = []
        # What a row leaves out is filled in: a value decided once per table (most of
        # them), or one made for each row (a callable default); a field with neither
        # must be given. Rows are a million at scale 10: deciding this per row and field
        # was half the generator's time.
        self.fixed: dict[str, Any] = {}
        self.made: dict[str, Callable[[], Any]] = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.fixed[f.attname] = now
            elif f.has_default():
                if callable(f.default):
                    self.made[f.attname] = f.get_default
                else:
                    self.fixed[f.attname] = f.get_default()
            elif f.null:
                self.fixed[f.attname] = None
            elif f.blank and isinstance(f, models.CharField | models.TextField | models.FileField):
                self.fixed[f.attname] = ""
        attnames = [f.attname for f in self.fields]
        pick = operator.itemgetter(*attnames)
        self.pick: Callable[[dict[str, Any]], Row] = (
            pick if len(attnames) > 1 else lambda row: (pick(row),)
        )

    def add(self, **row: Any) -> None:
        for name, make in self.made.items():
            if name not in row:
                row[name] = make()
        try:
            values = self.pick({**self.fixed, **row})
        except KeyError as missing:
            raise ValueError(f"{self.model.__name__}.{missing.args[0]} needs a value") from None
        self.buffer.append(values)
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.sink.write(self.model._meta.db_table, self.columns, self.buffer)
            self.buffer = []


def written_models() -> list[type[models.Model]]:
    """The models (and many-to-many tables) the generator writes rows of."""
    return [
        City,
        CityName,
        Organisation,
        Person,
        Position,
        Partnership,
        Partnership.fields.through,
        Agreement,
        Agreement.parties.through,
        Agreement.fields.through,
        Signatory,
        Visit,
        Visit.agreements_signed.through,
        VisitParticipant,
        Engagement,
        Engagement.counterparts.through,
        ActionItem,
        ProgressUpdate,
    ]


# ---------------------------------------------------------------------------
# Context read from the database (home cities, fields, existing names).


@dataclass
class Context:
    home_cities: list[tuple[int, str]]  # (id, name)
    home_orgs: dict[int, list[int]]  # city id -> organisation ids (city government first)
    foreign_affairs: dict[int, int | None]  # city id -> Sở Ngoại vụ id
    fields: list[tuple[int, str]]  # (id, name)
    taken_cities: set[tuple[str, str]] = field(default_factory=set)
    taken_orgs: set[tuple[str, str]] = field(default_factory=set)
    next_ids: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_database(cls) -> Context:
        homes = list(City.objects.home().order_by("pk").values_list("pk", "name"))
        home_orgs: dict[int, list[int]] = {}
        affairs: dict[int, int | None] = {}
        for pk, _name in homes:
            orgs = Organisation.objects.filter(city_id=pk).order_by("pk")
            gov = [o.pk for o in orgs if o.kind == Organisation.Kind.CITY_GOVERNMENT]
            home_orgs[pk] = gov + [o.pk for o in orgs if o.pk not in gov]
            affairs[pk] = next((o.pk for o in orgs if "Ngoại vụ" in o.name), None)
        next_ids = {
            m._meta.db_table: (m._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1
            for m in written_models()
        }
        return cls(
            home_cities=homes,
            home_orgs=home_orgs,
            foreign_affairs=affairs,
            fields=list(FieldOfCooperation.objects.order_by("pk").values_list("pk", "name")),
            taken_cities={(c, n) for c, n in City.objects.values_list("country", "name")},
            taken_orgs={(c, n) for c, n in Organisation.objects.values_list("country", "name")},
            next_ids=next_ids,
        )


# ---------------------------------------------------------------------------
# The generator.


@dataclass
class PersonInfo:
    id: int
    title: str
    org: int


@dataclass
class PartnershipInfo:
    id: int
    home: int
    partner: int
    home_name: str
    partner_name: str
    established: int
    partner_orgs: list[int]
    agreements: list[tuple[int, dt.date | None]] = field(default_factory=list)


@dataclass
class _Chain:
    """A partnership's agreements so far that a new one may renew or implement."""

    root: int | None = None  # the latest friendship agreement
    programme: int | None = None  # the latest cooperation programme
    previous_mou: int | None = None  # the latest memorandum of understanding

    def record(self, kind: str, agreement_id: int) -> None:
        if kind == Agreement.Kind.FRIENDSHIP:
            self.root = agreement_id
        elif kind == Agreement.Kind.PROGRAMME:
            self.programme = agreement_id
        elif kind == Agreement.Kind.MOU:
            self.previous_mou = agreement_id


class Generator:
    def __init__(
        self, ctx: Context, sink: Sink, *, scale: float, seed: int, today: dt.date
    ) -> None:
        if not ctx.home_cities:
            raise ValueError("Load the demo data first: no home city found.")
        if not ctx.fields:
            raise ValueError("Load the demo data first: no field of cooperation found.")
        self.ctx, self.sink, self.today = ctx, sink, today
        self.n = counts(scale)
        self.rng = random.Random(seed)  # noqa: S311 (made-up data, reproducible by seed)
        self.now = timezone.make_aware(dt.datetime.combine(today, dt.time(9, 0)))
        self.tables: dict[type, Table] = {}
        self.ids = dict(ctx.next_ids)
        self.host: int | None = None  # the counterpart host of the visit being generated

    # helpers
    def chance(self, probability: float) -> bool:
        """True with ``probability`` (one draw)."""
        return self.rng.random() < probability

    def table(self, model: type[models.Model]) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(self.sink, model, self.now)
        return self.tables[model]

    def new_id(self, model: type[models.Model]) -> int:
        key = model._meta.db_table
        value = self.ids[key]
        self.ids[key] = value + 1
        return value

    def add(self, model: type[models.Model], **row: Any) -> int:
        row_id = row.pop("id", None) or self.new_id(model)
        self.table(model).add(id=row_id, **row)
        return row_id

    def flush(self, *models_: type[models.Model]) -> None:
        for model in models_:
            if model in self.tables:
                self.tables[model].flush()

    def person_name(self) -> str:
        r = self.rng
        return f"{r.choice(SURNAMES)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        span = max(0, (end - start).days)
        return start + dt.timedelta(days=self.rng.randint(0, span))

    def partial(self, day: dt.date, weights: Sequence[float] = (70, 20, 10)) -> tuple[dt.date, str]:
        precision = self.rng.choices([Precision.DAY, Precision.MONTH, Precision.YEAR], weights)[0]
        if precision == Precision.MONTH:
            return day.replace(day=1), precision
        if precision == Precision.YEAR:
            return day.replace(month=1, day=1), precision
        return day, precision

    def weighted[T](self, items: list[T], k: int, exponent: float = 0.9) -> list[T]:
        """``k`` draws from ``items``, the first ones far more often (a few big partnerships)."""
        cum = list(itertools.accumulate(1 / (i + 1) ** exponent for i in range(len(items))))
        return self.rng.choices(items, cum_weights=cum, k=k)

    # generation
    def run(self) -> dict[str, int]:
        self.make_cities()
        self.make_people()
        self.make_partnerships()
        self.make_agreements()
        self.make_visits_and_actions()
        for t in self.tables.values():
            t.flush()
        return self.ids

    def make_cities(self) -> None:
        r = self.rng
        chosen = r.sample(COUNTRY_CODES, min(self.n["countries"], len(COUNTRY_CODES)))
        self.partner_cities: list[tuple[int, str, str]] = []  # (id, name, country)
        self.city_orgs: dict[int, list[int]] = {}
        for i in range(self.n["partner_cities"]):
            country = chosen[i % len(chosen)]
            while True:
                name = "-".join(r.choice(SYLLABLES) for _ in range(r.randint(2, 4))).capitalize()
                if (country, name) not in self.ctx.taken_cities:
                    break
            self.ctx.taken_cities.add((country, name))
            english = ascii_name(name)
            city_id = self.add(
                City,
                name=name,
                name_en=english,
                name_local=english,
                country=country,
                region="",
                latitude=round(r.uniform(-60, 70), 6),
                longitude=round(r.uniform(-170, 170), 6),
                is_home=False,
                population=r.randint(50_000, 12_000_000),
                population_year=r.randint(2015, 2024),
                profile=f"Thành phố {name} là trung tâm kinh tế, văn hóa của vùng.",
            )
            self.add(CityName, city_id=city_id, name=f"Thành phố {name}", language="vi")
            if self.chance(0.6):
                self.add(CityName, city_id=city_id, name=f"{english} City", language="en")
            self.partner_cities.append((city_id, name, country))
            orgs = []
            for kind, label in (
                (Organisation.Kind.CITY_GOVERNMENT, "Chính quyền thành phố"),
                (Organisation.Kind.PEOPLES_COUNCIL, "Hội đồng thành phố"),
                (Organisation.Kind.DEPARTMENT, "Sở Văn hóa và Du lịch thành phố"),
                (Organisation.Kind.DEPARTMENT, "Sở Giáo dục thành phố"),
                (Organisation.Kind.EDUCATION, "Đại học Tổng hợp"),
            ):
                org_name = f"{label} {name}"
                if (country, org_name) in self.ctx.taken_orgs:
                    continue
                self.ctx.taken_orgs.add((country, org_name))
                orgs.append(
                    self.add(
                        Organisation,
                        name=org_name,
                        name_en=f"{ascii_name(label)} {english}",
                        kind=kind,
                        country=country,
                        city_id=city_id,
                    )
                )
            self.city_orgs[city_id] = orgs
        for home_id, home_name in self.ctx.home_cities:
            orgs = list(self.ctx.home_orgs.get(home_id, []))
            for _code, field_name in self.ctx.fields[:8]:
                org_name = f"Sở {field_name} {home_name}"
                if ("VN", org_name) in self.ctx.taken_orgs:
                    continue
                self.ctx.taken_orgs.add(("VN", org_name))
                orgs.append(
                    self.add(
                        Organisation,
                        name=org_name,
                        name_en=f"Department of {ascii_name(field_name)}, {ascii_name(home_name)}",
                        abbreviation=f"Sở {field_name}",
                        kind=Organisation.Kind.DEPARTMENT,
                        country="VN",
                        city_id=home_id,
                    )
                )
            self.city_orgs[home_id] = orgs
        self.flush(City, CityName, Organisation)

    def make_people(self) -> None:
        r = self.rng
        self.people: dict[int, list[PersonInfo]] = defaultdict(list)  # city id -> people
        home_ids = [h for h, _ in self.ctx.home_cities]
        partner_ids = [c for c, _, _ in self.partner_cities]
        country_of = {c: country for c, _, country in self.partner_cities}
        total = self.n["people"]
        home_turn, partner_turn = itertools.cycle(home_ids), itertools.cycle(partner_ids)
        for i in range(total):
            city = next(home_turn) if i % 5 < HOME_PEOPLE_PER_FIVE else next(partner_turn)
            is_home = city in home_ids
            name = RARE_PERSON if i == total // 2 else self.person_name()
            person_id = self.add(
                Person,
                full_name=name,
                name_latin=ascii_name(name),
                country="VN" if is_home else country_of[city],
                email=f"{fold(name).replace(' ', '.')}.{i}@example.org",
            )
            orgs = self.city_orgs[city] or self.ctx.home_orgs.get(city, [])
            titles = TITLES_HOME if is_home else TITLES_PARTNER
            start = dt.date(r.randint(1995, 2018), r.randint(1, 12), r.randint(1, 28))
            title, org = titles[0], orgs[0]
            for _ in range(r.choice((1, 1, 2, 2, 3))):
                title, org = r.choice(titles), r.choice(orgs)
                start_on, start_precision = self.partial(start)
                end = start + dt.timedelta(days=r.randint(400, 2500))
                ended = end < self.today
                end_on, end_precision = self.partial(end) if ended else (None, Precision.DAY)
                self.add(
                    Position,
                    person_id=person_id,
                    organisation_id=org,
                    title=title[0],
                    title_en=title[1],
                    start=start_on,
                    start_precision=start_precision,
                    end=end_on,
                    end_precision=end_precision,
                )
                if not ended:
                    break
                start = end + dt.timedelta(days=r.randint(1, 200))
            self.people[city].append(PersonInfo(person_id, title[0], org))
        self.flush(Person, Position)

    def make_partnerships(self) -> None:
        r = self.rng
        self.partnerships: list[PartnershipInfo] = []
        for city_id, name, _country in self.partner_cities:
            homes = [h for h in self.ctx.home_cities if self.chance(0.65)] or [
                r.choice(self.ctx.home_cities)
            ]
            for home_id, home_name in homes:
                established = r.randint(1975, 2022)
                day, precision = self.partial(
                    dt.date(established, r.randint(1, 12), r.randint(1, 28)), (50, 20, 30)
                )
                kind = r.choice(Partnership.Kind.values)
                pid = self.add(
                    Partnership,
                    home_city_id=home_id,
                    partner_city_id=city_id,
                    kind=kind,
                    status=r.choices(Partnership.Status.values, (5, 80, 10, 5))[0],
                    established_on=day,
                    established_on_precision=precision,
                    focal_office_id=self.ctx.foreign_affairs.get(home_id),
                    summary=f"Quan hệ hữu nghị và hợp tác giữa {home_name} và {name} "
                    f"được thiết lập năm {established}.",
                )
                for fid, _ in r.sample(self.ctx.fields, min(3, len(self.ctx.fields))):
                    self.add(
                        Partnership.fields.through, partnership_id=pid, fieldofcooperation_id=fid
                    )
                self.partnerships.append(
                    PartnershipInfo(
                        pid, home_id, city_id, home_name, name, established, self.city_orgs[city_id]
                    )
                )
        r.shuffle(self.partnerships)
        self.flush(Partnership, Partnership.fields.through)

    def make_agreements(self) -> None:
        drawn = self.weighted(self.partnerships, self.n["agreements"])
        per: dict[int, int] = defaultdict(int)
        for p in drawn:
            per[p.id] += 1
        seq = itertools.count(1)
        for p in self.partnerships:
            n = per.get(p.id, 0)
            if not n:
                continue
            first = dt.date(max(p.established, 1980), 1, 1)
            last = self.today + dt.timedelta(days=120)
            days = sorted(self.date_between(first, last) for _ in range(n))
            chain = _Chain()
            for day in days:
                self.agreement(p, day, chain, seq)
        self.flush(
            Agreement,
            Agreement.parties.through,
            Agreement.fields.through,
            Signatory,
        )

    def agreement(
        self, p: PartnershipInfo, day: dt.date, chain: _Chain, seq: Iterator[int]
    ) -> None:
        """One agreement of ``p`` made on ``day``, hung from the ``chain`` of earlier ones."""
        r = self.rng
        kind = self.agreement_kind(chain)
        parent, relation = self.agreement_parent(kind, chain)
        pending = day > self.today - dt.timedelta(days=30) and self.chance(0.5)
        signed_on, precision = (None, Precision.DAY) if pending else self.partial(day)
        years = {Agreement.Kind.ANNUAL_PLAN: 1}.get(kind, r.choice((3, 5, 5, 10)))
        valid_from = day if signed_on and precision == Precision.DAY else None
        valid_until = (
            day + dt.timedelta(days=365 * years - 1) if signed_on and self.chance(0.85) else None
        )
        status = self.agreement_status(pending=pending, valid_until=valid_until)
        field_id, field_name = r.choice(self.ctx.fields)
        label, label_en = KIND_LABELS[kind]
        year = day.year
        aid = self.add(
            Agreement,
            partnership_id=p.id,
            reference=f"{REFERENCE_PREFIX}{p.id:04d}-{year}-{next(seq):05d}",
            kind=kind,
            title=f"{label} giữa {p.home_name} và {p.partner_name} về {field_name.lower()} "
            f"giai đoạn {year}–{year + years}",
            title_en=f"{label_en} between {ascii_name(p.home_name)} and "
            f"{ascii_name(p.partner_name)}, {year}–{year + years}",
            parent_id=parent,
            parent_relation=relation,
            signed_on=signed_on,
            signed_on_precision=precision,
            signed_at=p.home_name if self.chance(0.5) else p.partner_name,
            valid_from=valid_from,
            valid_until=valid_until,
            status=status,
            notes="Bản chính lưu tại Sở Ngoại vụ." if self.chance(0.3) else "",
        )
        p.agreements.append((aid, signed_on))
        chain.record(kind, aid)
        for org in {self.city_orgs[p.home][0], p.partner_orgs[0]}:
            self.add(Agreement.parties.through, agreement_id=aid, organisation_id=org)
        self.add(Agreement.fields.through, agreement_id=aid, fieldofcooperation_id=field_id)
        if signed_on:
            self.signatories(aid, p)

    def agreement_kind(self, chain: _Chain) -> Agreement.Kind:
        """A partnership's first agreement is its friendship agreement; then any kind."""
        if chain.root is None:
            return Agreement.Kind.FRIENDSHIP
        kinds = [
            Agreement.Kind.FRIENDSHIP,
            Agreement.Kind.PROGRAMME,
            Agreement.Kind.MOU,
            Agreement.Kind.LETTER_OF_INTENT,
            Agreement.Kind.ANNUAL_PLAN,
        ]
        return self.rng.choices(kinds, (5, 25, 30, 10, 30))[0]

    def agreement_parent(self, kind: str, chain: _Chain) -> tuple[int | None, str]:
        """The agreement a new one of ``kind`` renews or implements, and which of the two."""
        if kind == Agreement.Kind.FRIENDSHIP and chain.root:
            return chain.root, Agreement.Relation.RENEWS
        if kind == Agreement.Kind.PROGRAMME and chain.root:
            return chain.root, Agreement.Relation.IMPLEMENTS
        if kind == Agreement.Kind.ANNUAL_PLAN and (chain.programme or chain.root):
            return chain.programme or chain.root, Agreement.Relation.IMPLEMENTS
        if kind == Agreement.Kind.MOU and chain.previous_mou and self.chance(0.5):
            return chain.previous_mou, Agreement.Relation.RENEWS
        return None, ""

    def agreement_status(self, *, pending: bool, valid_until: dt.date | None) -> str:
        r = self.rng
        if pending:
            return r.choice((Agreement.Status.DRAFT, Agreement.Status.NEGOTIATION))
        if valid_until and valid_until < self.today:
            return r.choices((Agreement.Status.EXPIRED, Agreement.Status.SUPERSEDED), (3, 1))[0]
        return r.choices((Agreement.Status.IN_FORCE, Agreement.Status.TERMINATED), (30, 1))[0]

    def signatories(self, agreement_id: int, p: PartnershipInfo) -> None:
        r = self.rng
        seen: set[int] = set()
        for city in (p.home, p.partner):
            pool = self.people.get(city)
            if not pool:
                continue
            person = r.choice(pool)
            if person.id in seen:
                continue
            seen.add(person.id)
            self.add(
                Signatory,
                agreement_id=agreement_id,
                person_id=person.id,
                role=Signatory.Role.SIGNATORY,
                position_title=person.title,
                organisation_id=person.org,
            )

    def make_visits_and_actions(self) -> None:
        r = self.rng
        drawn = self.weighted(self.partnerships, self.n["visits"])
        actions_per_visit = self.n["action_items"] / self.n["visits"]
        fields = self.ctx.fields
        for p in drawn:
            direction = r.choices(VISIT_DIRECTIONS, (45, 45, 10))[0]
            day = self.date_between(
                dt.date(max(p.established, 1990), 1, 1), self.today + dt.timedelta(days=240)
            )
            length = 0 if direction == Visit.Direction.ONLINE else r.randint(1, 6)
            precision = r.choices([Precision.DAY, Precision.MONTH, None], (92, 6, 2))[0]
            if precision is None:
                start_date, start_precision, end_date = None, Precision.DAY, None
                note = f"{day:%d/%m}, năm không rõ"
            elif precision == Precision.MONTH:
                start_date, start_precision, end_date = day.replace(day=1), precision, None
                note = ""
            else:
                start_date, start_precision = day, precision
                end_date, note = day + dt.timedelta(days=length), ""
            past = day < self.today
            status = (
                r.choices((Visit.Status.COMPLETED, Visit.Status.CANCELLED), (95, 5))[0]
                if past
                else r.choice((Visit.Status.PLANNED, Visit.Status.CONFIRMED))
            )
            incoming = direction == Visit.Direction.INCOMING
            guest, host = (
                (p.partner_name, p.home_name) if incoming else (p.home_name, p.partner_name)
            )
            _field_id, field_name = r.choice(fields)
            vid = self.add(
                Visit,
                partnership_id=p.id,
                direction=direction,
                title=(
                    f"Hội đàm trực tuyến giữa {p.home_name} và {p.partner_name} về {field_name.lower()}"
                    if direction == Visit.Direction.ONLINE
                    else f"Đoàn đại biểu {guest} thăm và làm việc tại {host}"
                ),
                purpose=f"Trao đổi về hợp tác trong lĩnh vực {field_name.lower()}.",
                start_date=start_date,
                start_date_precision=start_precision,
                end_date=end_date,
                date_note=note,
                place=host,
                status=status,
                outcomes="Hai bên thống nhất các nội dung hợp tác trọng tâm." if past else "",
                talking_points="Đề nghị phía bạn tạo điều kiện cho doanh nghiệp hai bên.",
            )
            if p.agreements and self.chance(0.1):
                self.add(
                    Visit.agreements_signed.through,
                    visit_id=vid,
                    agreement_id=r.choice(p.agreements)[0],
                )
            self.participants(vid, p, incoming=incoming)
            exact = start_date is not None and start_precision == Precision.DAY
            self.engagements(vid, p, day if exact else None, length, incoming=incoming)
            n_actions = int(actions_per_visit) + (r.random() < actions_per_visit % 1)
            for _ in range(n_actions):
                self.action_item(p, vid, day)
        self.flush(Visit, Visit.agreements_signed.through, VisitParticipant, Engagement)

    def participants(self, vid: int, p: PartnershipInfo, *, incoming: bool) -> None:
        r = self.rng
        guests = self.people.get(p.partner if incoming else p.home, [])
        hosts = self.people.get(p.home if incoming else p.partner, [])
        chosen = r.sample(guests, min(len(guests), r.randint(3, 6)))
        roles = [VisitParticipant.Role.HEAD, VisitParticipant.Role.DEPUTY]
        for order, person in enumerate(chosen):
            role = roles[order] if order < len(roles) else VisitParticipant.Role.MEMBER
            self.add(
                VisitParticipant,
                visit_id=vid,
                person_id=person.id,
                side=VisitParticipant.Side.DELEGATION,
                role=role,
                position_title=person.title,
                order=order,
            )
        # Guests and hosts are people of two different cities, so no host is a guest
        # already (filtering them out went through all of a home city's people for
        # every visit: 10,000 of them per visit at scale 10).
        if hosts:
            host = r.choice(hosts)
            self.add(
                VisitParticipant,
                visit_id=vid,
                person_id=host.id,
                side=VisitParticipant.Side.COUNTERPART,
                role=VisitParticipant.Role.HOST,
                position_title=host.title,
                order=0,
            )
            self.host = host.id
        else:
            self.host = None

    def engagements(
        self, vid: int, p: PartnershipInfo, day: dt.date | None, length: int, *, incoming: bool
    ) -> None:
        r = self.rng
        host_org = p.home_name if incoming else p.partner_name
        for i in range(r.randint(4, 8)):
            kind, title = r.choice(ENGAGEMENT_TITLES)
            eid = self.add(
                Engagement,
                visit_id=vid,
                date=day + dt.timedelta(days=min(length, i // 2)) if day else None,
                time=dt.time(8 + (i % 2) * 6 + r.randint(0, 2), r.choice((0, 15, 30))),
                kind=kind,
                title=title.format(org=f"thành phố {host_org}", place=r.choice(PLACES)),
                place=r.choice(PLACES),
                summary="Hai bên trao đổi thông tin và thống nhất các bước tiếp theo.",
            )
            if self.host and self.chance(0.5):
                self.add(Engagement.counterparts.through, engagement_id=eid, person_id=self.host)

    def action_item(self, p: PartnershipInfo, vid: int | None, day: dt.date) -> None:
        r = self.rng
        agreement = None
        if p.agreements and self.chance(0.3):
            agreement = r.choice(p.agreements)[0]
        field_id, field_name = r.choice(self.ctx.fields)
        due = day + dt.timedelta(days=r.randint(60, 540))
        due_on: dt.date | None
        due_on, due_precision = self.partial(due, (60, 30, 10))
        if self.chance(0.05):
            due_on, due_precision = None, Precision.DAY
        if due < self.today:
            status = r.choices(ITEM_STATUSES, (5, 10, 15, 60, 10))[0]
        else:
            status = r.choices(ITEM_STATUSES, (20, 50, 30, 0, 0))[0]
        home_orgs = self.city_orgs[p.home]
        aid = self.add(
            ActionItem,
            description=r.choice(ACTIONS).format(
                home=p.home_name, partner=p.partner_name, field=field_name.lower()
            ),
            partnership_id=p.id,
            visit_id=vid,
            agreement_id=agreement,
            field_id=field_id,
            owner_organisation_id=r.choice(home_orgs) if home_orgs else None,
            counterpart_id=r.choice(p.partner_orgs) if p.partner_orgs else None,
            due_on=due_on,
            due_on_precision=due_precision,
            status=status,
            priority=r.choices((1, 2, 3), (2, 5, 3))[0],
        )
        when = day
        for i in range(r.choice((2, 3, 3, 4))):
            when = when + dt.timedelta(days=r.randint(7, 90))
            if when > self.today:
                break
            self.add(
                ProgressUpdate,
                action_item_id=aid,
                date=when,
                note=NOTES[(i + r.randint(0, 1)) % len(NOTES)],
                status_after=ActionItem.Status.IN_PROGRESS if i else ActionItem.Status.AGREED,
            )


def already_seeded() -> int:
    """How many bulk-generated agreements the database holds (0: not seeded)."""
    return Agreement.objects.filter(reference__startswith=REFERENCE_PREFIX).count()


def reset_sequences() -> None:
    from django.apps import apps
    from django.core.management.color import no_style

    tables = list(apps.get_models(include_auto_created=True))
    statements = connection.ops.sequence_reset_sql(no_style(), tables)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def seed_bulk(*, scale: float, seed: int = 2025, today: dt.date | None = None) -> dict[str, int]:
    """Generate and write the bulk data in one transaction; returns rows written per table."""
    today = today or timezone.localdate()
    with transaction.atomic():
        sink = DatabaseSink()
        ctx = Context.from_database()
        with bulk_load([m._meta.db_table for m in written_models()]):
            Generator(ctx, sink, scale=scale, seed=seed, today=today).run()
        reset_sequences()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            merge_gin_pending_lists(cursor)
            cursor.execute("ANALYZE")
    return dict(sink.rows)


def merge_gin_pending_lists(cursor: CursorWrapper) -> None:
    """Move the rows just written out of the GIN pending lists into the indexes proper.

    A GIN index (the trigram indexes of the search) takes new rows into an unsorted
    *pending list* that every search scans whole, and the planner charges for it:
    after a bulk load a few hundred pending pages make a trigram index look dearer
    than reading 25,000 action items. VACUUM merges the list, ANALYZE does not; and
    inside a transaction that is not committed yet (the EXPLAIN tests) VACUUM cannot
    run and autovacuum never sees the rows. ``gin_clean_pending_list`` does the
    merge anywhere, so the seeded database is searched the way a vacuumed one is.
    """
    cursor.execute(
        "SELECT gin_clean_pending_list(i.indexrelid)"
        " FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_am am ON am.oid = c.relam"
        " WHERE am.amname = 'gin' AND c.relnamespace = current_schema()::regnamespace"
    )


def digest(*, scale: float, seed: int = 2025, today: dt.date, ctx: Context | None = None) -> str:
    """Fingerprint of what ``seed_bulk`` would write (no writes)."""
    sink = DigestSink()
    Generator(ctx or Context.from_database(), sink, scale=scale, seed=seed, today=today).run()
    return sink.hexdigest()
