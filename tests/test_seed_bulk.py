"""``seed_bulk``: deterministic, realistic bulk data that the database accepts."""

import datetime as dt
import importlib
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from agreements.models import Agreement
from common.text import fold
from delegations.models import ActionItem, Engagement, ProgressUpdate, Visit, VisitParticipant
from demo import bulk_generator as bulk
from demo.bulk_load import bulk_load
from demo.loader import load_demo
from partnerships.models import City, Person, Position

SCALE = 0.01
activity_migration = importlib.import_module("workspace.migrations.0005_activity_totals")
TODAY = dt.date(2026, 6, 15)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Demo data plus bulk data at scale 0.01, built once for the module, rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo(password="demo-pass-2025")
            yield bulk.seed_bulk(scale=SCALE, today=TODAY)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.usefixtures("db")


def test_row_counts_follow_the_scale(seeded):
    target = bulk.counts(SCALE)
    generated = Agreement.objects.filter(reference__startswith=bulk.REFERENCE_PREFIX)
    assert generated.count() == target["agreements"]
    assert City.objects.partners().count() == target["partner_cities"] + 3  # + the demo's
    assert seeded["delegations_visit"] == target["visits"]
    assert seeded["delegations_actionitem"] == target["action_items"]
    assert seeded["partnerships_person"] == target["people"]


def test_scale_one_matches_the_issue():
    assert bulk.counts(1) == {
        "partner_cities": 300,
        "countries": 80,
        "people": 5_000,
        "agreements": 10_000,
        "visits": 20_000,
        "action_items": 100_000,
    }


def test_visits_have_about_five_participants_and_six_programme_items(seeded):
    visits = Visit.objects.filter(title__startswith="Đoàn đại biểu")
    n = visits.count()
    participants = VisitParticipant.objects.filter(visit__in=visits).count() / n
    engagements = Engagement.objects.filter(visit__in=visits).count() / n
    updates = ProgressUpdate.objects.count() / ActionItem.objects.count()
    assert 4 <= participants <= 6
    assert 5 <= engagements <= 7
    assert 2 <= updates <= 3.5


def test_action_items_belong_to_the_partnership_of_their_visit_and_agreement(seeded):
    assert (
        not ActionItem.objects.exclude(visit=None)
        .exclude(visit__partnership=F("partnership"))
        .exists()
    )
    assert (
        not ActionItem.objects.exclude(agreement=None)
        .exclude(agreement__partnership=F("partnership"))
        .exists()
    )


def test_agreement_lineage_stays_inside_a_partnership_and_points_back_in_time(seeded):
    children = Agreement.objects.exclude(parent=None)
    assert children.exists()
    assert not children.exclude(parent__partnership=F("partnership")).exists()
    assert not children.filter(parent__pk__gte=F("pk")).exists()


def test_generated_records_pass_model_validation(seeded):
    samples = [
        *Agreement.objects.filter(reference__startswith="SB-")[:10],
        *Visit.objects.order_by("-pk")[:10],
        *ActionItem.objects.order_by("-pk")[:10],
        *Position.objects.order_by("-pk")[:10],
    ]
    for record in samples:
        record.full_clean()


def test_partial_dates_of_every_precision_are_generated(seeded):
    precisions = set(Position.objects.values_list("start_precision", flat=True))
    assert precisions == {"day", "month", "year"}


def test_text_is_vietnamese_with_diacritics(seeded):
    titles = list(Visit.objects.order_by("-pk").values_list("title", flat=True)[:20])
    names = list(Person.objects.order_by("-pk").values_list("full_name", flat=True)[:20])
    assert all(fold(title) != title.casefold() for title in titles)
    accented = [name for name in names if fold(name) != name.casefold()]
    assert len(accented) >= 0.7 * len(names)  # "Mai Minh An" has none, and that is real


def test_a_rare_name_is_there_to_search_for(seeded):
    assert Person.objects.filter(full_name=bulk.RARE_PERSON).count() == 1


def test_same_seed_gives_the_same_rows(seeded):
    ctx = bulk.Context.from_database
    first = bulk.digest(scale=0.002, today=TODAY, ctx=ctx())
    assert bulk.digest(scale=0.002, today=TODAY, ctx=ctx()) == first
    assert bulk.digest(scale=0.002, today=TODAY, seed=7, ctx=ctx()) != first


def test_command_leaves_a_seeded_database_alone(seeded):
    before = Visit.objects.count()
    out = StringIO()
    call_command("seed_bulk", "--scale", str(SCALE), stdout=out)
    assert "already present" in out.getvalue()
    assert Visit.objects.count() == before


def test_new_records_after_seeding_get_fresh_ids(seeded):
    from tests.factories import CityFactory

    top = City.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert top is not None
    assert CityFactory().pk > top


def test_country_target_is_capped_at_the_countries_there_are():
    # Scale 4 asks for 320 countries; there are fewer than 250 to sample from.
    assert bulk.counts(4)["countries"] == len(bulk.COUNTRY_CODES)
    assert bulk.counts(10)["countries"] == len(bulk.COUNTRY_CODES)
    assert bulk.counts(1)["countries"] == 80


def test_cities_sample_every_country_when_asked_for_more_than_exist(seeded):
    # Same sampling as scale 4 (more countries wanted than exist), at a tiny row count.
    generator = bulk.Generator(
        bulk.Context.from_database(), bulk.DigestSink(), scale=0.002, seed=3, today=TODAY
    )
    generator.n["countries"] = 320
    generator.n["partner_cities"] = 400
    generator.make_cities()
    used = {country for _id, _name, country in generator.partner_cities}
    assert used == set(bulk.COUNTRY_CODES)


# Loading the way pg_restore does (demo/bulk_load.py): indexes, foreign keys and the
# activity-count triggers are set aside during the COPY and put back after.

LOADED_TABLES = [m._meta.db_table for m in bulk.written_models()]


def schema_of_the_loaded_tables() -> dict[str, list[tuple[str, ...]]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid"
            " WHERE t.relname = ANY(%s) ORDER BY 1",
            [LOADED_TABLES],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(k.oid) FROM pg_constraint k"
            " JOIN pg_class t ON t.oid = k.conrelid WHERE t.relname = ANY(%s) ORDER BY 1",
            [LOADED_TABLES],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT g.tgname, g.tgenabled FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid"
            " WHERE NOT g.tgisinternal AND t.relname = ANY(%s) ORDER BY 1",
            [LOADED_TABLES],
        )
        triggers = cursor.fetchall()
    return {"indexes": indexes, "constraints": constraints, "triggers": triggers}


def test_bulk_load_sets_indexes_keys_and_triggers_aside_and_puts_them_back():
    before = schema_of_the_loaded_tables()
    assert any("gin_trgm_ops" in definition for _name, definition in before["indexes"])
    assert ("delegations_visit_activity_insert", "O") in before["triggers"]
    with transaction.atomic(), bulk_load(LOADED_TABLES):
        during = schema_of_the_loaded_tables()
        assert not any("gin_trgm_ops" in definition for _name, definition in during["indexes"])
        assert not any("FOREIGN KEY" in definition for _name, definition in during["constraints"])
        assert ("delegations_visit_activity_insert", "D") in during["triggers"]
        assert any(name.endswith("_pkey") for name, _definition in during["indexes"])
    assert schema_of_the_loaded_tables() == before


def test_seeding_leaves_the_schema_of_the_loaded_tables_as_it_found_it(seeded):
    after = schema_of_the_loaded_tables()
    assert any("gin_trgm_ops" in definition for _name, definition in after["indexes"])
    assert any("DEFERRABLE INITIALLY DEFERRED" in d for _name, d in after["constraints"])
    assert all(enabled == "O" for _name, enabled in after["triggers"])


def test_activity_counts_equal_a_count_of_the_seeded_records(seeded):
    key = activity_migration.KEY
    # Dates as text: an open end is stored as 'infinity', which Python's dates cannot hold.
    shown = "partnership_id, metric, period::text, period_end::text, kind"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {shown}, n FROM workspace_activitycount")  # noqa: S608 -- constant
        stored = set(cursor.fetchall())
        cursor.execute(
            f"SELECT {shown}, SUM(n) FROM ({activity_migration.all_rows(settings.TIME_ZONE)})"  # noqa: S608 -- the migration's constants
            f" delta({key}, n) GROUP BY {key} HAVING SUM(n) <> 0"
        )
        counted = set(cursor.fetchall())
    assert stored == counted
    assert {metric for _p, metric, *_rest in stored} >= {"visits", "signed", "in_force", "done"}


def test_a_row_without_a_required_value_is_refused():
    table = bulk.Table(bulk.DigestSink(), Visit, timezone.now())
    with pytest.raises(ValueError, match=r"Visit\.partnership_id needs a value"):
        table.add(id=1, title="Đoàn đại biểu")
