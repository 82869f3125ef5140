"""A warm worker freezes its long-lived objects out of the collector's full passes."""

import gc

import pytest
from django.core.signals import request_finished
from django.urls import reverse

from common import gcfreeze

# /healthz reads the database (SELECT 1) since it reports a database outage
pytestmark = pytest.mark.django_db


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    gcfreeze._served = 0
    yield
    request_finished.disconnect(gcfreeze._after_request, dispatch_uid=gcfreeze.__name__)
    gc.unfreeze()


def test_frozen_after_the_configured_number_of_requests(client, settings, unfrozen):
    settings.GC_FREEZE_AFTER_REQUESTS = 3
    gcfreeze.connect()
    for _ in range(2):
        client.get(reverse("healthz"))
    # (CPython itself parks a few hundred objects in the permanent generation.)
    before = gc.get_freeze_count()
    assert before < 10_000
    client.get(reverse("healthz"))
    assert gc.get_freeze_count() > before + 10_000  # the whole warm process
    # Once only: the handler is gone.
    assert not any(
        r[0][0] == gcfreeze.__name__ for r in request_finished.receivers if isinstance(r[0], tuple)
    )


def test_off_when_set_to_zero(client, settings, unfrozen):
    settings.GC_FREEZE_AFTER_REQUESTS = 0
    gcfreeze.connect()
    for _ in range(3):
        client.get(reverse("healthz"))
    assert gc.get_freeze_count() < 10_000
