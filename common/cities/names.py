"""The partner cities' names as Vietnamese staff write them: a curated, reviewed table.

GeoNames knows a city's names in many languages but rarely the Vietnamese ones the
office writes: transliterations that follow Vietnamese spelling ("Xơ-un", "Mát-xcơ-
va", "Oa-sinh-tơn"), Sino-Vietnamese names ("Bắc Kinh", "Luân Đôn", "Hoa Thịnh
Đốn") and the usual press forms ("Viêng Chăn", "Phnôm Pênh", "Băng Cốc"). It also
lacks many native names in their own script (ວຽງຈັນ, ភ្នំពេញ). This table adds them
for about a hundred cities: the home cities of Viet Nam, the cities Vietnamese
cities are twinned with most often, and the capitals where delegations go.

Sources: the names used by Vietnamese Wikipedia and by the press and ministry
(Nhân Dân, VnExpress, Báo Chính phủ). ``vietnamese`` is today's usual form, the
one printed in the Vietnamese interface; ``also`` lists the other spellings staff
type (older transliterations, historical names), all of which find the city;
``native`` lists the names in the city's own language and script, the first one
preferred. ``english`` is checked against GeoNames by the tests (the entry must be
the city meant, not a namesake) and used as the English name when GeoNames' own
differs ("Homyel'" → "Gomel", "Cần Thơ" → "Can Tho").
"""

from __future__ import annotations

from typing import NamedTuple


class Curated(NamedTuple):
    geonameid: int
    country: str  # ISO 3166-1 alpha-2
    english: str
    vietnamese: str
    also: tuple[str, ...]
    native: tuple[str, ...]


CURATED: tuple[Curated, ...] = (
    Curated(1581130, "VN", "Hanoi", "Hà Nội", ("Ha Noi", "Thủ đô Hà Nội"), ()),
    Curated(
        1566083,
        "VN",
        "Ho Chi Minh City",
        "TP Hồ Chí Minh",
        ("Thành phố Hồ Chí Minh", "TP HCM", "Sài Gòn"),
        (),
    ),
    Curated(1583992, "VN", "Da Nang", "Đà Nẵng", (), ()),
    Curated(1581298, "VN", "Haiphong", "Hải Phòng", (), ()),
    Curated(1586203, "VN", "Can Tho", "Cần Thơ", (), ()),
    Curated(1580240, "VN", "Hue", "Huế", ("Thừa Thiên Huế",), ()),
    Curated(1816670, "CN", "Beijing", "Bắc Kinh", ("Peking",), ("北京",)),
    Curated(1796236, "CN", "Shanghai", "Thượng Hải", (), ("上海",)),
    Curated(1809858, "CN", "Guangzhou", "Quảng Châu", (), ("广州", "廣州")),
    Curated(1795565, "CN", "Shenzhen", "Thâm Quyến", (), ("深圳",)),
    Curated(1799869, "CN", "Nanning", "Nam Ninh", (), ("南宁", "南寧")),
    Curated(1804651, "CN", "Kunming", "Côn Minh", (), ("昆明",)),
    Curated(1792947, "CN", "Tianjin", "Thiên Tân", (), ("天津",)),
    Curated(1814906, "CN", "Chongqing", "Trùng Khánh", (), ("重庆", "重慶")),
    Curated(1808926, "CN", "Hangzhou", "Hàng Châu", (), ("杭州",)),
    Curated(1815286, "CN", "Chengdu", "Thành Đô", (), ("成都",)),
    Curated(1819729, "HK", "Hong Kong", "Hồng Kông", ("Hương Cảng",), ("香港",)),
    Curated(1668341, "TW", "Taipei", "Đài Bắc", (), ("臺北", "台北")),
    Curated(1850147, "JP", "Tokyo", "Tokyo", ("Tô-ky-ô", "Đông Kinh"), ("東京",)),
    Curated(1853909, "JP", "Osaka", "Osaka", ("Ô-xa-ca",), ("大阪",)),
    Curated(1848354, "JP", "Yokohama", "Yokohama", ("Y-ô-kô-ha-ma",), ("横浜",)),
    Curated(1863967, "JP", "Fukuoka", "Fukuoka", ("Phu-cu-ô-ca",), ("福岡",)),
    Curated(1857910, "JP", "Kyoto", "Kyoto", ("Ki-ô-tô",), ("京都",)),
    Curated(1835848, "KR", "Seoul", "Seoul", ("Xơ-un", "Xê-un", "Hán Thành"), ("서울",)),
    Curated(1838524, "KR", "Busan", "Busan", ("Bu-san", "Pu-san"), ("부산",)),
    Curated(1843564, "KR", "Incheon", "Incheon", ("In-chơn",), ("인천",)),
    Curated(1835329, "KR", "Daegu", "Daegu", (), ("대구",)),
    Curated(1871859, "KP", "Pyongyang", "Bình Nhưỡng", ("Pyongyang",), ("평양",)),
    Curated(
        2028462, "MN", "Ulan Bator", "Ulaanbaatar", ("U-lan Ba-to", "Ulan Bator"), ("Улаанбаатар",)
    ),
    Curated(1651944, "LA", "Vientiane", "Viêng Chăn", ("Vientiane", "Vạn Tượng"), ("ວຽງຈັນ",)),
    Curated(
        1655559,
        "LA",
        "Luang Prabang",
        "Luông Pha-bang",
        ("Luang Prabang", "Luông Prabang"),
        ("ຫຼວງພະບາງ",),
    ),
    Curated(1653316, "LA", "Savannakhet", "Xa-van-na-khệt", ("Savannakhet",), ("ສະຫວັນນະເຂດ",)),
    Curated(1654379, "LA", "Pakse", "Pắc-xế", ("Pakse", "Pakxe"), ("ປາກເຊ",)),
    Curated(1821306, "KH", "Phnom Penh", "Phnôm Pênh", ("Phnom Penh", "Nam Vang"), ("ភ្នំពេញ",)),
    Curated(1822214, "KH", "Siem Reap", "Xiêm Riệp", ("Siem Reap",), ("សៀមរាប",)),
    Curated(1831797, "KH", "Battambang", "Bát-tam-bang", ("Battambang",), ("បាត់ដំបង",)),
    Curated(
        1609350, "TH", "Bangkok", "Băng Cốc", ("Bangkok",), ("กรุงเทพมหานคร", "กรุงเทพฯ", "กรุงเทพ")
    ),
    Curated(1153671, "TH", "Chiang Mai", "Chiềng Mai", ("Chiang Mai",), ("เชียงใหม่",)),
    Curated(1605239, "TH", "Udon Thani", "U-đon Tha-ni", ("Udon Thani",), ("อุดรธานี",)),
    Curated(1609776, "TH", "Khon Kaen", "Khon Kaen", (), ("ขอนแก่น",)),
    Curated(1298824, "MM", "Yangon", "Yangon", ("Y-an-gun", "Rangoon"), ("ရန်ကုန်",)),
    Curated(1735161, "MY", "Kuala Lumpur", "Kuala Lumpur", ("Cu-a-la Lăm-pơ",), ()),
    Curated(1642911, "ID", "Jakarta", "Jakarta", ("Gia-các-ta",), ()),
    Curated(1701668, "PH", "Manila", "Manila", ("Ma-ni-la",), ()),
    Curated(1880252, "SG", "Singapore", "Singapore", ("Xin-ga-po", "Tân Gia Ba"), ()),
    Curated(1261481, "IN", "New Delhi", "New Delhi", ("Niu Đê-li",), ("नई दिल्ली",)),
    Curated(1526273, "KZ", "Astana", "Astana", ("A-xta-na",), ("Астана",)),
    Curated(323786, "TR", "Ankara", "Ankara", ("An-ca-ra",), ()),
    Curated(745044, "TR", "Istanbul", "Istanbul", ("I-xtan-bun",), ("İstanbul",)),
    Curated(112931, "IR", "Tehran", "Tehran", ("Tê-hê-ran",), ("تهران",)),
    Curated(524901, "RU", "Moscow", "Mát-xcơ-va", ("Moscow", "Moskva", "Matxcơva"), ("Москва",)),
    Curated(
        498817,
        "RU",
        "Saint Petersburg",
        "Saint Petersburg",
        ("Xanh Pê-téc-bua", "Sankt-Peterburg"),
        ("Санкт-Петербург",),
    ),
    Curated(2013348, "RU", "Vladivostok", "Vladivostok", ("Vla-đi-vô-xtốc",), ("Владивосток",)),
    Curated(1496747, "RU", "Novosibirsk", "Novosibirsk", ("Nô-vô-xi-biếc",), ("Новосибирск",)),
    Curated(551487, "RU", "Kazan", "Kazan", ("Ca-dan",), ("Казань",)),
    Curated(625144, "BY", "Minsk", "Minsk", ("Min-xcơ",), ("Мінск", "Минск")),
    Curated(627907, "BY", "Gomel", "Gomel", ("Gô-men", "Homel"), ("Гомель",)),
    Curated(703448, "UA", "Kyiv", "Kyiv", ("Ki-ép", "Kiev", "Ki-ev"), ("Київ",)),
    Curated(756135, "PL", "Warsaw", "Warsaw", ("Vác-sa-va", "Vácsava"), ("Warszawa",)),
    Curated(3067696, "CZ", "Prague", "Praha", ("Prague", "Pra-ha"), ("Praha",)),
    Curated(3054643, "HU", "Budapest", "Budapest", ("Bu-đa-pét",), ()),
    Curated(683506, "RO", "Bucharest", "Bucharest", ("Bu-ca-rét",), ("București",)),
    Curated(727011, "BG", "Sofia", "Sofia", ("Xô-phi-a",), ("София",)),
    Curated(792680, "RS", "Belgrade", "Belgrade", ("Bê-ô-grát", "Beograd"), ("Београд",)),
    Curated(2761369, "AT", "Vienna", "Viên", ("Vienna", "Wien"), ("Wien",)),
    Curated(2950159, "DE", "Berlin", "Berlin", ("Béc-lin", "Bá Linh"), ()),
    Curated(2988507, "FR", "Paris", "Paris", ("Pa-ri", "Ba Lê"), ()),
    Curated(2643743, "GB", "London", "Luân Đôn", ("London",), ()),
    Curated(3169070, "IT", "Rome", "Rome", ("Rô-ma", "La Mã", "Roma"), ("Roma",)),
    Curated(3117735, "ES", "Madrid", "Madrid", ("Ma-đrít",), ()),
    Curated(2267057, "PT", "Lisbon", "Lisbon", ("Li-xbon", "Lisboa"), ("Lisboa",)),
    Curated(264371, "GR", "Athens", "Athens", ("A-ten", "Nhã Điển"), ("Αθήνα",)),
    Curated(
        2800866, "BE", "Brussels", "Brussels", ("Brúc-xen", "Bruxelles"), ("Bruxelles", "Brussel")
    ),
    Curated(2759794, "NL", "Amsterdam", "Amsterdam", ("Am-xtéc-đam",), ()),
    Curated(2618425, "DK", "Copenhagen", "Copenhagen", ("Cô-pen-ha-gen",), ("København",)),
    Curated(2673730, "SE", "Stockholm", "Stockholm", ("Xtốc-khôm",), ()),
    Curated(3143244, "NO", "Oslo", "Oslo", ("Ô-xlô",), ()),
    Curated(658225, "FI", "Helsinki", "Helsinki", ("Hen-xin-ki",), ()),
    Curated(3060972, "SK", "Bratislava", "Bratislava", ("Bra-ti-xla-va",), ()),
    Curated(
        4140963,
        "US",
        "Washington",
        "Washington",
        ("Oa-sinh-tơn", "Hoa Thịnh Đốn", "Washington D.C."),
        (),
    ),
    Curated(5128581, "US", "New York City", "New York", ("Niu Oóc", "Nữu Ước"), ()),
    Curated(
        5391959, "US", "San Francisco", "San Francisco", ("Xan Phran-xi-xcô", "Cựu Kim Sơn"), ()
    ),
    Curated(5368361, "US", "Los Angeles", "Los Angeles", ("Lốt An-giơ-lét",), ()),
    Curated(5809844, "US", "Seattle", "Seattle", ("Xi-át-tơn",), ()),
    Curated(6094817, "CA", "Ottawa", "Ottawa", ("Ốt-ta-oa",), ()),
    Curated(6173331, "CA", "Vancouver", "Vancouver", ("Van-cu-vơ",), ()),
    Curated(6167865, "CA", "Toronto", "Toronto", ("Tô-rôn-tô",), ()),
    Curated(3553478, "CU", "Havana", "La Habana", ("Havana", "La Ha-ba-na"), ("La Habana",)),
    Curated(
        3530597,
        "MX",
        "Mexico City",
        "Mexico City",
        ("Thành phố Mê-hi-cô", "Mê-hi-cô"),
        ("Ciudad de México",),
    ),
    Curated(3469058, "BR", "Brasília", "Brasília", ("Bra-xi-li-a",), ()),
    Curated(3435910, "AR", "Buenos Aires", "Buenos Aires", ("Bu-ê-nốt Ai-rét",), ()),
    Curated(3871336, "CL", "Santiago", "Santiago", ("Xan-ti-a-gô", "Santiago de Chile"), ()),
    Curated(3936456, "PE", "Lima", "Lima", ("Li-ma",), ()),
    Curated(2172517, "AU", "Canberra", "Canberra", ("Can-bê-ra",), ()),
    Curated(2147714, "AU", "Sydney", "Sydney", ("Xít-ni",), ()),
    Curated(2158177, "AU", "Melbourne", "Melbourne", ("Men-bơn",), ()),
    Curated(2179537, "NZ", "Wellington", "Wellington", ("Oen-linh-tơn",), ()),
    Curated(360630, "EG", "Cairo", "Cairo", ("Cai-rô",), ("القاهرة",)),
    Curated(964137, "ZA", "Pretoria", "Pretoria", ("Prê-tô-ri-a",), ()),
    Curated(292223, "AE", "Dubai", "Dubai", ("Đu-bai",), ("دبي",)),
)
