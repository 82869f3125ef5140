"""The activity counts (issue 15): PostgreSQL triggers keep ``workspace_activitycount``
equal to a count of the records after every kind of write, and the statistics read from
it equal the statistics counted from the records (``workspace.statistics_portable`` and
the ORM queries the SQLite path uses)."""

import datetime as dt
import importlib
import random
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from common.charts import figure_html
from common.sheetkit.writer import create_with_history
from delegations.models import ActionItem, ProgressUpdate, Visit
from partnerships.models import Partnership
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    HomeCityFactory,
    PartnershipFactory,
    ProgressUpdateFactory,
    VisitFactory,
    viewer,
)
from workspace import partner_map, statistics

pytestmark = pytest.mark.django_db

migration = importlib.import_module("workspace.migrations.0004_activity_counts")
totals = importlib.import_module("workspace.migrations.0005_activity_totals")

TRIGGERED_TABLES = [
    "delegations_visit",
    "agreements_agreement",
    "delegations_actionitem",
    "delegations_progressupdate",
]


def stored_counts() -> set[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partnership_id, metric, period::text, period_end::text, kind, n"
            " FROM workspace_activitycount"
        )
        return set(cursor.fetchall())


def counted_from_the_records() -> set[tuple[Any, ...]]:
    """The counts as the migration fills them: straight from every record."""
    key = migration.KEY
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key.replace('period,', 'period::text,').replace('period_end,', 'period_end::text,')}, SUM(n)"  # noqa: S608 -- the migration's constants
            f" FROM ({totals.all_rows(settings.TIME_ZONE)})"
            " delta(partnership_id, metric, period, period_end, kind, n)"
            f" GROUP BY {key} HAVING SUM(n) <> 0"
        )
        return set(cursor.fetchall())


def stored_city_counts() -> set[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT home_city_id, metric, period::text, period_end::text, kind, n"
            " FROM workspace_cityactivitycount"
        )
        return set(cursor.fetchall())


def stored_windows() -> set[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partnership_id, home_city_id, last_year, visits, signed, total"
            " FROM workspace_activitywindow"
        )
        return set(cursor.fetchall())


def derived_from_the_records() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The counts per home city and the ten years' totals, straight from every record
    (with the partnerships' home cities now)."""
    records = f"({totals.all_rows(settings.TIME_ZONE)})"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT home_city_id, metric, period::text, period_end::text, kind, SUM(n)"  # noqa: S608 -- the migration's constants
            f" FROM ({totals.city_rows(records, '1')})"
            " delta(home_city_id, metric, period, period_end, kind, n)"
            " GROUP BY home_city_id, metric, period, period_end, kind HAVING SUM(n) <> 0"
        )
        city = set(cursor.fetchall())
        cursor.execute(
            "SELECT partnership_id, home_city_id, last_year, SUM(visits), SUM(signed), SUM(total)"  # noqa: S608 -- the migration's constants
            f" FROM ({totals.window_rows(records, '1')})"
            " delta(partnership_id, home_city_id, last_year, visits, signed, total)"
            " GROUP BY partnership_id, home_city_id, last_year HAVING SUM(total) <> 0"
        )
        return city, set(cursor.fetchall())


def assert_counts_exact() -> None:
    assert stored_counts() == counted_from_the_records()
    assert (stored_city_counts(), stored_windows()) == derived_from_the_records()


def test_migrate_installs_the_triggers_on_the_counted_tables():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table, event_manipulation FROM information_schema.triggers"
            " WHERE trigger_name LIKE '%%_activity_%%' OR trigger_name LIKE '%%_totals_%%'"
        )
        installed = set(cursor.fetchall())
    for table in [*TRIGGERED_TABLES, "workspace_activitycount"]:
        for operation in ("INSERT", "UPDATE", "DELETE"):
            assert (table, operation) in installed
    assert ("partnerships_partnership", "UPDATE") in installed  # a move to another home city


def test_the_derived_counts_skip_a_statement_that_changed_no_count():
    """Statement-level triggers fire for no rows too: every write of a counted record runs
    three on the counts, most often for nothing (a title edited). Each returns before its
    statements, which a connection would otherwise plan on its first write (0006)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE '%%_totals_%%'")
        sources = dict(cursor.fetchall())
    assert len(sources) == 4  # INSERT, UPDATE, DELETE of the counts; a partnership's move
    for source in sources.values():
        assert source.split(None, 1)[1].startswith("IF NOT EXISTS (SELECT FROM ")  # after BEGIN
    agreement = AgreementFactory()
    before = (stored_city_counts(), stored_windows())
    agreement.title = "Đổi tên"
    agreement.save()
    Partnership.objects.filter(pk=agreement.partnership_id).update(summary="Đổi")
    assert (stored_city_counts(), stored_windows()) == before
    assert_counts_exact()


def test_the_counts_use_the_sites_time_zone():
    with connection.cursor() as cursor:
        cursor.execute("SELECT workspace_activitycount_zone()")
        assert cursor.fetchone()[0] == settings.TIME_ZONE


def test_a_visit_recorded_now_is_counted_at_once():
    visit = VisitFactory(start_date=dt.date(2025, 5, 11), direction=Visit.Direction.INCOMING)
    chart = statistics.visits_per_year(None, [2025])
    assert sum(s.values[0] or 0 for s in chart.series) == 1
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CANCELLED)
    chart = statistics.visits_per_year(None, [2025])
    assert sum(s.values[0] or 0 for s in chart.series) == 0
    assert stored_counts() == set()  # the count fell to zero and was dropped


def _due(rng: random.Random) -> dict[str, Any]:
    precision = rng.choice(["day", "month", "year", None])
    if precision is None:
        return {"due_on": None, "due_on_precision": "day"}
    year, month = rng.choice([2023, 2024, 2025]), rng.randint(1, 12)
    day = {"day": dt.date(year, month, rng.randint(1, 28)), "month": dt.date(year, month, 1)}
    return {"due_on": day.get(precision, dt.date(year, 1, 1)), "due_on_precision": precision}


def _day(rng: random.Random, *, empty: bool = True) -> dt.date | None:
    if empty and rng.random() < 0.15:
        return None
    return dt.date(
        rng.choice([2022, 2023, 2024, 2025, 2026]), rng.randint(1, 12), rng.randint(1, 28)
    )


class RandomWrites:
    """One random write through one of the paths the record is written by."""

    def __init__(self, rng: random.Random, partnerships: list[Partnership]) -> None:
        self.rng = rng
        self.partnerships = partnerships

    def partnership(self) -> Partnership:
        return self.rng.choice(self.partnerships)

    def visit_fields(self) -> dict[str, Any]:
        return {
            "partnership": self.partnership(),
            "direction": self.rng.choice(Visit.Direction.values),
            "status": self.rng.choice(Visit.Status.values),
            "start_date": _day(self.rng),
            "end_date": None,
        }

    def agreement_fields(self) -> dict[str, Any]:
        valid_from, valid_until = _day(self.rng), _day(self.rng)
        if valid_from and valid_until and valid_until < valid_from:
            valid_from, valid_until = valid_until, valid_from
        return {
            "partnership": self.partnership(),
            "kind": self.rng.choice(Agreement.Kind.values),
            "status": self.rng.choice(Agreement.Status.values),
            "signed_on": _day(self.rng),
            "valid_from": valid_from,
            "valid_until": valid_until,
        }

    def create_visit(self) -> None:
        VisitFactory(**self.visit_fields())

    def create_agreement(self) -> None:
        AgreementFactory(**self.agreement_fields())

    def create_action_item(self) -> None:
        visit = Visit.objects.order_by("?").first() or VisitFactory(partnership=self.partnership())
        ActionItemFactory(
            visit=visit,
            partnership=self.partnership(),
            status=self.rng.choice(ActionItem.Status.values),
            **_due(self.rng),
        )

    def create_note(self) -> None:
        item = ActionItem.objects.order_by("?").first()
        if item:
            ProgressUpdateFactory(
                action_item=item,
                date=_day(self.rng, empty=False),
                status_after=self.rng.choice(["done", "done", "in_progress", ""]),
            )

    def update_visits(self) -> None:
        fields = self.visit_fields()
        fields.pop(self.rng.choice(["direction", "status", "start_date", "partnership"]))
        Visit.objects.filter(pk__in=self._some(Visit)).update(**fields)

    def update_agreements(self) -> None:
        fields = self.agreement_fields()
        groups = [
            ["partnership"],
            ["kind"],
            ["status"],
            ["signed_on"],
            ["valid_from", "valid_until"],
        ]
        keep = [name for group in self.rng.sample(groups, 2) for name in group]
        Agreement.objects.filter(pk__in=self._some(Agreement)).update(
            **{k: fields[k] for k in keep}
        )

    def update_action_items(self) -> None:
        choice = self.rng.choice(["status", "partnership", "due"])
        options: dict[str, dict[str, Any]] = {
            "status": {"status": self.rng.choice(ActionItem.Status.values)},
            "partnership": {"partnership": self.partnership()},
            "due": _due(self.rng),
        }
        changes = options[choice]
        ActionItem.objects.filter(pk__in=self._some(ActionItem)).update(**changes)

    def save_an_action_item(self) -> None:
        item = ActionItem.objects.order_by("?").first()
        if item:
            item.status = self.rng.choice(ActionItem.Status.values)
            item.save()

    def update_notes(self) -> None:
        options: list[dict[str, Any]] = [
            {"date": _day(self.rng, empty=False)},
            {"status_after": self.rng.choice(["done", ""])},
            {"action_item": ActionItem.objects.order_by("?").first()},
        ]
        changes = self.rng.choice(options)
        if changes.get("action_item", True) is not None:
            ProgressUpdate.objects.filter(pk__in=self._some(ProgressUpdate)).update(**changes)

    def delete_some(self) -> None:
        model: type[Model] = self.rng.choice([Visit, Agreement, ActionItem, ProgressUpdate])
        objects = model._default_manager.filter(pk__in=self._some(model))
        if model is Visit:
            objects = objects.filter(action_items__isnull=True)
        if model is Agreement:
            objects = objects.filter(action_items__isnull=True, children__isnull=True)
        objects.delete()

    def bulk_create_visits(self) -> None:
        Visit.objects.bulk_create(
            [Visit(title=f"bulk {i}", **self.visit_fields()) for i in range(self.rng.randint(1, 6))]
        )

    def copy_agreements(self) -> None:
        """The import's writer: COPY into the table."""
        n = Agreement.objects.count()
        agreements = [
            Agreement(reference=f"COPY-{n}-{i}", title="copied", **self.agreement_fields())
            for i in range(self.rng.randint(1, 6))
        ]
        create_with_history(agreements, Agreement, None)

    def copy_visits(self) -> None:
        visits = [Visit(title="copied", **self.visit_fields()) for _ in range(3)]
        create_with_history(visits, Visit, None)

    def _some(self, model: type[Model]) -> list[int]:
        pks = list(model._default_manager.values_list("pk", flat=True))
        return self.rng.sample(pks, min(len(pks), self.rng.randint(1, 4)))

    def any(self) -> str:
        name = self.rng.choice(
            [
                "create_visit",
                "create_agreement",
                "create_action_item",
                "create_action_item",
                "create_note",
                "create_note",
                "update_visits",
                "update_agreements",
                "update_action_items",
                "save_an_action_item",
                "update_notes",
                "delete_some",
                "bulk_create_visits",
                "copy_agreements",
                "copy_visits",
            ]
        )
        getattr(self, name)()
        return name


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counts_stay_exact_through_a_random_mix_of_writes(seed):
    rng = random.Random(seed)
    homes = [HomeCityFactory(name="Hà Nội"), HomeCityFactory(name="Huế")]
    partnerships = [PartnershipFactory(home_city=homes[i % 2]) for i in range(3)]
    writes = RandomWrites(rng, partnerships)
    for _ in range(5):
        writes.create_visit()
        writes.create_agreement()
        writes.create_action_item()
    done = [writes.any() for _ in range(60)]
    assert_counts_exact()
    assert len(set(done)) > 10
    # A partnership moved to another home city: counted under its new home.
    Partnership.objects.filter(pk=partnerships[0].pk).update(home_city=homes[1])
    assert_counts_exact()
    for home in [None, *homes]:
        # Ten years (the most active from their ten years' totals), and other periods.
        for first, until in [(2022, 2026), (2024, 2024), (2025, 2030), (2017, 2026), (2021, 2030)]:
            assert charts(home, first, until, counted=True) == charts(home, first, until)


def test_the_counts_are_refilled_when_a_counted_table_is_emptied():
    VisitFactory()
    AgreementFactory()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE delegations_visit CASCADE")
    assert_counts_exact()
    assert {row[1] for row in stored_counts()} == {"signed", "in_force", "in_force_day"}
    assert {row[1] for row in stored_city_counts()} == {row[1] for row in stored_counts()}


def charts(home: Any, first: int, until: int, *, counted: bool = False) -> list[str]:
    """The drawn charts: from the activity counts, or counted from the records."""
    original = statistics.on_postgresql
    if counted:
        statistics.on_postgresql = lambda: False
    try:
        return [figure_html(c) for c in statistics.statistics_charts(home, first, until)]
    finally:
        statistics.on_postgresql = original


def test_agreements_in_force_today_count_those_that_started_or_end_this_year():
    today = timezone.localdate()
    partnership = PartnershipFactory()
    cases = {
        "started this year": (dt.date(today.year, 1, 1), None),
        "started before, ends this year after today": (
            dt.date(today.year - 3, 5, 1),
            today if today.month == 12 and today.day == 31 else today + dt.timedelta(days=1),
        ),
        "started before, runs on": (dt.date(today.year - 3, 5, 1), dt.date(today.year + 1, 1, 1)),
        "ended yesterday": (dt.date(today.year - 3, 5, 1), today - dt.timedelta(days=1)),
    }
    for start, end in cases.values():
        AgreementFactory(partnership=partnership, signed_on=start, valid_from=None, valid_until=end)
    years = [today.year - 1, today.year]
    counted = charts(None, years[0], years[1], counted=True)
    assert charts(None, years[0], years[1]) == counted
    in_force = statistics.agreements_in_force(None, years).series[0].values
    assert in_force[-1] == 3


def test_the_map_counts_visits_of_the_last_five_years():
    partnership = PartnershipFactory()
    on = dt.date(2026, 11, 30)
    for day in [dt.date(2021, 11, 29), dt.date(2021, 11, 30), dt.date(2024, 2, 29), on]:
        VisitFactory(partnership=partnership, start_date=day, end_date=None)
    VisitFactory(partnership=partnership, start_date=on + dt.timedelta(days=1), end_date=None)
    [place] = partner_map.with_activity(Partnership.objects.filter(pk=partnership.pk), on)
    assert place.visits == 3


def test_the_statistics_page_shows_a_visit_recorded_after_it_was_drawn(client):
    client.force_login(viewer())
    url = reverse("workspace:statistics")
    query = {"from_year": 2025, "until_year": 2025}
    before = client.get(url, query).text
    VisitFactory(start_date=dt.date(2025, 5, 11), title="fresh")
    after = client.get(url, query).text
    assert before != after


def test_the_most_active_of_ten_years_are_ranked_as_counted_ties_included():
    """More partnerships than the chart shows, tied at the tenth place: the ten years'
    totals give the same ten, in the same order (by partner city), as a count."""
    home = HomeCityFactory()
    partnerships = [PartnershipFactory(home_city=home) for _ in range(14)]
    for i, partnership in enumerate(partnerships):
        for day in range(1 + (i % 3 == 0)):
            VisitFactory(partnership=partnership, start_date=dt.date(2020, 3, 1 + day))
    AgreementFactory(partnership=partnerships[5], signed_on=dt.date(2017, 1, 1))
    AgreementFactory(partnership=partnerships[6], signed_on=dt.date(2016, 12, 31))
    assert_counts_exact()
    for first, until in [(2017, 2026), (2011, 2020), (2020, 2029), (2021, 2030)]:
        assert charts(None, first, until) == charts(None, first, until, counted=True)
        assert charts(home, first, until) == charts(home, first, until, counted=True)
