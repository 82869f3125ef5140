"""World and locator maps as server-side SVG (common.worldmap)."""

import re
import subprocess
import xml.etree.ElementTree as ET

from defusedxml import ElementTree as SafeET

from common.worldmap import MapPoint, render_locator_map, render_world_map

SVG = "{http://www.w3.org/2000/svg}"
PARTNERS = [
    MapPoint(53.90, 27.57, "Minsk", "/partnerships/1/", "active"),
    MapPoint(39.90, 116.40, "Bắc Kinh", "/partnerships/2/", "active"),
    MapPoint(17.97, 102.60, "Viêng Chăn", "/partnerships/3/", "lapsed"),
]


def parse(svg: str) -> ET.Element:
    return SafeET.fromstring(svg)


def test_the_world_map_is_an_svg_document_with_a_title_and_description():
    root = parse(render_world_map(PARTNERS, title="Partner cities", description="Three cities"))
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Partner cities"
    assert root.get("aria-labelledby") == "worldmap-title worldmap-desc"


def test_each_linked_city_is_a_link_whose_text_is_its_name():
    root = parse(render_world_map(PARTNERS))
    links = {a.get("href"): "".join(a.itertext()) for a in root.iter(f"{SVG}a")}
    assert links == {
        "/partnerships/1/": "Minsk",
        "/partnerships/2/": "Bắc Kinh",
        "/partnerships/3/": "Viêng Chăn",
    }


def test_a_map_with_links_is_a_group_so_its_links_stay_reachable():
    assert parse(render_world_map(PARTNERS)).get("role") == "group"


def test_a_map_without_links_is_an_image():
    assert parse(render_locator_map(53.90, 27.57, "Minsk")).get("role") == "img"


def test_points_carry_their_css_class():
    root = parse(render_world_map(PARTNERS))
    classes = [a.get("class") for a in root.iter(f"{SVG}a")]
    assert classes == ["point active", "point active", "point lapsed"]


def test_the_map_has_no_script_and_no_inline_style_so_a_strict_csp_holds():
    svg = render_world_map(PARTNERS, country_classes={"BY": "partner"})
    root = parse(svg)
    assert not [el for el in root.iter() if el.tag in {f"{SVG}script", f"{SVG}style"}]
    assert not [el for el in root.iter() if "style" in el.attrib or "onclick" in el.attrib]


def test_countries_get_classes_by_iso_code():
    root = parse(render_world_map(country_classes={"BY": "partner"}))
    belarus = [p for p in root.iter(f"{SVG}path") if "c-BY" in (p.get("class") or "")]
    assert [p.get("class") for p in belarus] == ["country c-BY partner"]


def test_labels_are_escaped():
    svg = render_world_map([MapPoint(53.9, 27.57, "<script>x</script>", "/p/?a=1&b=2")])
    assert "<script>" not in svg
    assert 'href="/p/?a=1&amp;b=2"' in svg


def test_the_world_map_stays_small():
    assert len(render_world_map(PARTNERS).encode()) < 60_000


def test_a_locator_map_leaves_out_points_outside_its_frame():
    svg = render_world_map(PARTNERS, bbox=(15.0, 45.0, 40.0, 60.0))
    assert "Minsk" in svg
    assert "Viêng Chăn" not in svg


def test_viet_nams_archipelagos_are_drawn_on_a_map_of_the_region():
    root = parse(render_world_map(bbox=(100.0, 5.0, 120.0, 25.0), width=400))
    islands = [g for g in root.iter(f"{SVG}g") if "islands" in (g.get("class") or "")]
    assert len(islands) == 2


def test_a_view_across_the_antimeridian_draws_both_sides():
    root = parse(render_locator_map(-18.1, 178.4, "Suva", country="FJ"))
    drawn = {
        p.get("class", "").split()[1] for p in root.iter(f"{SVG}path") if "c-" in p.get("class", "")
    }
    assert {"c-FJ", "c-TO"} <= drawn


def _steps(d: str) -> list[float]:
    numbers = re.findall(r"-?(?:\d+\.?\d*|\.\d+)", d.split("l", 1)[1])
    return [float(n) for n in numbers[0::2]]


def test_no_country_is_drawn_as_a_streak_across_the_world():
    width = 960
    root = parse(render_world_map(width=width))
    widest = max(
        abs(step)
        for path in root.iter(f"{SVG}path")
        if "country" in (path.get("class") or "")
        for part in path.get("d", "").split("M")[1:]
        for step in _steps(part)
    )
    assert widest < width / 4


def test_weasyprint_draws_the_locator_map_in_a_pdf(tmp_path):
    from delegations.brief import BriefURLFetcher, html_to_pdf

    svg = render_locator_map(53.90, 27.57, "Minsk", country="BY")
    fetcher = BriefURLFetcher()
    pdf = html_to_pdf(f"<html><body><p>Minsk</p>{svg}</body></html>", fetcher=fetcher)
    assert fetcher.refused == []
    (tmp_path / "map.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "map.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    image = next(tmp_path.glob("p*.ppm")).read_bytes()
    header, pixels = _ppm(image)
    highlight = (0xC5, 0xD6, 0xB0)  # the located country's fill
    found = sum(
        1
        for i in range(0, len(pixels), 3)
        if all(abs(pixels[i + k] - highlight[k]) <= 6 for k in range(3))
    )
    assert found > 200, header


def _ppm(data: bytes) -> tuple[bytes, bytes]:
    """The header and raw RGB pixels of a binary PPM (P6) written by pdftoppm."""
    fields = data.split(maxsplit=4)
    return b" ".join(fields[:4]), fields[4]


def test_a_country_circle_shows_its_count_and_is_named_by_its_name_not_its_label():
    point = MapPoint(
        53.5,
        28.0,
        "",
        "/partners/?country=BY",
        "country-point",
        12,
        "37",
        "Belarus: 37 partnerships",
    )
    root = parse(render_world_map([point]))
    [link] = root.iter(f"{SVG}a")
    assert link.get("aria-label") == "Belarus: 37 partnerships"
    tooltip = link.find(f"{SVG}title")
    assert tooltip is not None
    assert tooltip.text == "Belarus: 37 partnerships"
    assert not list(link.iter(f"{SVG}text"))  # the count is no part of the link's text
    [count] = [t for t in root.iter(f"{SVG}text") if t.get("class") == "point-count"]
    assert (count.text, count.get("aria-hidden")) == ("37", "true")


def test_a_country_is_marked_at_the_centre_of_its_mainland():
    from common.worldmap import country_centres

    latitude, longitude = country_centres()["FR"]  # not between Paris and French Guiana
    assert 43 < latitude < 49
    assert -2 < longitude < 7
    assert "GI" not in country_centres()  # too small for the outlines: the caller decides
