#!/bin/sh
# The background worker: runs the jobs the web queues (briefs, big imports; jobs/).
# docker-compose.yml's `worker` service runs it, scripts/demo.sh starts it next to
# runserver, and the test suite starts it against the test database (tests/workers.py).
# It waits until the database is migrated (the web container migrates), tidies up
# expired and lost jobs, then runs django-tasks-db's `db_worker` until stopped: SIGTERM
# lets the job in hand finish first. Extra arguments go to db_worker (e.g. --batch).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
waited=0
until "$PYTHON" manage.py migrate --check >/dev/null 2>&1; do
  waited=$((waited + 2))
  if [ "$waited" -gt "${WORKER_WAIT_SECONDS:-300}" ]; then
    echo "worker: the database is unreachable or not migrated; giving up." >&2
    exit 1
  fi
  sleep 2
done
"$PYTHON" manage.py prune_jobs --verbosity 0
exec "$PYTHON" manage.py db_worker --no-reload --no-startup-delay \
  --interval "${WORKER_INTERVAL:-1}" "$@"
