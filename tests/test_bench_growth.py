"""bench/growth.py puts each page's p50 at each scale side by side (issue 16), no server."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"bench_{name}"] = module
    spec.loader.exec_module(module)
    return module


growth = _load("growth")


def page(p50: float, kind: str = "page", **extra) -> dict:
    return {"status": "ok", "kind": kind, "label": "x", "wall_ms": {"median": p50}, **extra}


def test_the_ratio_is_the_largest_scale_over_the_smallest_and_judged_for_pages():
    runs = {
        0.25: {"pages": {"actions": page(20.0), "admin_actionitem": page(30.0, kind="peer")}},
        1.0: {"pages": {"actions": page(22.0), "admin_actionitem": page(60.0, kind="peer")}},
        4.0: {"pages": {"actions": page(24.0), "admin_actionitem": page(200.0, kind="peer")}},
    }
    result = growth.growth(runs)
    assert result["scales"] == ["0.25", "1", "4"]
    assert result["pages"]["actions"]["p50_ms"] == {"0.25": 20.0, "1": 22.0, "4": 24.0}
    assert result["pages"]["actions"]["ratio"] == 1.2
    assert result["pages"]["actions"]["meets_target"] is True
    assert "meets_target" not in result["pages"]["admin_actionitem"]  # context only
    assert result["all_met"] is True
    assert "actions" in growth.table(result)


def test_the_dashboard_after_a_change_is_judged_too():
    runs = {
        0.25: {"pages": {"dashboard_after_change": page(60.0, after_change="all")}},
        4.0: {"pages": {"dashboard_after_change": page(120.0, after_change="all")}},
    }
    result = growth.growth(runs)
    assert result["pages"]["dashboard_after_change"]["meets_target"] is False
    assert result["all_met"] is False


def test_a_page_missing_at_one_scale_has_no_ratio():
    runs = {
        0.25: {"pages": {"map": page(10.0)}},
        4.0: {"pages": {"map": {"status": "missing"}}},
    }
    row = growth.growth(runs)["pages"]["map"]
    assert "ratio" not in row
    assert "—" in growth.table(growth.growth(runs))


def test_each_ratio_is_also_shown_over_the_floor_s_the_machine_s_drift():
    runs = {
        0.25: {"pages": {"floor": page(8.0, kind="floor"), "actions": page(20.0)}},
        4.0: {"pages": {"floor": page(10.0, kind="floor"), "actions": page(26.0)}},
    }
    result = growth.growth(runs)
    row = result["pages"]["actions"]
    assert row["ratio"] == 1.3
    assert row["meets_target"] is False  # the target stays on the p50s themselves
    assert row["ratio_over_floor"] == 1.04  # 1.3 / 1.25: the machine slowed between runs
    assert "1.04" in growth.table(result)


def test_each_round_rotates_the_scales_so_none_is_always_first():
    scales = [0.25, 1.0, 4.0]
    orders = [growth.round_order(scales, i) for i in range(4)]
    assert orders == [[0.25, 1.0, 4.0], [1.0, 4.0, 0.25], [4.0, 0.25, 1.0], [0.25, 1.0, 4.0]]
    assert {order[0] for order in orders[:3]} == set(scales)
    assert {order[-1] for order in orders[:3]} == set(scales)


def test_a_round_requests_each_measure_at_every_scale_one_after_the_other():
    order = list(growth.schedule(["dashboard", "floor"], [0.25, 4.0], 2))
    assert order == [
        (0, "dashboard", 0.25),
        (0, "dashboard", 4.0),
        (0, "floor", 0.25),
        (0, "floor", 4.0),
        (1, "dashboard", 4.0),
        (1, "dashboard", 0.25),
        (1, "floor", 4.0),
        (1, "floor", 0.25),
    ]


def test_each_scale_s_database_gets_an_alias_of_its_own_with_the_default_s_options():
    default = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "sc_bench",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": 5432,
        "OPTIONS": {"options": "-c jit=off"},
        "CONN_MAX_AGE": 60,
    }
    parsed = {**default, "NAME": "sc_bench_4", "OPTIONS": {}, "CONN_MAX_AGE": 0}
    settings = growth.database_settings(default, parsed)
    assert settings["NAME"] == "sc_bench_4"
    assert settings["OPTIONS"] == {"options": "-c jit=off"}  # as the app's settings set it
    assert settings["CONN_MAX_AGE"] == 60
    settings["OPTIONS"]["options"] = "changed"
    assert default["OPTIONS"] == {"options": "-c jit=off"}  # a copy, not the default's own
    assert growth.scale_alias(0.25) == "scale_0_25"
    assert growth.scale_alias(4.0) == "scale_4"


def sampled_entries(walls: dict[str, list[float]]) -> dict:
    """run.py's page entries from samples taken by hand (no server): key → wall times."""
    from bench.run import Client, Measure

    plan = [
        Measure("floor", "floor", "/dashboard/no-such-section/", kind="floor", expect=404),
        Measure("actions", "action items list", "/actions/"),
        Measure("map", "partner map", "workspace:partner_map"),
    ]
    paths = {m.key: (m.url if m.key in walls else None) for m in plan}
    sampled = {}
    for m in plan:
        if m.key in walls:
            sampler = growth.PageSampler(Client(1), m, m.url)
            sampler.walls = walls[m.key]
            sampler.statuses = [m.expect] * len(walls[m.key])
            sampled[m.key] = sampler.result()
    return growth.page_entries(plan, paths, sampled)


def test_the_interleaved_samples_make_the_growth_table():
    runs = {
        0.25: {"pages": sampled_entries({"floor": [5.0, 6.0, 7.0], "actions": [20.0, 21.0, 22.0]})},
        4.0: {
            "pages": sampled_entries(
                {"floor": [5.0, 6.0, 8.0], "actions": [24.0, 25.0, 30.0], "map": [9.0]}
            )
        },
    }
    result = growth.growth(runs)
    assert result["pages"]["floor"]["ratio"] == 1.0
    assert "meets_target" not in result["pages"]["floor"]  # the yardstick, not judged
    assert result["pages"]["actions"]["p50_ms"] == {"0.25": 21.0, "4": 25.0}
    assert result["pages"]["actions"]["ratio"] == 1.19
    assert result["pages"]["actions"]["meets_target"] is True
    assert "ratio" not in result["pages"]["map"]  # missing at the smallest scale
    lines = growth.table(result).splitlines()
    assert lines[0].split() == ["page", "p50", "@0.25", "p50", "@4", "ratio", "÷", "floor", "met"]
    assert lines[3].split() == ["actions", "21.0", "25.0", "1.19", "1.19", "yes"]
    assert lines[4].split() == ["map", "—", "9.0", "—", "—"]
