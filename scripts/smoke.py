"""First-run smoke check on whatever DATABASE_URL names (CI uses the SQLite default).

Logs in as the demo editor and renders the admin index, every changelist, the
workspace's dashboard, the partners list and a search; exits non-zero on any failure.
"""

import os
import sys
from http import HTTPStatus
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402


def main() -> int:
    setup_test_environment()
    client = Client()
    editor = get_user_model().objects.get(username="demo-editor")
    client.force_login(editor)
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
        if m._meta.app_label in {"partnerships", "agreements", "delegations"}
    ]
    urls += [
        reverse("dashboard"),
        reverse("partnerships:partnership_list"),
        "/search/?q=vieng+chan",
    ]
    failures = []
    for url in urls:
        status = client.get(url).status_code
        if status != HTTPStatus.OK:
            failures.append(f"{url}: {status}")
    body = client.get(reverse("admin:agreements_agreement_changelist")).content.decode()
    if "HN-MSK-CT-2024-2026" not in body:
        failures.append("the demo programme is missing from the agreements changelist")
    if "Viêng Chăn" not in client.get("/search/?q=vieng+chan").content.decode():
        failures.append("search for 'vieng chan' does not find Viêng Chăn")
    for failure in failures:
        print("SMOKE FAILED", failure)
    print(f"smoke: {len(urls) - len(failures)}/{len(urls)} admin pages rendered")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
