#!/bin/sh
# What the container (docker-compose.yml) runs on start: migrate, collect static files,
# then gunicorn. The test suite runs this same script against PostgreSQL.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
# gunicorn believes X-Forwarded-Proto (and so request.is_secure()) only from the proxy, and
# only when there is one (BEHIND_PROXY=1, as Django's SECURE_PROXY_SSL_HEADER): without a
# proxy it trusts no address, not even 127.0.0.1.
case "$(printf '%s' "${BEHIND_PROXY:-0}" | tr '[:upper:]' '[:lower:]')" in
  1|true|yes|on) forwarded_allow_ips="${FORWARDED_ALLOW_IPS:-127.0.0.1}" ;;
  *) forwarded_allow_ips="" ;;
esac
"$PYTHON" manage.py migrate --noinput
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
exec "$PYTHON" -m gunicorn config.wsgi:application \
  --bind "${BIND:-0.0.0.0:8000}" \
  --workers "${WEB_CONCURRENCY:-3}" \
  --timeout "${GUNICORN_TIMEOUT:-60}" \
  --max-requests "${GUNICORN_MAX_REQUESTS:-2000}" \
  --max-requests-jitter 200 \
  --access-logfile - \
  --forwarded-allow-ips "$forwarded_allow_ips"
