"""Each list and detail page runs as many queries on the demo data as on bulk data.

The same test runs twice per page: on the demo data of the seed articles, and on the
demo data plus ``seed_bulk`` at scale 0.005 (hundreds of visits, agreements and
action items, a few big partnerships). The pinned count must hold at both sizes:
a page whose count grows with the data has an N+1 and would not survive scale 1.
"""

import pytest
from django.db import transaction
from django.db.models import Count
from django.urls import reverse

from agreements.models import Agreement
from common import bulk
from common.demo import load_demo
from delegations.models import ActionItem, Visit
from partnerships.models import City, Organisation, Partnership, Person
from tests.factories import editor

# Every count includes 3 queries to read the session, the user and their role, and 3
# to save the session (savepoint, update, release: SESSION_SAVE_EVERY_REQUEST).
PAGES = {
    "dashboard": 0,
    "partners": 0,
    "partners_filtered": 0,
    "partnership": 0,
    "people": 0,
    "person": 0,
    "organisations": 0,
    "organisation": 0,
    "agreements": 0,
    "agreements_filtered": 0,
    "agreement": 0,
    "visits": 0,
    "visits_filtered": 0,
    "visit": 0,
    "actions": 0,
    "actions_filtered": 0,
    "action": 0,
    "search": 0,
}


@pytest.fixture(scope="module", params=["demo", "bulk"])
def dataset(request, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo(password="demo-pass-2025")
            if request.param == "bulk":
                bulk.seed_bulk(scale=0.005)
            yield request.param
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def biggest(model, related: str):
    return model.objects.annotate(n=Count(related)).order_by("-n", "pk").first()


def url_of(page: str) -> str:
    big = biggest(Partnership, "action_items")
    home = City.objects.home().order_by("pk").first()
    urls = {
        "dashboard": reverse("dashboard"),
        "partners": reverse("partnerships:partnership_list"),
        "partners_filtered": reverse("partnerships:partnership_list") + f"?home_city={home.pk}&status=active",
        "partnership": reverse("partnerships:partnership_detail", args=[big.pk]),
        "people": reverse("partnerships:person_list"),
        "person": reverse("partnerships:person_detail", args=[biggest(Person, "visit_participations").pk]),
        "organisations": reverse("partnerships:organisation_list"),
        "organisation": reverse(
            "partnerships:organisation_detail", args=[biggest(Organisation, "positions").pk]
        ),
        "agreements": reverse("agreements:agreement_list"),
        "agreements_filtered": reverse("agreements:agreement_list") + "?status=in_force&sort=reference",
        "agreement": reverse(
            "agreements:agreement_detail",
            args=[biggest(Agreement.objects.filter(partnership=big).model, "children").pk],
        ),
        "visits": reverse("delegations:visit_list"),
        "visits_filtered": reverse("delegations:visit_list") + "?direction=incoming&sort=start",
        "visit": reverse("delegations:visit_detail", args=[biggest(Visit, "participants").pk]),
        "actions": reverse("delegations:actionitem_list"),
        "actions_filtered": reverse("delegations:actionitem_list")
        + "?status=open&due=overdue&sort=-priority",
        "action": reverse("delegations:actionitem_detail", args=[biggest(ActionItem, "updates").pk]),
        "search": reverse("search") + "?q=ha+noi",
    }
    return urls[page]


@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_is_the_same_on_demo_and_bulk_data(
    dataset, page, db, client, django_assert_num_queries
):
    client.force_login(editor())
    url = url_of(page)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    print(f"PIN {dataset} {page} {len(ctx.captured_queries)}")
