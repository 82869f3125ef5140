#!/bin/sh
# The whole test suite, on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/sistercities).
# Extra arguments go to pytest, e.g. scripts/test.sh -m browser
set -eu
cd "$(dirname "$0")/.."
. scripts/_uv.sh
. scripts/_fonts.sh
$UV sync --frozen
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  fi
fi
$UV run --frozen ruff check .
$UV run --frozen ruff format --check .
$UV run --frozen lint-imports  # no app imports an app above it (pyproject.toml)
$UV run --frozen mypy .  # every function typed, django-stubs (pyproject.toml [tool.mypy])
$UV run --frozen python manage.py makemigrations --check --dry-run
exec $UV run --frozen pytest -n "${PYTEST_WORKERS:-2}" "$@"
