#!/bin/sh
# What the container (docker-compose.yml) runs on start: migrate, collect static files,
# then gunicorn. The test suite runs this same script against PostgreSQL.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
exec "$PYTHON" -m gunicorn config.wsgi:application \
  --bind "${BIND:-0.0.0.0:8000}" \
  --workers "${WEB_CONCURRENCY:-3}" \
  --timeout "${GUNICORN_TIMEOUT:-60}" \
  --max-requests "${GUNICORN_MAX_REQUESTS:-2000}" \
  --max-requests-jitter 200 \
  --access-logfile - \
  --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
