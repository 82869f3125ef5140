import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def test_demo_data_loads(demo):
    from agreements.models import Agreement

    assert Agreement.objects.filter(reference="HN-MSK-CT-2024-2026").exists()
