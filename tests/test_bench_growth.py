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
