#!/bin/sh
# Newcomer's first run: install everything, load the demo data on SQLite, serve on :8000,
# with the background worker (briefs, big imports) running beside the server.
set -eu
cd "$(dirname "$0")/.."
. scripts/_uv.sh
. scripts/_fonts.sh
$UV sync --frozen
$UV run --frozen python manage.py migrate --noinput
$UV run --frozen python manage.py seed_demo "$@"
echo
echo "Open http://127.0.0.1:8000 and sign in as demo-viewer or demo-editor (passwords above)."
$UV run --frozen sh scripts/worker.sh --verbosity 0 &
worker=$!
# The worker stops when the server does (Ctrl+C).
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM
$UV run --frozen python manage.py runserver 127.0.0.1:8000
