"""Country names in Vietnamese, and every way staff spell a country, mapped to its code.

django-countries' Vietnamese catalogue has duplicates (Iceland and Ireland are both
"Ai-len", Austria and Jersey both "Áo", Niger and Nigeria both "Nigeria"), literal
mistranslations ("Đoàn tụ" for Réunion, "Tiếng Swaziland") and spellings that the
record does not use ("Bêlarut" while every record says "Belarus"). ``VIETNAMESE``
below is a reviewed list following today's press and ministry usage (VnExpress,
Báo Chính phủ, the foreign ministry): English-based spellings where those have
replaced the old transliterations (Belarus, Ukraine, Kazakhstan), the established
Vietnamese names where they are what everyone writes (Áo, Bỉ, Đức, Séc, Thụy Sĩ,
Triều Tiên), and "(Trung Quốc)" after Hồng Kông, Ma Cao and Đài Loan as official
documents write them. Each name is unique (tests/test_countries.py).

``COUNTRIES_OVERRIDE`` plugs the list into django-countries: its values are lazy
strings that read the active language when they are printed, so one setting serves
Vietnamese (the names here) and every other language (django-countries' own name,
common names included). django-countries has no per-language override; a lazy
string is how it already handles translation, so nothing else changes.

``codes_matching(text)`` finds countries by any spelling: English (ISO, common and
old names), Vietnamese, the variants listed here (old transliterations, Sino-
Vietnamese and native names: "Bêlarut", "Belorussia", "Bạch Nga", "Беларусь"), or
the ISO code typed in capitals ("BY", "BLR"), ignoring case, accents, spaces and
hyphens (``common.text.name_key``).
"""

from __future__ import annotations

import functools
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import get_language, override

from common.text import name_key

# (ISO 3166-1 alpha-2, name in Vietnamese, other spellings that mean this country)
VIETNAMESE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("AF", "Afghanistan", ("Áp-ga-ni-xtan", "Apganixtan")),
    ("AX", "Quần đảo Åland", ("Aland",)),
    ("AL", "Albania", ("An-ba-ni", "Anbani")),
    ("DZ", "Algeria", ("An-giê-ri", "Angiêri")),
    ("AS", "Samoa thuộc Mỹ", ("Samoa thuộc Hoa Kỳ",)),
    ("AD", "Andorra", ("An-đô-ra",)),
    ("AO", "Angola", ("Ăng-gô-la", "Ănggôla")),
    ("AI", "Anguilla", ()),
    ("AQ", "Nam Cực", ("Châu Nam Cực",)),
    ("AG", "Antigua và Barbuda", ("Antigua & Barbuda",)),
    ("AR", "Argentina", ("Ác-hen-ti-na", "Áchentina")),
    ("AM", "Armenia", ("Ác-mê-ni-a", "Ácmênia")),
    ("AW", "Aruba", ()),
    ("AU", "Australia", ("Úc", "Ô-xtrây-li-a", "Ôxtrâylia")),
    ("AT", "Áo", ("Austria", "Cộng hòa Áo")),
    ("AZ", "Azerbaijan", ("A-déc-bai-gian", "Adécbaigian")),
    ("BS", "Bahamas", ("Ba-ha-ma",)),
    ("BH", "Bahrain", ("Ba-ranh",)),
    ("BD", "Bangladesh", ("Băng-la-đét", "Bănglađét")),
    ("BB", "Barbados", ("Bác-ba-đốt",)),
    (
        "BY",
        "Belarus",
        (
            "Bêlarut",
            "Bê-la-rút",
            "Bêlarút",
            "Belorussia",
            "Byelorussia",
            "Bạch Nga",
            "Cộng hòa Belarus",
            "Беларусь",
            "Белоруссия",
        ),
    ),
    ("BE", "Bỉ", ("Belgium", "Vương quốc Bỉ")),
    ("BZ", "Belize", ("Bê-li-xê",)),
    ("BJ", "Benin", ("Bénin", "Bê-nanh")),
    ("BM", "Bermuda", ()),
    ("BT", "Bhutan", ("Bu-tan",)),
    ("BO", "Bolivia", ("Bô-li-vi-a", "Bôlivia")),
    ("BQ", "Bonaire, Sint Eustatius và Saba", ("Caribbean Netherlands",)),
    ("BA", "Bosnia và Herzegovina", ("Bosnia", "Bô-xni-a Héc-dê-gô-vi-na")),
    ("BW", "Botswana", ("Bốt-xoa-na",)),
    ("BV", "Đảo Bouvet", ()),
    ("BR", "Brazil", ("Bra-xin", "Braxin", "Brasil")),
    ("IO", "Lãnh thổ Ấn Độ Dương thuộc Anh", ()),
    ("BN", "Brunei", ("Bru-nây", "Brunây", "Brunei Darussalam")),
    ("BG", "Bulgaria", ("Bun-ga-ri", "Bungari")),
    ("BF", "Burkina Faso", ("Buốc-ki-na Pha-xô",)),
    ("BI", "Burundi", ("Bu-run-đi",)),
    ("CV", "Cabo Verde", ("Cape Verde", "Cáp-ve")),
    ("KH", "Campuchia", ("Cambodia", "Cam-pu-chia", "Căm-pu-chia", "Kampuchea", "Cao Miên")),
    ("CM", "Cameroon", ("Ca-mơ-run", "Camơrun")),
    ("CA", "Canada", ("Ca-na-đa", "Gia Nã Đại")),
    ("KY", "Quần đảo Cayman", ()),
    ("CF", "Cộng hòa Trung Phi", ("Trung Phi",)),
    ("TD", "Tchad", ("Chad", "Sát")),
    ("CL", "Chile", ("Chi-lê", "Chilê")),
    ("CN", "Trung Quốc", ("China", "Trung Hoa", "Cộng hòa Nhân dân Trung Hoa", "中国", "中國")),
    ("CX", "Đảo Christmas", ("Đảo Giáng Sinh",)),
    ("CC", "Quần đảo Cocos (Keeling)", ("Quần đảo Cocos",)),
    ("CO", "Colombia", ("Cô-lôm-bi-a", "Côlômbia")),
    ("KM", "Comoros", ("Cô-mo",)),
    ("CG", "Cộng hòa Congo", ("Congo", "Công-gô", "Congo-Brazzaville")),
    ("CD", "Cộng hòa Dân chủ Congo", ("CHDC Congo", "Congo-Kinshasa", "Zaire")),
    ("CK", "Quần đảo Cook", ()),
    ("CR", "Costa Rica", ("Cô-xta Ri-ca", "Côxta Rica")),
    ("CI", "Côte d'Ivoire", ("Bờ Biển Ngà", "Ivory Coast")),
    ("HR", "Croatia", ("Crô-a-ti-a", "Crôatia")),
    ("CU", "Cuba", ("Cu-ba",)),
    ("CW", "Curaçao", ()),
    ("CY", "Síp", ("Cyprus", "Cộng hòa Síp")),
    ("CZ", "Séc", ("Czechia", "Czech Republic", "Cộng hòa Séc")),
    ("DK", "Đan Mạch", ("Denmark",)),
    ("DJ", "Djibouti", ("Gi-bu-ti",)),
    ("DM", "Dominica", ("Thịnh vượng chung Dominica",)),
    ("DO", "Cộng hòa Dominicana", ("Dominicana", "Đô-mi-ni-ca-na")),
    ("EC", "Ecuador", ("Ê-cu-a-đo", "Êcuađo")),
    ("EG", "Ai Cập", ("Egypt",)),
    ("SV", "El Salvador", ("En Xan-va-đo", "Salvador")),
    ("GQ", "Guinea Xích Đạo", ("Ghi-nê Xích Đạo",)),
    ("ER", "Eritrea", ("Ê-ri-tơ-rê-a",)),
    ("EE", "Estonia", ("E-xtô-ni-a", "Extônia")),
    ("SZ", "Eswatini", ("Swaziland", "Xoa-di-len")),
    ("ET", "Ethiopia", ("Ê-ti-ô-pi-a", "Êtiôpia")),
    ("FK", "Quần đảo Falkland", ("Quần đảo Malvinas", "Malvinas")),
    ("FO", "Quần đảo Faroe", ()),
    ("FJ", "Fiji", ("Phi-gi",)),
    ("FI", "Phần Lan", ("Finland",)),
    ("FR", "Pháp", ("France", "Cộng hòa Pháp")),
    ("GF", "Guyane thuộc Pháp", ("Guiana thuộc Pháp", "Guyane")),
    ("PF", "Polynesia thuộc Pháp", ()),
    ("TF", "Vùng đất phía Nam thuộc Pháp", ("Lãnh thổ phía Nam thuộc Pháp",)),
    ("GA", "Gabon", ("Ga-bông",)),
    ("GM", "Gambia", ("Găm-bi-a",)),
    ("GE", "Gruzia", ("Georgia", "Gru-di-a", "Grudia")),
    ("DE", "Đức", ("Germany", "Cộng hòa Liên bang Đức", "CHLB Đức", "Deutschland")),
    ("GH", "Ghana", ("Ga-na",)),
    ("GI", "Gibraltar", ()),
    ("GR", "Hy Lạp", ("Greece",)),
    ("GL", "Greenland", ("Grơn-len",)),
    ("GD", "Grenada", ("Grê-na-đa",)),
    ("GP", "Guadeloupe", ()),
    ("GU", "Guam", ()),
    ("GT", "Guatemala", ("Goa-tê-ma-la", "Goatêmala")),
    ("GG", "Guernsey", ()),
    ("GN", "Guinea", ("Ghi-nê", "Ghinê")),
    ("GW", "Guinea-Bissau", ("Ghi-nê Bít-xao",)),
    ("GY", "Guyana", ("Guy-a-na",)),
    ("HT", "Haiti", ("Ha-i-ti",)),
    ("HM", "Đảo Heard và quần đảo McDonald", ()),
    ("VA", "Tòa Thánh Vatican", ("Vatican", "Holy See", "Tòa Thánh", "Va-ti-căng")),
    ("HN", "Honduras", ("Hôn-đu-rát",)),
    ("HK", "Hồng Kông (Trung Quốc)", ("Hồng Kông", "Hong Kong", "Hương Cảng", "香港")),
    ("HU", "Hungary", ("Hung-ga-ri", "Hungari")),
    ("IS", "Iceland", ("Ai-xơ-len", "Aixơlen", "Băng Đảo")),
    ("IN", "Ấn Độ", ("India",)),
    ("ID", "Indonesia", ("In-đô-nê-xi-a", "Inđônêxia")),
    ("IR", "Iran", ("I-ran",)),
    ("IQ", "Iraq", ("I-rắc", "Irắc")),
    ("IE", "Ai-len", ("Ireland", "Ai-rơ-len", "Cộng hòa Ireland")),
    ("IM", "Đảo Man", ("Isle of Man",)),
    ("IL", "Israel", ("I-xra-en", "Ixraen")),
    ("IT", "Italy", ("Ý", "I-ta-li-a", "Italia")),
    ("JM", "Jamaica", ("Gia-mai-ca",)),
    ("JP", "Nhật Bản", ("Japan", "Nhật", "日本")),
    ("JE", "Jersey", ()),
    ("JO", "Jordan", ("Gioóc-đa-ni", "Gioócđani")),
    ("KZ", "Kazakhstan", ("Ca-dắc-xtan", "Cadắcxtan", "Қазақстан", "Казахстан")),
    ("KE", "Kenya", ("Kê-ni-a", "Kênia")),
    ("KI", "Kiribati", ()),
    (
        "KP",
        "Triều Tiên",
        (
            "Cộng hòa Dân chủ Nhân dân Triều Tiên",
            "CHDCND Triều Tiên",
            "Bắc Triều Tiên",
            "North Korea",
            "DPRK",
            "조선",
        ),
    ),
    ("KR", "Hàn Quốc", ("South Korea", "Đại Hàn", "Nam Hàn", "Korea", "대한민국", "한국")),
    ("KW", "Kuwait", ("Cô-oét", "Côoét")),
    ("KG", "Kyrgyzstan", ("Cư-rơ-gư-xtan", "Kirghizia")),
    ("LA", "Lào", ("Laos", "Cộng hòa Dân chủ Nhân dân Lào", "CHDCND Lào", "ລາວ")),
    ("LV", "Latvia", ("Lát-vi-a", "Látvia")),
    ("LB", "Liban", ("Lebanon", "Li-băng", "Libăng")),
    ("LS", "Lesotho", ("Lê-xô-thô",)),
    ("LR", "Liberia", ("Li-bê-ri-a",)),
    ("LY", "Libya", ("Li-bi", "Libi", "Lybia")),
    ("LI", "Liechtenstein", ("Lích-ten-xtên",)),
    ("LT", "Litva", ("Lithuania", "Lít-va")),
    ("LU", "Luxembourg", ("Lúc-xăm-bua", "Lúcxămbua")),
    ("MO", "Ma Cao (Trung Quốc)", ("Ma Cao", "Macao", "Macau", "Áo Môn", "澳門")),
    ("MG", "Madagascar", ("Ma-đa-gát-xca",)),
    ("MW", "Malawi", ("Ma-la-uy",)),
    ("MY", "Malaysia", ("Ma-lai-xi-a", "Malaixia", "Mã Lai")),
    ("MV", "Maldives", ("Man-đi-vơ",)),
    ("ML", "Mali", ()),
    ("MT", "Malta", ("Man-ta",)),
    ("MH", "Quần đảo Marshall", ()),
    ("MQ", "Martinique", ()),
    ("MR", "Mauritania", ("Mô-ri-ta-ni", "Mauritanie")),
    ("MU", "Mauritius", ("Mô-ri-xơ",)),
    ("YT", "Mayotte", ()),
    ("MX", "Mexico", ("Mê-hi-cô", "Mêhicô", "México")),
    ("FM", "Micronesia", ("Liên bang Micronesia",)),
    ("MD", "Moldova", ("Môn-đô-va", "Mônđôva")),
    ("MC", "Monaco", ("Mô-na-cô",)),
    ("MN", "Mông Cổ", ("Mongolia", "Монгол Улс")),
    ("ME", "Montenegro", ("Mông-tê-nê-grô",)),
    ("MS", "Montserrat", ()),
    ("MA", "Maroc", ("Morocco", "Ma-rốc", "Marốc")),
    ("MZ", "Mozambique", ("Mô-dăm-bích", "Môdămbích")),
    ("MM", "Myanmar", ("Mi-an-ma", "Mianma", "Miến Điện", "Burma")),
    ("NA", "Namibia", ("Na-mi-bi-a",)),
    ("NR", "Nauru", ("Naoero",)),
    ("NP", "Nepal", ("Nê-pan", "Nêpan")),
    ("NL", "Hà Lan", ("Netherlands", "Holland", "Vương quốc Hà Lan")),
    ("NC", "Nouvelle-Calédonie", ("New Caledonia", "Tân Caledonia")),
    ("NZ", "New Zealand", ("Niu Di-lân", "Niu Dilân", "Tân Tây Lan")),
    ("NI", "Nicaragua", ("Ni-ca-ra-goa",)),
    ("NE", "Niger", ("Ni-giê", "Nigiê")),
    ("NG", "Nigeria", ("Ni-giê-ri-a", "Nigiêria")),
    ("NU", "Niue", ()),
    ("NF", "Đảo Norfolk", ()),
    ("MK", "Bắc Macedonia", ("Macedonia", "Ma-xê-đô-ni-a")),
    ("MP", "Quần đảo Bắc Mariana", ()),
    ("NO", "Na Uy", ("Norway",)),
    ("OM", "Oman", ("Ô-man",)),
    ("PK", "Pakistan", ("Pa-ki-xtan", "Pakixtan")),
    ("PW", "Palau", ("Pa-lau",)),
    ("PS", "Palestine", ("Pa-le-xtin", "Palextin", "Nhà nước Palestine")),
    ("PA", "Panama", ("Pa-na-ma",)),
    ("PG", "Papua New Guinea", ("Pa-pua Niu Ghi-nê",)),
    ("PY", "Paraguay", ("Pa-ra-goay",)),
    ("PE", "Peru", ("Pê-ru", "Pêru")),
    ("PH", "Philippines", ("Phi-líp-pin", "Philíppin", "Phi Luật Tân")),
    ("PN", "Quần đảo Pitcairn", ("Pitcairn",)),
    ("PL", "Ba Lan", ("Poland", "Polska")),
    ("PT", "Bồ Đào Nha", ("Portugal",)),
    ("PR", "Puerto Rico", ("Pu-éc-tô Ri-cô",)),
    ("QA", "Qatar", ("Ca-ta",)),
    ("RE", "Réunion", ("Đảo Réunion",)),
    ("RO", "Romania", ("Ru-ma-ni", "Rumani", "România")),
    ("RU", "Nga", ("Liên bang Nga", "LB Nga", "Russia", "Russian Federation", "Россия")),
    ("RW", "Rwanda", ("Ru-an-đa",)),
    ("BL", "Saint-Barthélemy", ()),
    ("SH", "Saint Helena, Ascension và Tristan da Cunha", ("Saint Helena",)),
    ("KN", "Saint Kitts và Nevis", ("Xanh Kít và Nê-vít",)),
    ("LC", "Saint Lucia", ("Xanh Lu-xi-a",)),
    ("MF", "Saint-Martin (thuộc Pháp)", ()),
    ("PM", "Saint-Pierre và Miquelon", ()),
    ("VC", "Saint Vincent và Grenadines", ("Xanh Vin-xen và Grê-na-đin",)),
    ("WS", "Samoa", ("Xa-moa",)),
    ("SM", "San Marino", ("Xan Ma-ri-nô",)),
    ("ST", "São Tomé và Príncipe", ("Xao Tô-mê và Prin-xi-pê",)),
    ("SA", "Ả Rập Xê Út", ("Saudi Arabia", "Ả-rập Xê-út", "Ả Rập Saudi")),
    ("SN", "Senegal", ("Xê-nê-gan", "Sénégal")),
    ("RS", "Serbia", ("Xéc-bi-a", "Xécbia", "Србија")),
    ("SC", "Seychelles", ("Xây-sen",)),
    ("SL", "Sierra Leone", ("Xi-ê-ra Lê-ôn",)),
    ("SG", "Singapore", ("Xin-ga-po", "Xingapo", "Tân Gia Ba")),
    ("SX", "Sint Maarten (thuộc Hà Lan)", ()),
    ("SK", "Slovakia", ("Xlô-va-ki-a", "Xlôvakia")),
    ("SI", "Slovenia", ("Xlô-ven-ni-a", "Xlôvenia")),
    ("SB", "Quần đảo Solomon", ("Xô-lô-môn",)),
    ("SO", "Somalia", ("Xô-ma-li", "Xômali", "Somali")),
    ("ZA", "Nam Phi", ("South Africa",)),
    ("GS", "Nam Georgia và quần đảo Nam Sandwich", ()),
    ("SS", "Nam Sudan", ("Nam Xu-đăng",)),
    ("ES", "Tây Ban Nha", ("Spain", "España")),
    ("LK", "Sri Lanka", ("Xri Lan-ca", "Xri Lanca")),
    ("SD", "Sudan", ("Xu-đăng", "Xuđăng")),
    ("SR", "Suriname", ("Xu-ri-nam",)),
    ("SJ", "Svalbard và Jan Mayen", ()),
    ("SE", "Thụy Điển", ("Sweden",)),
    ("CH", "Thụy Sĩ", ("Switzerland", "Thụy Sỹ")),
    ("SY", "Syria", ("Xy-ri", "Xyri")),
    ("TW", "Đài Loan (Trung Quốc)", ("Đài Loan", "Taiwan", "臺灣", "台湾")),
    ("TJ", "Tajikistan", ("Tát-gi-ki-xtan", "Tátgikixtan")),
    ("TZ", "Tanzania", ("Tan-da-ni-a", "Tandania")),
    ("TH", "Thái Lan", ("Thailand", "Xiêm", "ประเทศไทย")),
    ("TL", "Timor-Leste", ("Đông Timor", "Ti-mo Lét-xtê", "East Timor")),
    ("TG", "Togo", ("Tô-gô",)),
    ("TK", "Tokelau", ()),
    ("TO", "Tonga", ("Tông-ga",)),
    ("TT", "Trinidad và Tobago", ("Tri-ni-đát và Tô-ba-gô",)),
    ("TN", "Tunisia", ("Tuy-ni-di", "Tuynidi")),
    ("TR", "Thổ Nhĩ Kỳ", ("Türkiye", "Turkey")),
    ("TM", "Turkmenistan", ("Tuốc-mê-ni-xtan", "Tuốcmênixtan")),
    ("TC", "Quần đảo Turks và Caicos", ()),
    ("TV", "Tuvalu", ()),
    ("UG", "Uganda", ("U-gan-đa",)),
    ("UA", "Ukraine", ("U-crai-na", "Ucraina", "Ukraina", "Україна")),
    (
        "AE",
        "Các Tiểu vương quốc Ả Rập Thống nhất",
        ("UAE", "United Arab Emirates", "Các Tiểu vương quốc Arab Thống nhất"),
    ),
    (
        "GB",
        "Vương quốc Anh",
        (
            "Anh",
            "United Kingdom",
            "UK",
            "Great Britain",
            "Britain",
            "England",
            "Liên hiệp Vương quốc Anh và Bắc Ireland",
        ),
    ),
    ("UM", "Các đảo xa thuộc Hoa Kỳ", ()),
    ("US", "Hoa Kỳ", ("Mỹ", "United States", "USA", "America", "Hợp chủng quốc Hoa Kỳ")),
    ("UY", "Uruguay", ("U-ru-goay",)),
    ("UZ", "Uzbekistan", ("U-dơ-bê-ki-xtan", "Udơbêkixtan")),
    ("VU", "Vanuatu", ("Va-nu-a-tu",)),
    ("VE", "Venezuela", ("Vê-nê-xu-ê-la", "Vênêxuêla")),
    ("VN", "Việt Nam", ("Vietnam", "Viet Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam")),
    ("VG", "Quần đảo Virgin thuộc Anh", ()),
    ("VI", "Quần đảo Virgin thuộc Mỹ", ()),
    ("WF", "Wallis và Futuna", ()),
    ("EH", "Tây Sahara", ("Tây Xa-ha-ra",)),
    ("YE", "Yemen", ("Y-ê-men", "Yêmen")),
    ("ZM", "Zambia", ("Dăm-bi-a", "Dămbia")),
    ("ZW", "Zimbabwe", ("Dim-ba-bu-ê", "Dimbabuê")),
)

VIETNAMESE_NAMES: dict[str, str] = {code: name for code, name, _ in VIETNAMESE}
VARIANTS: dict[str, tuple[str, ...]] = {code: variants for code, _, variants in VIETNAMESE}

# A query shorter than this (as a key) matches whole names only, never a prefix: "an"
# would otherwise find Anh, Ấn Độ and Andorra.
PARTIAL_MIN_LENGTH = 3


def default_name(code: str) -> Any:
    """django-countries' own (lazy, translatable) name: its common name when it has one."""
    from django_countries.base import CountriesBase
    from django_countries.data import COUNTRIES

    return CountriesBase.COMMON_NAMES.get(code) or COUNTRIES[code]


def name_in_language(code: str, language: str | None = None) -> str:
    """The country's name in ``language`` (default: the active one)."""
    language = language or get_language() or "vi"
    if language.split("-")[0] == "vi":
        return VIETNAMESE_NAMES[code]
    with override(language):
        return str(default_name(code))


def _active_name(code: str) -> str:
    return name_in_language(code)


_lazy_name = lazy(_active_name, str)


def countries_override() -> dict[str, Any]:
    """``COUNTRIES_OVERRIDE`` for settings: every code's name, read in the active language."""
    return {code: _lazy_name(code) for code in VIETNAMESE_NAMES}


def english_names(code: str) -> list[str]:
    """Every English name django-countries knows for ``code`` (ISO, common, old)."""
    from django_countries.base import CountriesBase
    from django_countries.data import COUNTRIES

    names = [COUNTRIES[code], CountriesBase.COMMON_NAMES.get(code)]
    names += CountriesBase.OLD_NAMES.get(code, [])
    with override("en"):
        return [str(name) for name in names if name]


def all_spellings(code: str) -> list[str]:
    """The names a person may type for ``code``: Vietnamese, English, variants."""
    return [VIETNAMESE_NAMES[code], *english_names(code), *VARIANTS[code]]


class _Index:
    """Every spelling's key, built once: exact keys, codes, and keys to match prefixes of."""

    def __init__(self) -> None:
        from django_countries.data import ALT_CODES

        by_key: dict[str, list[str]] = {}
        self.prefixes: list[tuple[str, frozenset[str]]] = []
        for code in VIETNAMESE_NAMES:
            keys: set[str] = set()
            for spelling in all_spellings(code):
                key = name_key(spelling)
                codes = by_key.setdefault(key, [])
                if code not in codes:
                    codes.append(code)
                keys.add(key)
                keys.update(name_key(word) for word in spelling.split())
            self.prefixes.append((code, frozenset(keys)))
        self.by_key = {key: tuple(codes) for key, codes in by_key.items()}
        self.by_code = {code: code for code in VIETNAMESE_NAMES}
        self.by_code.update({alpha3: code for code, (alpha3, _) in ALT_CODES.items() if alpha3})


@functools.cache
def _index() -> _Index:
    return _Index()


def codes_matching(text: str | None, *, partial: bool = False) -> list[str]:
    """ISO codes of the countries ``text`` names, best first; empty when it names none.

    Whole names first (case, accents, spaces and hyphens ignored: "bêlarut",
    "Bê-la-rút", "BELARUS"), then an ISO code typed in capitals ("BY", "BLR"). With
    ``partial`` (for the site search) a query of three letters or more also finds the
    countries one of whose names starts with it, or has a word that does ("bela",
    "zealand").
    """
    index = _index()
    key = name_key(text)
    if not key:
        return []
    found: list[str] = list(index.by_key.get(key, ()))
    typed = (text or "").strip()
    if typed.isascii() and typed.isalpha() and typed.isupper() and typed in index.by_code:
        found.append(index.by_code[typed])
    if partial and len(key) >= PARTIAL_MIN_LENGTH:
        found.extend(
            code
            for code, keys in index.prefixes
            if any(candidate.startswith(key) for candidate in keys)
        )
    return list(dict.fromkeys(found))


def _country_sort_key(item: tuple[str, str]) -> Any:
    from common.collation import sort_key

    return sort_key(item[1])


def use_vietnamese_order() -> None:
    """Make django-countries sort its lists in Vietnamese order (Đ after D, Ấn Độ among A).

    django-countries sorts with pyuca when it is installed and otherwise by an ASCII
    fold that drops "Đ" altogether ("Đức" among the E's... of "uc"). It looks its sort
    function up as the module global ``sort_key`` at each sort, so replacing that
    global is enough; for English names the order is the usual alphabetical one.
    Called once from ``CommonConfig.ready``.
    """
    import django_countries

    django_countries.sort_key = _country_sort_key
