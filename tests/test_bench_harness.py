"""The benchmark's building blocks, without starting gunicorn or any load."""

import importlib.util
import sys
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def _load_runner():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


run = _load_runner()

WRK_OUTPUT = """Running 4s test @ http://127.0.0.1:40123/agreements/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    41.52ms   12.03ms 120.51ms   71.23%
    Req/Sec    96.43     15.21   130.00     68.00%
  771 requests in 4.01s, 12.85MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    192.31
Transfer/sec:      3.20MB
"""


def test_wrk_output_is_read_into_rate_latency_and_errors():
    assert run.parse_wrk(WRK_OUTPUT) == {
        "rps": 192.31,
        "latency_ms": 41.52,
        "requests": 771,
        "non_2xx": 3,
        "errors": 0,
    }


def test_wrk_latency_in_microseconds_and_socket_errors_are_understood():
    text = (
        "    Latency   812.00us  100.00us   2.00ms   90.00%\n"
        "  Socket errors: connect 0, read 2, write 0, timeout 1\nRequests/sec:  9000.5\n"
    )
    parsed = run.parse_wrk(text)
    assert parsed["latency_ms"] == 0.812
    assert parsed["errors"] == 3
    assert parsed["rps"] == 9000.5


def test_wrk_is_given_the_session_cookie_only_when_there_is_one():
    with_cookie = run.wrk_command(8000, "/visits/", {"sessionid": "abc"}, 4, 8)
    anonymous = run.wrk_command(8000, "/healthz", {}, 4, 8)
    assert "Cookie: sessionid=abc" in with_cookie
    assert not any(part.startswith("Cookie:") for part in anonymous)
    assert with_cookie[-1] == "http://127.0.0.1:8000/visits/"


def test_p95_is_the_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert run.percentile(values, 95) == 19.0
    assert run.percentile([5.0], 95) == 5.0
    assert run.summarise(values)["median"] == 10.5


def test_server_timing_header_is_parsed():
    assert run.parse_server_timing("app;dur=12.5, db;dur=3.25") == {"app": 12.5, "db": 3.25}
    assert run.parse_server_timing(None) == {}


def test_each_scale_gets_its_own_bench_database():
    assert run.default_database_url(1).endswith("/sc_bench")
    assert run.default_database_url(0.01).endswith("/sc_bench_0_01")


def test_ratios_to_the_peer_and_the_ceiling_are_judged_against_the_targets():
    pages: dict[str, dict[str, Any]] = {
        "admin": {"status": "ok", "kind": "peer", "peer": None, "wall_ms": {"p95": 100.0}},
        "list": {"status": "ok", "kind": "page", "peer": "admin", "wall_ms": {"p95": 80.0}},
        "search": {"status": "ok", "kind": "search", "peer": "list", "wall_ms": {"p95": 200.0}},
        "gone": {"status": "missing", "kind": "page", "peer": "admin"},
    }
    load = {"healthz": {"rps": 1000.0}, "list": {"rps": 300.0, "non_2xx": 0}}
    verdict = run.evaluate(pages, load)
    assert pages["list"]["p95_ratio_to_peer"] == 0.8
    assert verdict["met"] == {"list": True, "search": False, "load:list": False}
    assert verdict["all_met"] is False


def test_first_views_after_a_change_are_reported_but_not_judged():
    pages: dict[str, dict[str, Any]] = {
        "admin": {"status": "ok", "kind": "peer", "peer": None, "wall_ms": {"p95": 100.0}},
        "page": {"status": "ok", "kind": "page", "peer": "admin", "wall_ms": {"p95": 50.0}},
        "page_cold": {
            "status": "ok",
            "kind": "page",
            "peer": "admin",
            "after_change": "all",
            "wall_ms": {"p95": 190.0},
        },
    }
    verdict = run.evaluate(pages, {})
    assert pages["page_cold"]["p95_ratio_to_peer"] == 1.9
    assert verdict["met"] == {"page": True}


def test_a_page_that_does_not_exist_yet_is_reported_missing_not_an_error(db):
    assert run.resolve(run.Measure("x", "x", "no_such_page:list")) is None
    assert run.resolve(run.Measure("x", "x", "healthz")) == "/healthz"
    assert run.resolve(run.Measure("x", "x", "delegations:visit_detail", args=(None,))) is None


def test_worker_memory_reads_the_children_of_a_process():
    import os
    import subprocess

    child = subprocess.Popen(["sleep", "5"])
    try:
        workers = run.worker_memory(os.getpid())
        assert child.pid in workers
        assert workers[child.pid]["peak_mib"] > 0
    finally:
        child.kill()
        child.wait()


def test_healthz_answers_ok_without_login_after_one_trivial_query(db, django_assert_num_queries):
    # Expect 1 query: SELECT 1, the database check (no session, no user).
    with django_assert_num_queries(1):
        response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_query_counter_is_off_unless_the_benchmark_asks_for_it(db, monkeypatch):
    monkeypatch.delenv("BENCH_QUERY_COUNT", raising=False)
    response = Client().get(reverse("healthz"))
    assert "X-Query-Count" not in response
    assert "Server-Timing" not in response


def test_query_counter_reports_the_statements_of_a_request(db, monkeypatch):
    from tests.factories import editor

    monkeypatch.setenv("BENCH_QUERY_COUNT", "1")
    client = Client()  # a new client loads the middleware chain with the flag set
    client.force_login(editor())
    response = client.get(reverse("partnerships:partnership_list"))
    assert response.status_code == 200
    assert int(response["X-Query-Count"]) >= 2  # at least the session and the user
    assert response["Server-Timing"].startswith("app;dur=")


def test_query_counter_counts_what_runs_inside_its_wrapper(db):
    from common.bench_query_count import QueryCounter

    counter = QueryCounter()
    with connection.execute_wrapper(counter), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.execute("SELECT 2")
    assert counter.count == 2


@pytest.mark.parametrize("flag", ["", "0", "no"])
def test_query_counter_flag_values_that_mean_off(monkeypatch, flag):
    from common.bench_query_count import enabled

    monkeypatch.setenv("BENCH_QUERY_COUNT", flag)
    assert enabled() is False


def test_pages_are_judged_against_the_logged_in_floor():
    pages: dict[str, dict[str, Any]] = {
        "floor": {"status": "ok", "kind": "floor", "peer": None, "wall_ms": {"median": 5.0}},
        "list": {"status": "ok", "kind": "page", "peer": None, "wall_ms": {"median": 15.0}},
        "slow": {"status": "ok", "kind": "page", "peer": None, "wall_ms": {"median": 25.0}},
    }
    load = {
        "healthz": {"rps": 1000.0},
        "floor": {"rps": 500.0},
        "list": {"rps": 150.0, "non_2xx": 0},
        "slow": {"rps": 100.0, "non_2xx": 0},
    }
    verdict = run.evaluate(pages, load)
    assert pages["list"]["p50_x_floor"] == 3.0
    assert load["list"]["pct_of_floor"] == 0.3
    assert "ratio_to_healthz" not in load["floor"]  # the floor is the yardstick, not judged
    met = verdict["met"]
    assert (met["floor:list"], met["load_floor:list"]) == (True, True)
    assert (met["floor:slow"], met["load_floor:slow"]) == (False, False)
    assert "% floor" in run.table({"pages": {}, "load": load, "verdict": verdict})


def test_the_floor_expects_its_404():
    floor = next(m for m in run.measures({}) if m.key == "floor")
    assert floor.url == "/dashboard/no-such-section/"
    assert floor.expect == HTTPStatus.NOT_FOUND
    sampler = run.PageSampler(run.Client(1), floor, floor.url)
    sampler.statuses = [HTTPStatus.NOT_FOUND] * 3
    sampler.walls = [1.0, 2.0, 3.0]
    assert sampler.result()["status"] == "ok"


def test_the_bench_user_is_made_an_administrator_in_the_database_named(db):
    from django.contrib.auth.models import User

    from common.roles import ADMINISTRATOR

    ids = run.pick_ids("default")
    user = User.objects.get(username=run.BENCH_USER)
    assert user.is_staff
    assert user.check_password(run.BENCH_PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [ADMINISTRATOR]
    assert ids["big_partnership"] is None  # an empty database: nothing to measure yet


def test_the_bench_user_follows_the_biggest_partnership_and_carries_its_first_open_items(db):
    """ "My work" and the dashboard's card are measured with rows to show: the bench user
    follows the biggest partnership and is assigned its first ``BENCH_ITEMS`` open items,
    the same ones at every run (a second run adds nothing)."""
    from django.contrib.auth.models import User

    from delegations.models import ActionItem
    from tests.factories import ActionItemFactory, VisitFactory

    visit = VisitFactory()
    big = visit.partnership
    done = ActionItemFactory(visit=visit, status=ActionItem.Status.DONE)
    open_items = [ActionItemFactory(visit=visit) for _ in range(run.BENCH_ITEMS + 2)]
    ids = run.pick_ids("default")
    assert ids["big_partnership"] == big.pk
    user = User.objects.get(username=run.BENCH_USER)
    expected = sorted(item.pk for item in open_items)[: run.BENCH_ITEMS]
    assigned = sorted(user.assigned_action_items.values_list("pk", flat=True))
    assert assigned == expected
    assert done.pk not in assigned
    assert list(big.followers.all()) == [user]
    run.pick_ids("default")
    assert sorted(user.assigned_action_items.values_list("pk", flat=True)) == expected
    assert big.followers.count() == 1
