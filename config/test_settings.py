"""Settings for the test suite: the production settings, on PostgreSQL by default.

The suite is meant to run against the database production uses; DATABASE_URL
may point at another server. Playwright's sync API runs an event loop in the
test thread, so Django's async-safety guard is relaxed for tests only.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sistercities")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from config.settings import *  # noqa: F403

# Hashing passwords fast keeps the suite quick; nothing else differs from production.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A cache per test process (xdist runs several): tests clear it around each test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The suite's processes are no servers: their objects stay with the collector.
GC_FREEZE_AFTER_REQUESTS = 0
