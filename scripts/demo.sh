#!/bin/sh
# Newcomer's first run: install everything, load the demo data on SQLite, serve on :8000.
set -eu
cd "$(dirname "$0")/.."
. scripts/_uv.sh
. scripts/_fonts.sh
$UV sync --frozen
$UV run --frozen python manage.py migrate --noinput
$UV run --frozen python manage.py seed_demo "$@"
echo
echo "Open http://127.0.0.1:8000 and sign in as demo-viewer or demo-editor (passwords above)."
exec $UV run --frozen python manage.py runserver 127.0.0.1:8000
