"""Demo data: the real cases told in the five seed articles (shared/seeds).

Loading is idempotent: every record is found by its natural key and written
only when something differs, so a second run changes nothing and leaves no
history rows. Where an article gives no date or year, the date stays empty and
what the article said goes into ``date_note``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models, transaction

from agreements.models import Agreement, Signatory
from common.partialdate import Precision
from common.roles import EDITOR, VIEWER, ensure_roles
from delegations.models import ActionItem, Engagement, ProgressUpdate, Visit, VisitParticipant
from partnerships.models import (
    City,
    CityName,
    FieldOfCooperation,
    Organisation,
    Partnership,
    Person,
    Position,
)

D = dt.date
Y, M = Precision.YEAR, Precision.MONTH


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def upsert(tally: Tally, model: type[models.Model], lookup: dict, **values) -> models.Model:
    """Find by ``lookup``; create, or save only the fields that differ."""
    obj = model.objects.filter(**lookup).first()
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


def set_m2m(manager, objs) -> None:
    wanted = {o.pk for o in objs}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(list(objs))


FIELDS = [
    ("culture", "Văn hóa", "Culture"),
    ("education", "Giáo dục", "Education"),
    ("health", "Y tế", "Health"),
    ("trade", "Thương mại", "Trade"),
    ("investment", "Đầu tư", "Investment"),
    ("tourism", "Du lịch", "Tourism"),
    ("public-transport", "Giao thông công cộng", "Public transport"),
    ("waste-treatment", "Xử lý và tái chế rác thải", "Waste treatment and recycling"),
    ("sport", "Thể thao", "Sport"),
    ("agriculture", "Nông nghiệp", "Agriculture"),
    ("training", "Đào tạo cán bộ", "Cadre training"),
    ("digital-transformation", "Chuyển đổi số", "Digital transformation"),
    ("labour-social", "Lao động, thương binh và xã hội", "Labour, invalids and social affairs"),
    ("justice", "Tư pháp", "Justice"),
    ("drug-prevention", "Phòng, chống tội phạm ma túy", "Drug crime prevention"),
    (
        "party-building",
        "Xây dựng Đảng và hệ thống chính trị",
        "Party and political system building",
    ),
    ("heritage", "Bảo tồn di sản", "Heritage conservation"),
    ("media", "Truyền thông", "Media"),
    ("youth", "Giao lưu thanh thiếu niên", "Youth exchange"),
    ("finance-banking", "Tài chính, ngân hàng", "Finance and banking"),
    ("urban-planning", "Quy hoạch, quản lý đô thị", "Urban planning and management"),
]

CITIES = [
    # key, name, name_en, name_local, country, region, lat, lon, is_home, alternative names
    (
        "hanoi",
        "Hà Nội",
        "Hanoi",
        "Hà Nội",
        "VN",
        "Đồng bằng sông Hồng",
        "21.028500",
        "105.854200",
        True,
        [("Thủ đô Hà Nội", "vi"), ("Thăng Long", "vi")],
    ),
    (
        "hcmc",
        "TP Hồ Chí Minh",
        "Ho Chi Minh City",
        "Thành phố Hồ Chí Minh",
        "VN",
        "Đông Nam Bộ",
        "10.776900",
        "106.700900",
        True,
        [("TPHCM", "vi"), ("Sài Gòn", "vi"), ("Saigon", "en")],
    ),
    (
        "minsk",
        "Minsk",
        "Minsk",
        "Мінск",
        "BY",
        "",
        "53.900000",
        "27.566700",
        False,
        [("Минск", "ru")],
    ),
    (
        "beijing",
        "Bắc Kinh",
        "Beijing",
        "北京",
        "CN",
        "",
        "39.904200",
        "116.407400",
        False,
        [("Peking", "en")],
    ),
    (
        "vientiane",
        "Viêng Chăn",
        "Vientiane",
        "ວຽງຈັນ",
        "LA",
        "",
        "17.975700",
        "102.633100",
        False,
        [("Thủ đô Viêng Chăn", "vi"), ("Vientiane Capital", "en")],
    ),
]

ORGANISATIONS = [
    # key, name, name_en, abbreviation, kind, country, city key, parent key
    (
        "ubnd-hn",
        "Ủy ban nhân dân thành phố Hà Nội",
        "Hanoi People's Committee",
        "UBND TP Hà Nội",
        "city_government",
        "VN",
        "hanoi",
        None,
    ),
    (
        "tu-hn",
        "Thành ủy Hà Nội",
        "Hanoi Party Committee",
        "Thành ủy Hà Nội",
        "party_committee",
        "VN",
        "hanoi",
        None,
    ),
    (
        "snv-hn",
        "Sở Ngoại vụ thành phố Hà Nội",
        "Hanoi Department of Foreign Affairs",
        "Sở Ngoại vụ Hà Nội",
        "department",
        "VN",
        "hanoi",
        "ubnd-hn",
    ),
    (
        "btc-tu-hn",
        "Ban Tổ chức Thành ủy Hà Nội",
        "Organisation Commission of the Hanoi Party Committee",
        "Ban Tổ chức Thành ủy Hà Nội",
        "party_committee",
        "VN",
        "hanoi",
        "tu-hn",
    ),
    (
        "ubnd-hcm",
        "Ủy ban nhân dân Thành phố Hồ Chí Minh",
        "Ho Chi Minh City People's Committee",
        "UBND TPHCM",
        "city_government",
        "VN",
        "hcmc",
        None,
    ),
    (
        "snv-hcm",
        "Sở Ngoại vụ Thành phố Hồ Chí Minh",
        "Ho Chi Minh City Department of Foreign Affairs",
        "Sở Ngoại vụ TPHCM",
        "department",
        "VN",
        "hcmc",
        "ubnd-hcm",
    ),
    (
        "dsq-vn-cn",
        "Đại sứ quán Việt Nam tại Trung Quốc",
        "Embassy of Viet Nam in China",
        "ĐSQ Việt Nam tại Trung Quốc",
        "diplomatic_mission",
        "VN",
        "beijing",
        None,
    ),
    (
        "ubhc-minsk",
        "Ủy ban Hành chính thành phố Minsk",
        "Minsk City Executive Committee",
        "Ủy ban Hành chính TP Minsk",
        "city_government",
        "BY",
        "minsk",
        None,
    ),
    (
        "cp-by",
        "Chính phủ Cộng hòa Belarus",
        "Government of the Republic of Belarus",
        "Chính phủ Belarus",
        "national_government",
        "BY",
        None,
        None,
    ),
    (
        "thuongvien-by",
        "Thượng viện Cộng hòa Belarus",
        "Council of the Republic of Belarus",
        "Thượng viện Belarus",
        "peoples_council",
        "BY",
        "minsk",
        None,
    ),
    (
        "havien-by",
        "Hạ viện Cộng hòa Belarus",
        "House of Representatives of Belarus",
        "Hạ viện Belarus",
        "peoples_council",
        "BY",
        "minsk",
        None,
    ),
    (
        "tlsq-by-hcm",
        "Tổng Lãnh sự quán Belarus tại TP Hồ Chí Minh",
        "Consulate General of Belarus in Ho Chi Minh City",
        "TLSQ Belarus tại TPHCM",
        "diplomatic_mission",
        "BY",
        "hcmc",
        None,
    ),
    (
        "tu-bk",
        "Thành ủy Bắc Kinh",
        "Beijing Municipal Committee of the CPC",
        "Thành ủy Bắc Kinh",
        "party_committee",
        "CN",
        "beijing",
        None,
    ),
    (
        "truongdang-bk",
        "Trường Đảng Thành ủy Bắc Kinh",
        "Party School of the Beijing Municipal Committee",
        "Trường Đảng Thành ủy Bắc Kinh",
        "education",
        "CN",
        "beijing",
        "tu-bk",
    ),
    (
        "tu-vc",
        "Thành ủy Viêng Chăn",
        "Vientiane Capital Party Committee",
        "Thành ủy Viêng Chăn",
        "party_committee",
        "LA",
        "vientiane",
        None,
    ),
]

PEOPLE = [
    # key, full name, latin name, country, [(title, title_en, organisation key)]
    (
        "tran-sy-thanh",
        "Trần Sỹ Thanh",
        "Tran Sy Thanh",
        "VN",
        [("Chủ tịch", "Chairman", "ubnd-hn"), ("Phó Bí thư", "Deputy Secretary", "tu-hn")],
    ),
    (
        "nguyen-manh-quyen",
        "Nguyễn Mạnh Quyền",
        "Nguyen Manh Quyen",
        "VN",
        [("Phó Chủ tịch", "Vice Chairman", "ubnd-hn")],
    ),
    (
        "nguyen-van-phong",
        "Nguyễn Văn Phong",
        "Nguyen Van Phong",
        "VN",
        [("Phó Bí thư", "Deputy Secretary", "tu-hn")],
    ),
    (
        "dinh-tien-dung",
        "Đinh Tiến Dũng",
        "Dinh Tien Dung",
        "VN",
        [("Bí thư", "Secretary", "tu-hn")],
    ),
    (
        "phan-van-mai",
        "Phan Văn Mãi",
        "Phan Van Mai",
        "VN",
        [
            ("Chủ tịch", "Chairman", "ubnd-hcm"),
        ],
    ),
    ("pham-sao-mai", "Phạm Sao Mai", "Pham Sao Mai", "VN", [("Đại sứ", "Ambassador", "dsq-vn-cn")]),
    (
        "golovchenko",
        "Roman Golovchenko",
        "Roman Golovchenko",
        "BY",
        [("Thủ tướng", "Prime Minister", "cp-by")],
    ),
    (
        "kukharev",
        "Kukharev Vladimir Yevgenievich",
        "Vladimir Kukharev",
        "BY",
        [("Chủ tịch", "Chairman", "ubhc-minsk")],
    ),
    (
        "lazarevich",
        "Lazarevich Nadezhda Anatolyevna",
        "Nadezhda Lazarevich",
        "BY",
        [("Phó Chủ tịch thứ nhất", "First Deputy Chairwoman", "ubhc-minsk")],
    ),
    (
        "kochanova",
        "Natalia Kochanova",
        "Natalia Kochanova",
        "BY",
        [("Chủ tịch", "Chairwoman", "thuongvien-by")],
    ),
    (
        "sergeyenko",
        "Igor Sergeyenko",
        "Igor Sergeyenko",
        "BY",
        [("Chủ tịch", "Chairman", "havien-by")],
    ),
    (
        "varankou",
        "Ruslan Varankou",
        "Ruslan Varankou",
        "BY",
        [("Tổng Lãnh sự", "Consul General", "tlsq-by-hcm")],
    ),
    ("luu-vi", "Lưu Vĩ", "Liu Wei", "CN", [("Phó Bí thư", "Deputy Secretary", "tu-bk")]),
    ("doan-luc", "Doãn Lực", "Yin Li", "CN", [("Bí thư", "Secretary", "tu-bk")]),
    (
        "anouphap",
        "Anouphap Tounalom",
        "Anouphap Tounalom",
        "LA",
        [("Bí thư", "Secretary", "tu-vc")],
    ),
]

BEIJING_SOURCE = (
    "https://vov.vn/chinh-tri/doan-dai-bieu-thanh-pho-ha-noi-lam-viec-tai-bac-kinh-post1095718.vov"
)


class DemoLoader:
    def __init__(self) -> None:
        self.tally = Tally()
        self.fields: dict[str, FieldOfCooperation] = {}
        self.cities: dict[str, City] = {}
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, Person] = {}
        self.partnerships: dict[str, Partnership] = {}
        self.agreements: dict[str, Agreement] = {}
        self.visits: dict[str, Visit] = {}

    def up(self, model, lookup, **values):
        return upsert(self.tally, model, lookup, **values)

    def load(self) -> Tally:
        self.load_fields()
        self.load_cities()
        self.load_organisations()
        self.load_people()
        self.load_partnerships()
        self.load_agreements()
        self.load_minsk_2023()
        self.load_minsk_2025()
        self.load_hcmc_minsk()
        self.load_beijing()
        self.load_vientiane()
        return self.tally

    # -- reference data ----------------------------------------------------------------
    def load_fields(self):
        for code, name, name_en in FIELDS:
            self.fields[code] = self.up(
                FieldOfCooperation, {"code": code}, name=name, name_en=name_en
            )

    def load_cities(self):
        for key, name, en, local, country, region, lat, lon, home, aliases in CITIES:
            city = self.up(
                City,
                {"country": country, "name": name},
                name_en=en,
                name_local=local,
                region=region,
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                is_home=home,
            )
            for alias, language in aliases:
                self.up(CityName, {"city": city, "name": alias}, language=language)
            self.cities[key] = city

    def load_organisations(self):
        for key, name, en, abbr, kind, country, city, parent in ORGANISATIONS:
            self.orgs[key] = self.up(
                Organisation,
                {"country": country, "name": name},
                name_en=en,
                abbreviation=abbr,
                kind=kind,
                city=self.cities.get(city),
                parent=self.orgs.get(parent),
            )

    def load_people(self):
        for key, name, latin, country, positions in PEOPLE:
            person = self.up(Person, {"full_name": name}, name_latin=latin, country=country)
            for title, title_en, org in positions:
                self.up(
                    Position,
                    {"person": person, "organisation": self.orgs[org], "title": title},
                    title_en=title_en,
                )
            self.people[key] = person

    def load_partnerships(self):
        f = self.fields
        specs = [
            (
                "hanoi-minsk",
                "hanoi",
                "minsk",
                "friendship",
                D(2004, 1, 1),
                Y,
                "snv-hn",
                [
                    "culture",
                    "education",
                    "health",
                    "trade",
                    "investment",
                    "tourism",
                    "public-transport",
                    "waste-treatment",
                    "sport",
                    "agriculture",
                    "finance-banking",
                ],
                "Thủ đô hai nước ký Thỏa thuận về quan hệ hữu nghị và hợp tác từ năm 2004; "
                "Chương trình hợp tác giai đoạn 2024-2026 ký ngày 07/12/2023.",
            ),
            (
                "hcmc-minsk",
                "hcmc",
                "minsk",
                "cooperation",
                None,
                Precision.DAY,
                "snv-hcm",
                ["culture", "education", "tourism", "trade", "investment"],
                "Hai địa phương đồng tình với khung nội dung hợp tác; cần chọn việc cụ thể để triển khai "
                "đến năm 2025.",
            ),
            # 30 years of official friendship were celebrated at the May 2024 visit.
            (
                "hanoi-beijing",
                "hanoi",
                "beijing",
                "friendship",
                D(1994, 1, 1),
                Y,
                "snv-hn",
                [
                    "training",
                    "culture",
                    "heritage",
                    "digital-transformation",
                    "tourism",
                    "media",
                    "youth",
                    "party-building",
                ],
                "Quan hệ hữu nghị chính thức thiết lập 30 năm trước dịp kỷ niệm năm 2024; hợp tác đào tạo "
                "cán bộ theo Bản ghi nhớ giữa Ban Tổ chức Thành ủy Hà Nội và Trường Đảng Thành ủy Bắc Kinh.",
            ),
            (
                "hanoi-vientiane",
                "hanoi",
                "vientiane",
                "friendship",
                None,
                Precision.DAY,
                "snv-hn",
                [
                    "agriculture",
                    "education",
                    "training",
                    "justice",
                    "labour-social",
                    "drug-prevention",
                    "party-building",
                    "trade",
                    "tourism",
                    "urban-planning",
                ],
                "Quan hệ đoàn kết, hữu nghị đặc biệt giữa hai Thủ đô; Biên bản ghi nhớ hợp tác giai đoạn "
                "2017-2020 đã hết hạn, cần ký Biên bản giai đoạn mới.",
            ),
        ]
        for key, home, partner, kind, est, precision, focal, fields, summary in specs:
            p = self.up(
                Partnership,
                {"home_city": self.cities[home], "partner_city": self.cities[partner]},
                kind=kind,
                status="active",
                established_on=est,
                established_on_precision=precision,
                focal_office=self.orgs[focal],
                summary=summary,
            )
            set_m2m(p.fields, [f[c] for c in fields])
            self.partnerships[key] = p

    def load_agreements(self):
        o, pe, f = self.orgs, self.people, self.fields
        a = self.agreements
        a["hn-msk-2004"] = self.up(
            Agreement,
            {"reference": "HN-MSK-2004"},
            partnership=self.partnerships["hanoi-minsk"],
            kind="friendship",
            status="in_force",
            signed_on=D(2004, 1, 1),
            signed_on_precision=Y,
            title="Thỏa thuận về quan hệ hữu nghị và hợp tác giữa thành phố Hà Nội và thành phố Minsk",
            title_en="Agreement on friendship and cooperation between Hanoi and Minsk",
            parent=None,
            parent_relation="",
        )
        a["hn-msk-2024"] = self.up(
            Agreement,
            {"reference": "HN-MSK-CT-2024-2026"},
            partnership=self.partnerships["hanoi-minsk"],
            kind="programme",
            status="in_force",
            signed_on=D(2023, 12, 7),
            signed_on_precision=Precision.DAY,
            signed_at="Hà Nội",
            valid_from=D(2024, 1, 1),
            valid_until=D(2026, 12, 31),
            title="Chương trình hợp tác thực hiện Thỏa thuận về quan hệ hữu nghị và hợp tác giữa UBND "
            "thành phố Hà Nội và Ủy ban Hành chính thành phố Minsk, giai đoạn 2024-2026",
            title_en="Cooperation programme 2024–2026 implementing the Hanoi–Minsk agreement on "
            "friendship and cooperation",
            parent=a["hn-msk-2004"],
            parent_relation="implements",
            notes="Ký trước sự chứng kiến của Thủ tướng Belarus Roman Golovchenko và Chủ tịch UBND TP Hà "
            "Nội Trần Sỹ Thanh, nhân chuyến thăm chính thức Việt Nam của Thủ tướng Belarus.",
        )
        a["hn-vc-2017"] = self.up(
            Agreement,
            {"reference": "HN-VC-MOU-2017-2020"},
            partnership=self.partnerships["hanoi-vientiane"],
            kind="mou",
            status="expired",
            signed_on=None,
            valid_from=D(2017, 1, 1),
            valid_until=D(2020, 12, 31),
            title="Biên bản ghi nhớ hợp tác giữa Thủ đô Hà Nội và Thủ đô Viêng Chăn giai đoạn 2017-2020",
            title_en="Memorandum of understanding on cooperation between Hanoi and Vientiane, 2017–2020",
            parent=None,
            parent_relation="",
            notes="Hết hạn; tại hội đàm trực tuyến ngày 17/11, Bí thư Thành ủy Hà Nội giao Sở Ngoại vụ làm "
            "đầu mối ký kết Biên bản hợp tác giai đoạn mới trong thời gian sớm nhất.",
        )
        a["hn-bk-training"] = self.up(
            Agreement,
            {"reference": "HN-BK-MOU-DTCB"},
            partnership=self.partnerships["hanoi-beijing"],
            kind="mou",
            status="in_force",
            signed_on=None,
            title="Bản ghi nhớ hợp tác giữa Ban Tổ chức Thành ủy Hà Nội và Trường Đảng Thành ủy Bắc Kinh",
            title_en="Memorandum of understanding between the Organisation Commission of the Hanoi Party "
            "Committee and the Party School of the Beijing Municipal Committee",
            parent=None,
            parent_relation="",
            notes="Cơ sở tổ chức lớp Bồi dưỡng cán bộ nguồn quy hoạch Ban Chấp hành Đảng bộ Thành phố Hà Nội.",
        )
        set_m2m(a["hn-msk-2004"].parties, [o["ubnd-hn"], o["ubhc-minsk"]])
        set_m2m(a["hn-msk-2004"].fields, [f["culture"], f["education"], f["trade"], f["tourism"]])
        set_m2m(a["hn-msk-2024"].parties, [o["ubnd-hn"], o["ubhc-minsk"]])
        set_m2m(
            a["hn-msk-2024"].fields,
            [
                f[c]
                for c in (
                    "culture",
                    "education",
                    "trade",
                    "investment",
                    "tourism",
                    "health",
                    "sport",
                )
            ],
        )
        set_m2m(a["hn-vc-2017"].parties, [o["ubnd-hn"]])
        set_m2m(a["hn-vc-2017"].fields, [f[c] for c in ("agriculture", "education", "training")])
        set_m2m(a["hn-bk-training"].parties, [o["btc-tu-hn"], o["truongdang-bk"]])
        set_m2m(a["hn-bk-training"].fields, [f["training"]])
        for person, title, org in [
            ("golovchenko", "Thủ tướng Cộng hòa Belarus", "cp-by"),
            ("tran-sy-thanh", "Chủ tịch UBND thành phố Hà Nội", "ubnd-hn"),
        ]:
            self.up(
                Signatory,
                {"agreement": a["hn-msk-2024"], "person": pe[person], "role": "witness"},
                position_title=title,
                organisation=o[org],
            )

    # -- visits -----------------------------------------------------------------------
    def participant(self, visit, person, side, role, title, order):
        self.up(
            VisitParticipant,
            {"visit": visit, "person": self.people[person]},
            side=side,
            role=role,
            position_title=title,
            order=order,
        )

    def engagement(self, visit, title, *, kind, date=None, place="", summary="", counterparts=()):
        e = self.up(
            Engagement,
            {"visit": visit, "title": title},
            kind=kind,
            date=date,
            place=place,
            summary=summary,
        )
        set_m2m(e.counterparts, [self.people[c] for c in counterparts])
        return e

    def action(
        self,
        description,
        *,
        partnership,
        visit=None,
        agreement=None,
        field=None,
        owner=None,
        counterpart=None,
        due=None,
        due_precision=Precision.DAY,
        status="agreed",
        priority=2,
    ):
        return self.up(
            ActionItem,
            {"partnership": self.partnerships[partnership], "description": description},
            visit=visit,
            agreement=self.agreements.get(agreement) if agreement else None,
            field=self.fields.get(field) if field else None,
            owner_organisation=self.orgs.get(owner) if owner else None,
            owner_person=None,
            counterpart=self.orgs.get(counterpart) if counterpart else None,
            due_on=due,
            due_on_precision=due_precision,
            status=status,
            priority=priority,
        )

    def load_minsk_2023(self):
        v = self.up(
            Visit,
            {
                "partnership": self.partnerships["hanoi-minsk"],
                "title": "Chủ tịch UBND TP Hà Nội tiếp Thủ tướng Belarus Roman Golovchenko",
            },
            direction="incoming",
            start_date=D(2023, 12, 7),
            start_date_precision=Precision.DAY,
            end_date=D(2023, 12, 7),
            place="Hà Nội",
            status="completed",
            purpose="Đoàn đại biểu cấp cao Chính phủ Cộng hòa Belarus do Thủ tướng Roman Golovchenko dẫn đầu "
            "thăm chính thức Việt Nam theo lời mời của Thủ tướng Phạm Minh Chính; Chủ tịch UBND TP "
            "Hà Nội Trần Sỹ Thanh tiếp đoàn.",
            outcomes="Hai bên chứng kiến lễ ký Chương trình hợp tác Hà Nội - Minsk giai đoạn 2024-2026. "
            "Thủ tướng Belarus đề nghị tăng cường trao đổi đoàn cấp cao, cử đoàn giáo dục sang Belarus, "
            "cụ thể hóa thỏa thuận bằng kế hoạch hợp tác hằng năm, tổ chức Ngày văn hóa Minsk tại Hà Nội "
            "và Ngày văn hóa Hà Nội tại Minsk, tổ chức diễn đàn kinh tế - thương mại, xem xét đặt tên "
            "danh nhân cho các trường đại học; Belarus muốn đầu tư nhà máy phân loại, xử lý, tái chế rác "
            "thải và xuất khẩu nông sản, bơ sữa. Chủ tịch Trần Sỹ Thanh nhất trí, hoan nghênh diễn đàn "
            "kinh tế song phương, khẳng định sẽ cử đoàn sang học tập kinh nghiệm giáo dục; quan tâm "
            "giao thông công cộng (chuỗi cung cấp xe buýt, ô tô) và xử lý, tái chế rác thải.",
            date_note="",
        )
        self.participant(v, "golovchenko", "delegation", "head", "Thủ tướng Cộng hòa Belarus", 0)
        self.participant(
            v, "tran-sy-thanh", "counterpart", "host", "Chủ tịch UBND thành phố Hà Nội", 0
        )
        self.engagement(
            v,
            "Chủ tịch UBND TP Hà Nội Trần Sỹ Thanh tiếp Thủ tướng Roman Golovchenko",
            kind="courtesy_call",
            date=D(2023, 12, 7),
            place="Hà Nội",
            counterparts=["tran-sy-thanh"],
            summary="Trao đổi về hợp tác Hà Nội - Minsk, điểm sáng trong quan hệ Việt Nam - Belarus.",
        )
        self.engagement(
            v,
            "Lễ ký Chương trình hợp tác Hà Nội - Minsk giai đoạn 2024-2026",
            kind="signing",
            date=D(2023, 12, 7),
            place="Hà Nội",
            counterparts=["tran-sy-thanh"],
            summary="Ký Chương trình hợp tác thực hiện Thỏa thuận về quan hệ hữu nghị và hợp tác "
            "giữa UBND TP Hà Nội và Ủy ban Hành chính TP Minsk, giai đoạn 2024-2026.",
        )
        set_m2m(v.agreements_signed, [self.agreements["hn-msk-2024"]])
        self.visits["minsk-2023"] = v
        common = {
            "partnership": "hanoi-minsk",
            "visit": v,
            "agreement": "hn-msk-2024",
            "counterpart": "ubhc-minsk",
        }
        self.action(
            "Cử đoàn công tác sang Belarus nghiên cứu, trao đổi kinh nghiệm về giáo dục",
            field="education",
            owner="ubnd-hn",
            **common,
        )
        self.action(
            "Cụ thể hóa Chương trình hợp tác bằng các kế hoạch hợp tác hằng năm",
            field=None,
            owner="ubnd-hn",
            **common,
        )
        culture = self.action(
            "Tổ chức Ngày văn hóa Minsk tại Hà Nội và Ngày văn hóa Hà Nội tại Minsk",
            field="culture",
            owner="ubnd-hn",
            status="in_progress",
            **common,
        )
        self.progress(
            culture,
            D(2025, 5, 12),
            "Đã tổ chức “Ngày văn hóa Hà Nội tại Minsk” tại Nhà hát Minskiy Gorodskoy Dvorets "
            "Kul'tury; “Ngày văn hóa Minsk tại Hà Nội” chưa tổ chức.",
            "in_progress",
        )
        self.action(
            "Tổ chức diễn đàn kinh tế - thương mại song phương để thúc đẩy cơ hội hợp tác",
            field="trade",
            owner="ubnd-hn",
            **common,
        )
        self.action(
            "Xem xét đặt tên danh nhân Belarus và Việt Nam cho các trường đại học ở hai nước",
            field="education",
            status="proposed",
            **common,
        )
        self.action(
            "Xem xét đầu tư của Belarus vào nhà máy phân loại, xử lý và tái chế rác thải",
            field="waste-treatment",
            status="proposed",
            **common,
        )
        self.action(
            "Nghiên cứu hợp tác giao thông công cộng: Belarus tham gia chuỗi cung cấp xe buýt, ô tô",
            field="public-transport",
            status="proposed",
            **common,
        )

    def progress(self, item, date, note, status_after):
        self.up(
            ProgressUpdate,
            {"action_item": item, "date": date, "note": note},
            status_after=status_after,
        )

    def load_minsk_2025(self):
        v = self.up(
            Visit,
            {
                "partnership": self.partnerships["hanoi-minsk"],
                "title": "Đoàn đại biểu TP Hà Nội thăm, làm việc tại TP Minsk (Belarus)",
            },
            direction="outgoing",
            start_date=D(2025, 5, 11),
            start_date_precision=Precision.DAY,
            end_date=D(2025, 5, 13),
            place="Minsk, Belarus",
            status="completed",
            date_note="",
            purpose="Thúc đẩy quan hệ hợp tác cấp địa phương giữa TP Hà Nội và TP Minsk, trên cơ sở kết quả "
            "chuyến thăm chính thức Việt Nam của Thủ tướng Belarus Roman Golovchenko (tháng 12/2023) "
            "và Chương trình hợp tác giữa hai thành phố giai đoạn 2024-2026.",
            outcomes="Lãnh đạo hai thành phố thống nhất phương hướng hợp tác: tăng cường trao đổi, giao lưu văn "
            "hóa, xem xét tổ chức luân phiên “Ngày Hà Nội tại Minsk” và “Ngày Minsk tại Hà Nội”; hợp tác "
            "thể thao (trao đổi chuyên gia, huấn luyện viên, vận động viên); xúc tiến đầu tư vào y tế, "
            "nông nghiệp công nghệ cao, tài chính, ngân hàng, vận tải hành khách công cộng. Minsk đề nghị "
            "hợp tác y tế, đào tạo chuyên gia y tế, kinh tế thương mại và du lịch, và mời Hà Nội dự Diễn "
            "đàn kinh tế tại Minsk tháng 9/2025. Hà Nội mời Chủ tịch Ủy ban Hành chính TP Minsk sang thăm.",
            talking_points="Chuyển lời mời của Chủ tịch UBND TP Trần Sỹ Thanh tới Chủ tịch Ủy ban Hành chính TP "
            "Minsk thăm Hà Nội.\nĐề xuất tổ chức luân phiên Ngày Hà Nội tại Minsk / Ngày Minsk tại "
            "Hà Nội.\nGiới thiệu môi trường đầu tư, chính sách thu hút đầu tư của Hà Nội.",
        )
        self.participant(
            v, "nguyen-manh-quyen", "delegation", "head", "Phó Chủ tịch UBND TP Hà Nội", 0
        )
        self.participant(
            v, "kukharev", "counterpart", "host", "Chủ tịch Ủy ban Hành chính TP Minsk", 0
        )
        self.participant(
            v,
            "lazarevich",
            "counterpart",
            "counterpart",
            "Phó Chủ tịch thứ nhất Ủy ban Hành chính TP Minsk",
            1,
        )
        self.participant(
            v, "kochanova", "counterpart", "counterpart", "Chủ tịch Thượng viện Belarus", 2
        )
        self.participant(
            v, "sergeyenko", "counterpart", "counterpart", "Chủ tịch Hạ viện Belarus", 3
        )
        self.engagement(
            v,
            "Hội kiến Chủ tịch Thượng viện Natalia Kochanova và Chủ tịch Hạ viện Igor Sergeyenko",
            kind="courtesy_call",
            place="Minsk",
            counterparts=["kochanova", "sergeyenko"],
            summary="Trong hoạt động của đoàn đại biểu cấp cao Việt Nam thăm cấp Nhà nước tại Belarus.",
        )
        self.engagement(
            v,
            "Lễ vinh danh các biểu tượng quốc gia Belarus",
            kind="ceremony",
            date=D(2025, 5, 12),
            place="Quảng trường Quốc kỳ, Đại lộ Victors, Minsk",
            summary="Sáng 12/5 (giờ địa phương), theo lời mời của Ủy ban Hành chính TP Minsk.",
        )
        self.engagement(
            v,
            "Hội đàm với Chủ tịch Ủy ban Hành chính TP Minsk Kukharev Vladimir Yevgenievich",
            kind="talks",
            date=D(2025, 5, 12),
            place="Trụ sở Ủy ban Hành chính TP Minsk",
            counterparts=["kukharev"],
            summary="Thống nhất phương hướng hợp tác; Minsk mời Hà Nội dự Diễn đàn kinh tế tháng 9/2025.",
        )
        self.engagement(
            v,
            "Chương trình xúc tiến kết nối đầu tư, thương mại, du lịch Hà Nội - Belarus 2025",
            kind="forum",
            place="Minsk",
            counterparts=["lazarevich"],
            summary="Gần 70 cơ quan, đối tác và doanh nghiệp của TP Minsk tham dự.",
        )
        self.engagement(
            v,
            "Ngày văn hóa Hà Nội tại Minsk",
            kind="cultural_event",
            place="Nhà hát Minskiy Gorodskoy Dvorets Kul'tury",
            summary="Gần 600 khách mời; không gian trưng bày “Hà Nội - Thủ đô di sản và sáng tạo”, "
            "in rập hoa văn bia tiến sĩ Văn Miếu - Quốc Tử Giám và tranh dân gian Đông Hồ.",
        )
        self.engagement(
            v,
            "Gặp gỡ cựu quân nhân, chuyên gia, cán bộ Đại sứ quán và cộng đồng người Việt tại Belarus",
            kind="other",
            place="Belarus",
        )
        self.visits["minsk-2025"] = v
        common = {
            "partnership": "hanoi-minsk",
            "visit": v,
            "agreement": "hn-msk-2024",
            "counterpart": "ubhc-minsk",
        }
        self.action(
            "Tổ chức luân phiên sự kiện “Ngày Hà Nội tại Minsk” và “Ngày Minsk tại Hà Nội”",
            field="culture",
            owner="ubnd-hn",
            **common,
        )
        self.action(
            "Tham dự Diễn đàn kinh tế tại Minsk (tháng 9/2025), phối hợp Đại sứ quán Việt Nam tại "
            "Belarus cập nhật thông tin",
            field="trade",
            owner="ubnd-hn",
            due=D(2025, 9, 1),
            due_precision=M,
            priority=3,
            **common,
        )
        self.action(
            "Mời Chủ tịch Ủy ban Hành chính TP Minsk và Đoàn đại biểu sang thăm, làm việc tại Hà Nội",
            field=None,
            owner="ubnd-hn",
            priority=3,
            **common,
        )
        self.action(
            "Tăng cường hợp tác thể thao: trao đổi đoàn chuyên gia, huấn luyện viên, vận động viên "
            "các bộ môn thể thao thành tích cao",
            field="sport",
            owner="ubnd-hn",
            **common,
        )
        self.action(
            "Hợp tác y tế và đào tạo chuyên gia y tế theo đề nghị của TP Minsk",
            field="health",
            status="proposed",
            **common,
        )
        self.action(
            "Tổ chức hoạt động xúc tiến đầu tư (tư vấn, khảo sát, hội nghị, hội thảo, triển lãm) "
            "quảng bá môi trường đầu tư Hà Nội",
            field="investment",
            owner="ubnd-hn",
            **common,
        )

    def load_hcmc_minsk(self):
        v = self.up(
            Visit,
            {
                "partnership": self.partnerships["hcmc-minsk"],
                "title": "Tân Tổng Lãnh sự Belarus Ruslan Varankou chào xã giao Chủ tịch UBND TPHCM",
            },
            direction="incoming",
            start_date=None,
            end_date=None,
            place="TP Hồ Chí Minh",
            status="completed",
            date_note="Sáng 9/8 (bài báo không nêu năm)",
            purpose="Tân Tổng Lãnh sự Belarus tại TPHCM chào ra mắt nhân dịp nhận nhiệm kỳ công tác.",
            outcomes="TPHCM đồng tình với khung nội dung hợp tác với TP Minsk; hai địa phương cần chọn việc cụ thể "
            "để triển khai đến năm 2025; trước mắt tăng cường hợp tác văn hóa, giáo dục, du lịch; TPHCM "
            "mong đón Chủ tịch TP Minsk và Thủ tướng Belarus.",
        )
        self.participant(v, "varankou", "delegation", "head", "Tổng Lãnh sự Belarus tại TPHCM", 0)
        self.participant(v, "phan-van-mai", "counterpart", "host", "Chủ tịch UBND TPHCM", 0)
        self.engagement(
            v,
            "Chủ tịch UBND TPHCM Phan Văn Mãi tiếp Tân Tổng Lãnh sự Belarus",
            kind="courtesy_call",
            place="TP Hồ Chí Minh",
            counterparts=["phan-van-mai"],
        )
        self.visits["hcmc-minsk"] = v
        common = {"partnership": "hcmc-minsk", "visit": v}
        self.action(
            "Chọn việc cụ thể trong từng lĩnh vực hợp tác với TP Minsk để triển khai đến năm 2025",
            owner="ubnd-hcm",
            due=D(2025, 1, 1),
            due_precision=Y,
            priority=3,
            **common,
        )
        self.action("Mời Chủ tịch TP Minsk đến thăm TPHCM", owner="ubnd-hcm", **common)
        self.action(
            "Tăng cường hợp tác văn hóa, giáo dục, du lịch với Belarus",
            field="culture",
            owner="ubnd-hcm",
            **common,
        )

    def load_beijing(self):
        v = self.up(
            Visit,
            {
                "partnership": self.partnerships["hanoi-beijing"],
                "title": "Đoàn đại biểu Thành phố Hà Nội làm việc tại Bắc Kinh",
            },
            direction="outgoing",
            start_date=D(2024, 5, 16),
            start_date_precision=Precision.DAY,
            end_date=D(2024, 5, 16),
            place="Bắc Kinh, Trung Quốc",
            status="completed",
            date_note="Chiều 16/5; năm suy ra từ dịp kỷ niệm 30 năm và “tháng 9/2023 vừa qua”",
            source_url=BEIJING_SOURCE,
            purpose="Thăm Thủ đô Bắc Kinh dịp kỷ niệm 30 năm thiết lập quan hệ hữu nghị chính thức Hà Nội - Bắc "
            "Kinh; triển khai nhận thức chung giữa Bí thư Thành ủy Hà Nội Đinh Tiến Dũng và Bí thư Thành ủy "
            "Bắc Kinh Doãn Lực (tháng 9/2023).",
            outcomes="Hai bên nhất trí thúc đẩy hợp tác song phương, đưa quan hệ Hà Nội - Bắc Kinh thành hình mẫu "
            "hợp tác địa phương Việt Nam - Trung Quốc: duy trì trao đổi các cấp; hợp tác văn hóa, bảo tồn "
            "di sản (Hoàng thành Thăng Long); đào tạo, bồi dưỡng nguồn nhân lực; kinh tế, đầu tư, chuyển "
            "đổi số; kênh đảng, quản trị thành phố; giao lưu thanh thiếu niên, truyền thông, du lịch.",
        )
        self.participant(
            v, "nguyen-van-phong", "delegation", "head", "Phó Bí thư Thành ủy Hà Nội", 0
        )
        self.participant(
            v, "pham-sao-mai", "delegation", "member", "Đại sứ Việt Nam tại Trung Quốc", 1
        )
        self.participant(v, "luu-vi", "counterpart", "host", "Phó Bí thư Thành ủy Bắc Kinh", 0)
        self.engagement(
            v,
            "Hội kiến Phó Bí thư Thành ủy Bắc Kinh Lưu Vĩ",
            kind="courtesy_call",
            date=D(2024, 5, 16),
            place="Bắc Kinh",
            counterparts=["luu-vi"],
        )
        self.engagement(
            v,
            "Lễ bế giảng Lớp Bồi dưỡng cán bộ nguồn quy hoạch Ban Chấp hành Đảng bộ thành phố Hà "
            "Nội nhiệm kỳ 2025-2030",
            kind="ceremony",
            date=D(2024, 5, 16),
            place="Trường Đảng Thành ủy Bắc Kinh",
        )
        self.engagement(
            v,
            "Chương trình biểu diễn nghệ thuật “Bền vững tình Hữu nghị”",
            kind="cultural_event",
            date=D(2024, 5, 16),
            place="Bắc Kinh",
            counterparts=["luu-vi"],
        )
        self.engagement(
            v,
            "Khai mạc triển lãm ảnh “Thăng Long - Tinh hoa hội tụ”",
            kind="cultural_event",
            date=D(2024, 5, 16),
            place="Bắc Kinh",
            counterparts=["luu-vi"],
        )
        self.visits["beijing"] = v
        common = {"partnership": "hanoi-beijing", "visit": v, "counterpart": "tu-bk"}
        self.action(
            "Tiếp tục hợp tác đào tạo, bồi dưỡng cán bộ với Trường Đảng Thành ủy Bắc Kinh",
            field="training",
            owner="btc-tu-hn",
            agreement="hn-bk-training",
            **common,
        )
        self.action(
            "Chia sẻ kinh nghiệm nghiên cứu, bảo tồn, phục dựng cung điện; hỗ trợ bảo tồn Di sản thế giới "
            "Khu Trung tâm Hoàng thành Thăng Long",
            field="heritage",
            **common,
        )
        self.action(
            "Tăng cường hợp tác kinh tế, đầu tư và chuyển đổi số",
            field="digital-transformation",
            **common,
        )
        self.action(
            "Tăng cường hợp tác kênh đảng, chia sẻ kinh nghiệm quản trị thành phố",
            field="party-building",
            status="proposed",
            **common,
        )

    def load_vientiane(self):
        v = self.up(
            Visit,
            {
                "partnership": self.partnerships["hanoi-vientiane"],
                "title": "Hội đàm trực tuyến giữa Bí thư Thành ủy Hà Nội và Bí thư Thành ủy Viêng Chăn",
            },
            direction="online",
            start_date=None,
            end_date=None,
            place="Trực tuyến (điểm cầu Thành ủy Hà Nội)",
            status="completed",
            date_note="Sáng 17/11 (bài báo không nêu năm)",
            purpose="Thông báo kết quả phát triển kinh tế - xã hội, nhìn lại hợp tác trên cơ sở Biên bản ghi nhớ "
            "giai đoạn 2017-2020 và tìm định hướng hợp tác giai đoạn tới.",
            outcomes="Nhất trí tăng cường tiếp xúc các cấp; đẩy mạnh hợp tác nông nghiệp, giáo dục đào tạo, tư "
            "pháp, lao động - thương binh và xã hội, xây dựng đảng, chính quyền điện tử, quy hoạch đô "
            "thị; Viêng Chăn đề nghị xây dựng Trung tâm thương mại và du lịch Hà Nội tại Viêng Chăn và "
            "Viêng Chăn tại Hà Nội, phòng chống tội phạm ma túy. Bí thư Thành ủy Hà Nội giao Sở Ngoại vụ "
            "làm đầu mối khẩn trương ký Biên bản hợp tác giai đoạn mới.",
        )
        self.participant(v, "dinh-tien-dung", "delegation", "head", "Bí thư Thành ủy Hà Nội", 0)
        self.participant(
            v, "anouphap", "counterpart", "counterpart", "Bí thư Thành ủy Viêng Chăn", 0
        )
        self.engagement(
            v,
            "Hội đàm trực tuyến Hà Nội - Viêng Chăn",
            kind="online_talks",
            place="Điểm cầu Thành ủy Hà Nội",
            counterparts=["anouphap"],
        )
        self.visits["vientiane"] = v
        common = {"partnership": "hanoi-vientiane", "visit": v, "counterpart": "tu-vc"}
        self.action(
            "Khẩn trương ký kết Biên bản ghi nhớ hợp tác giai đoạn mới giữa hai Thủ đô",
            owner="snv-hn",
            agreement="hn-vc-2017",
            priority=3,
            **common,
        )
        self.action(
            "Xây dựng Trung tâm thương mại và du lịch Hà Nội tại Viêng Chăn và Viêng Chăn tại Hà Nội",
            field="trade",
            status="proposed",
            **common,
        )
        self.action(
            "Tăng cường hợp tác lao động, thương binh và xã hội", field="labour-social", **common
        )
        self.action(
            "Hợp tác phòng, chống tội phạm ma túy",
            field="drug-prevention",
            status="proposed",
            **common,
        )


def ensure_demo_user(username: str, role: str, password: str | None) -> tuple[str, str | None]:
    """Create or refresh a demo account; returns (status, password shown to the operator)."""
    User = get_user_model()
    groups = ensure_roles()
    user = User.objects.filter(username=username).first()
    shown = None
    if user is None:
        shown = password or secrets.token_urlsafe(12)
        user = User(username=username, is_staff=True)
        user.set_password(shown)
        user.save()
        status = "created"
    elif password and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
        shown, status = password, "password changed"
    else:
        status = "unchanged"
    if not user.groups.filter(pk=groups[role].pk).exists() or user.groups.count() != 1:
        user.groups.set([groups[role]])
    return status, shown


@transaction.atomic
def load_demo(*, password: str | None = None) -> tuple[Tally, dict[str, tuple[str, str | None]]]:
    tally = DemoLoader().load()
    accounts = {
        "demo-editor": ensure_demo_user("demo-editor", EDITOR, password),
        "demo-viewer": ensure_demo_user("demo-viewer", VIEWER, password),
    }
    return tally, accounts
