"""The record's data version (workspace/freshness.py) and the dashboard cache keyed by it."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from delegations.models import ActionItem, Visit
from partnerships.models import Partnership
from tests.factories import (
    ActionItemFactory,
    AgreementFactory,
    FieldOfCooperationFactory,
    PartnershipFactory,
    VisitFactory,
    viewer,
)
from workspace import freshness

pytestmark = pytest.mark.django_db(transaction=True)


def number() -> int:
    return freshness.current().number


def test_a_save_bumps_the_version_once_per_app_and_transaction():
    before = freshness.current()
    with transaction.atomic():
        partnership = PartnershipFactory()  # cities and the partnership: several saves
        AgreementFactory(partnership=partnership)
        AgreementFactory(partnership=partnership)
    after = freshness.current()
    assert after.apps["partnerships"] == before.apps["partnerships"] + 1
    assert after.apps["agreements"] == before.apps["agreements"] + 1
    assert after.apps["delegations"] == before.apps["delegations"]
    assert after.number == before.number + 2  # one per app counted
    partnership.summary = "Đã cập nhật"
    partnership.save()  # autocommit: its own change
    assert number() == after.number + 1


def test_a_rolled_back_change_leaves_the_version_as_it_was():
    PartnershipFactory()
    before = number()
    with pytest.raises(RuntimeError):
        _create_a_partnership_then_fail()
    assert number() == before


def _create_a_partnership_then_fail():
    with transaction.atomic():
        PartnershipFactory()
        raise RuntimeError


def test_a_rolled_back_savepoint_takes_its_bump_with_it_and_the_next_change_counts():
    PartnershipFactory()
    before = number()
    with transaction.atomic():
        try:
            with transaction.atomic():
                PartnershipFactory()
                raise RuntimeError
        except RuntimeError:
            pass
        assert number() == before
        PartnershipFactory()
    assert number() == before + 1


def test_deletes_and_many_to_many_changes_count():
    partnership = PartnershipFactory()
    field = FieldOfCooperationFactory()
    before = number()
    partnership.fields.add(field)
    assert number() == before + 1
    partnership.delete()
    assert number() == before + 2


def test_history_rows_and_other_apps_do_not_bump_on_their_own():
    from django.contrib.auth import get_user_model

    before = number()
    get_user_model().objects.create_user("someone")
    assert number() == before
    assert not freshness._tracked(type(PartnershipFactory().history.first()))


def test_a_new_epoch_changes_every_key():
    before = freshness.current()
    freshness.bump(new_epoch=True)
    after = freshness.current()
    assert after.epoch != before.epoch
    assert after.key() != before.key()


def test_the_version_row_is_recreated_when_missing():
    from workspace.models import DataVersion

    DataVersion.objects.all().delete()
    assert freshness.current().key() == "none:0"
    freshness.bump()
    assert number() == 1


def test_the_dashboard_shows_a_change_at_once(client):
    from tests.test_dashboard import make_attention

    client.force_login(viewer())
    make_attention(1)
    first = client.get(reverse("dashboard")).content.decode()
    item = ActionItem.objects.overdue().first()
    assert item is not None
    assert item.description in first
    item.status = ActionItem.Status.DONE
    item.save()
    again = client.get(reverse("dashboard")).content.decode()
    assert item.description not in again


def test_an_import_bumps_the_version(tmp_path):
    from sheets.importing import run_import

    partnership = PartnershipFactory()
    VisitFactory(partnership=partnership)
    ActionItemFactory(partnership=partnership)
    before = number()
    sheet = (
        "reference,home_city,home_country,partner_city,partner_country,kind,title,signed_on,"
        "signed_at,valid_from,valid_until,status,parent_reference,fields,signatories,notes\n"
        f"NEW-1,{partnership.home_city.name},VN,Minsk,BY,mou,Biên bản ghi nhớ,07/12/2023,"
        "Minsk,,,in_force,,,,\n"
    ).encode()
    outcome = run_import(sheet="agreements", file_name="a.csv", data=sheet, dry_run=False)
    assert outcome.ok, outcome.errors
    assert number() > before
    before = number()
    run_import(sheet="agreements", file_name="a.csv", data=sheet, dry_run=True)
    assert number() == before  # a dry run changes nothing


def test_the_dashboard_is_read_from_the_cache_until_the_record_changes(
    client, django_assert_num_queries
):
    from tests.test_dashboard import make_attention

    client.force_login(viewer())
    make_attention(1)
    # session, user, role, the version, 7 sections, the partnerships latest visited (one
    # batch of visits, issue 16), the ids of upcoming visits and items due soon (2, read
    # from their indexes alone), anniversaries (2), my work's card (per user, never
    # cached: its rows in one statement, no join), saving the session (3). The version
    # read by the view keys each section's HTML and nothing reads it again.
    with django_assert_num_queries(20):
        client.get(reverse("dashboard"))
    with django_assert_num_queries(8):  # the same, less the sections
        client.get(reverse("dashboard"))
    make_attention(2)
    with django_assert_num_queries(20):
        client.get(reverse("dashboard"))


def test_inside_a_transaction_the_cache_is_not_used():
    calls = []
    with transaction.atomic():
        freshness.cached("k", lambda: calls.append(1))
        freshness.cached("k", lambda: calls.append(1))
    assert len(calls) == 2

    def value():
        calls.append(1)
        return "v"

    freshness.cached("k", value)
    freshness.cached("k", value)
    assert len(calls) == 3


def test_the_partnership_page_caches_its_record_sections_until_a_change(
    client, django_assert_num_queries
):
    from tests.factories import VisitFactory as Visits

    client.force_login(viewer())
    partnership = PartnershipFactory()
    agreement = AgreementFactory(partnership=partnership, title="Chương trình cũ")
    Visits(partnership=partnership, title="Chuyến thăm đầu tiên")
    url = partnership.get_absolute_url()
    first = client.get(url).content.decode()
    assert "Chương trình cũ" in first
    assert "Chuyến thăm đầu tiên" in first
    # 21 uncached; cached: session, user, role (3), the partnership, its fields and names
    # (3), its followers (1), the data version, the open action items, the history and the
    # followers' changes in it (3), the map block's recent visits (1), saving the session (3).
    with django_assert_num_queries(16):
        again = client.get(url).content.decode()
    assert again.count("Chương trình cũ") == first.count("Chương trình cũ")
    agreement.title = "Chương trình mới"
    agreement.save()
    changed = client.get(url).content.decode()
    assert "Chương trình mới" in changed
    assert "Chương trình cũ" not in changed
    # In English the sections are cached apart (dates and labels differ).
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "Agreements" in english


def test_each_app_has_its_own_counter():
    partnership = PartnershipFactory()
    before = freshness.current()
    AgreementFactory(partnership=partnership)
    after = freshness.current()
    assert after.apps["agreements"] == before.apps["agreements"] + 1
    assert after.apps["delegations"] == before.apps["delegations"]
    assert after.key(["delegations", "partnerships"]) == before.key(["delegations", "partnerships"])
    assert after.key() != before.key()
    with transaction.atomic():  # two apps in one transaction: each counted once
        ActionItemFactory(
            partnership=partnership, agreement=AgreementFactory(partnership=partnership)
        )
    last = freshness.current()
    assert last.apps["delegations"] == after.apps["delegations"] + 1
    assert last.apps["agreements"] == after.apps["agreements"] + 1
    assert last.number > after.number


def test_a_visit_counts_as_a_change_to_visits_and_an_action_item_does_not():
    visit = VisitFactory()
    before = freshness.current()
    ActionItemFactory(visit=visit, partnership=visit.partnership)
    after = freshness.current()
    assert after.apps == {**before.apps, "delegations": before.apps["delegations"] + 1}
    visit.title = "Đoàn mới"
    visit.save()
    last = freshness.current()
    assert last.apps == {
        **after.apps,
        "delegations": after.apps["delegations"] + 1,
        "visits": after.apps["visits"] + 1,
    }


def test_a_bulk_write_to_delegations_counts_as_a_change_to_visits():
    """A bulk write does not say which tables it wrote: its visits may have changed."""
    from common.bulk_writes import bulk_written

    before = freshness.current()
    bulk_written.send(sender=None, apps=("delegations",))
    after = freshness.current()
    assert after.apps["visits"] == before.apps["visits"] + 1
    assert after.apps["delegations"] == before.apps["delegations"] + 1
    assert after.apps["agreements"] == before.apps["agreements"]


def test_an_action_item_change_keeps_the_agreement_and_visit_sections_cached(
    client, django_assert_num_queries
):
    from tests.test_dashboard import make_attention

    client.force_login(viewer())
    make_attention(1)
    first = client.get(reverse("dashboard"))
    item = ActionItem.objects.first()
    assert item is not None
    item.status = ActionItem.Status.DONE
    item.save()
    # session, user, role, the version, the two sections of action items (the items due
    # soon: their ids, then their rows), my work's card (its rows), saving the session
    # (3): the HTML of the agreement and visit sections comes from the cache (issue 16:
    # the dormant partnerships probed every partnership after each item's change).
    with django_assert_num_queries(11):
        changed = client.get(reverse("dashboard"))
    assert _recomputed(first, changed) == {"overdue", "due_soon"}


def test_a_visit_change_recomputes_the_visit_and_action_item_sections(client):
    from tests.test_dashboard import days, make_attention

    client.force_login(viewer())
    make_attention(1)
    first = client.get(reverse("dashboard"))
    visit = VisitFactory(partnership=Partnership.objects.first(), status=Visit.Status.CANCELLED)
    visit.title, visit.status = "Đoàn vừa thêm", Visit.Status.PLANNED
    visit.start_date, visit.end_date = days(3), days(4)
    visit.save()
    changed = client.get(reverse("dashboard"))
    assert "Đoàn vừa thêm" in changed.content.decode()
    assert _recomputed(first, changed) == {
        "partnerships",
        "upcoming_visits",
        "overdue",
        "due_soon",
        "dormant",
    }


def _recomputed(first, changed) -> set[str]:
    """The dashboard sections whose cached HTML the change made unreachable."""
    before = {key: s.fragment_key for key, s in first.context["sections"].items()}
    after = {key: s.fragment_key for key, s in changed.context["sections"].items()}
    return {key for key in before if before[key] != after[key]}


def test_an_agreement_change_recomputes_the_agreement_sections_only(
    client, django_assert_num_queries
):
    """Issue 16: each section's HTML is cached per version of the apps it is computed
    from; after an agreement changed the five sections of visits and action items are
    served from the cache, and the agreement sections show the change at once."""
    from tests.test_dashboard import days, make_attention

    client.force_login(viewer())
    make_attention(1)
    first = client.get(reverse("dashboard"))
    AgreementFactory(  # of a partnership shown already: no partnership changes
        partnership=Partnership.objects.first(),
        reference="HĐ-MỚI-HẾT-HẠN",
        valid_from=days(-900),
        valid_until=days(-1),
    )
    # session, user, role, my work's card (its rows), the version,
    # expiring, expired, the anniversaries' ids and their partnerships' rows (no agreement
    # among them: no query), saving the session (3). Nothing of visits or action items.
    with django_assert_num_queries(12):
        changed = client.get(reverse("dashboard"))
    assert "HĐ-MỚI-HẾT-HẠN" in changed.content.decode()
    assert "HĐ-MỚI-HẾT-HẠN" not in first.content.decode()
    assert _recomputed(first, changed) == {"expiring", "expired", "anniversaries"}


def test_a_writing_transaction_does_not_hold_the_version_row():
    """Another writer never waits for this transaction because of the version row."""
    import psycopg
    from django.db import connection

    PartnershipFactory()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with transaction.atomic():
        PartnershipFactory()  # a change, counted at commit
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SET lock_timeout = '500ms'")
            other.execute("UPDATE workspace_dataversion SET number = number + 1 WHERE id = 1")


def test_the_statistics_page_is_cached_by_version_and_shows_a_change_at_once(client):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def figures() -> list[str]:
        return re.findall(r"<figure.*?</figure>", client.get(url).content.decode(), re.DOTALL)

    client.force_login(viewer())
    partnership = PartnershipFactory()
    VisitFactory(partnership=partnership)
    url = reverse("workspace:statistics")
    with CaptureQueriesContext(connection) as computed:
        first = figures()
    with CaptureQueriesContext(connection) as served:
        assert figures() == first
    assert first
    # Served from the cache: none of the five queries of the six charts is run again.
    assert len(served.captured_queries) <= len(computed.captured_queries) - 5
    VisitFactory(partnership=partnership)
    assert figures() != first


def test_the_calendar_grid_is_cached_by_version_and_filter_and_shows_a_change_at_once(client):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grid(**params: str) -> str:
        page = client.get(url, {"month": "2025-05", **params}).content.decode()
        found = re.search(r'class="calendar-nav".*?</nav>(.*?)</section>', page, re.DOTALL)
        assert found
        return found.group(1)

    client.force_login(viewer())
    partnership = PartnershipFactory()
    VisitFactory(partnership=partnership, title="Đoàn thứ nhất")
    other = VisitFactory(title="Đoàn của đối tác khác")
    url = reverse("workspace:calendar")
    with CaptureQueriesContext(connection) as computed:
        first = grid()
    with CaptureQueriesContext(connection) as served:
        assert grid() == first
    assert "Đoàn thứ nhất" in first
    # Served from the cache: none of the five event queries is run again.
    assert len(served.captured_queries) <= len(computed.captured_queries) - 5
    # Each filter and view is drawn on its own.
    assert other.title not in grid(partnership=str(partnership.pk))
    assert "Đoàn thứ nhất" in grid(view="agenda")
    assert grid(view="agenda") != first
    VisitFactory(partnership=partnership, title="Đoàn thứ hai")
    assert "Đoàn thứ hai" in grid()
    assert "Đoàn thứ hai" in grid(partnership=str(partnership.pk))


def test_the_partner_map_is_cached_by_version_and_filter_and_shows_a_change_at_once(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CityFactory

    client.force_login(viewer())
    first = PartnershipFactory(partner_city=CityFactory(name="Minsk", name_en="Minsk"))
    url = reverse("workspace:partner_map")

    def block() -> str:
        page = client.get(url).content.decode()
        return page[page.index('<figure class="partner-map-figure">') : page.index("</table>")]

    with CaptureQueriesContext(connection) as computed:
        page = block()
    with CaptureQueriesContext(connection) as served:
        assert block() == page
    assert "Minsk" in page
    # Served from the cache: the partnerships' query is not run again.
    assert len(served.captured_queries) < len(computed.captured_queries)
    PartnershipFactory(partner_city=CityFactory(name="Brest", name_en="Brest"))
    assert "Brest" in block()
    only_first = client.get(url, {"home_city": str(first.home_city.pk)}).content.decode()
    assert "Minsk" in only_first
    assert "Brest" not in only_first


def test_renaming_or_deleting_an_account_bumps_the_action_items_only():
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.create_user("someone", first_name="Lan")
    before = freshness.current()
    account.last_login = timezone.now()
    account.save(update_fields=["last_login"])  # a login
    account.email = "lan@example.org"
    account.save()  # not a change of name
    assert freshness.current() == before
    account.first_name = "Minh"
    account.save()
    after = freshness.current()
    assert after.number == before.number + 1
    assert after.apps == {**before.apps, "delegations": before.apps["delegations"] + 1}
    account.delete()
    assert freshness.current().number == after.number + 1


def _map_queries(client, url: str) -> tuple[str, int]:
    """The partner map page's map block and the number of its queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ran:
        page = client.get(url).content.decode()
    return page[page.index('<figure class="partner-map-figure">') : page.index("</table>")], len(
        ran.captured_queries
    )


def test_the_map_of_countries_is_kept_while_visits_and_agreements_change(client, monkeypatch):
    """The countries' map counts partnerships by country: a visit or an agreement changes
    nothing in it, so it stays cached; a partnership change draws it again."""
    from tests.factories import CityFactory

    monkeypatch.setattr("workspace.partner_map.PER_CITY_UP_TO", 1)
    client.force_login(viewer())
    partnership = PartnershipFactory(partner_city=CityFactory(country="BY"))
    PartnershipFactory(partner_city=CityFactory(country="LA"))
    url = reverse("workspace:partner_map")
    first, computed = _map_queries(client, url)
    assert "country-point" in first
    VisitFactory(partnership=partnership)
    AgreementFactory(partnership=partnership)
    again, served = _map_queries(client, url)
    assert again == first
    assert served == computed - 1  # the grouped count by country is not run again
    PartnershipFactory(partner_city=CityFactory(country="BY"))
    changed, recomputed = _map_queries(client, url)
    assert recomputed == computed
    assert ">2</text>" in changed  # the count in Belarus's circle


def test_the_map_of_cities_shows_a_visit_at_once_and_is_kept_while_agreements_change(client):
    """The cities' map sizes each city by its recent visits and lists their number: a
    visit draws it again; an agreement changes nothing in it."""
    client.force_login(viewer())
    partnership = PartnershipFactory()
    url = reverse("workspace:partner_map")
    first, computed = _map_queries(client, url)
    assert '<td class="num">0</td>' in first
    AgreementFactory(partnership=partnership)
    again, served = _map_queries(client, url)
    assert again == first
    assert served == computed - 2  # neither the count by country nor the cities' query
    VisitFactory(partnership=partnership, start_date=timezone.localdate(), end_date=None)
    changed, recomputed = _map_queries(client, url)
    assert '<td class="num">1</td>' in changed
    assert recomputed == computed - 1  # the count by country is kept: no partnership changed
