#!/bin/sh
# Newcomer's first run: install everything, load the demo data on SQLite, serve it with the
# background worker (briefs, big imports) running beside the server. Quiet while it sets
# up; the address and both demo accounts with their passwords are printed last, once the
# server answers. Every run sets new passwords (or the one given) and prints them again.
#
#   scripts/demo.sh [--port N] [--password SOMETHING-LONG]
set -eu
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/demo.sh [--port N] [--password SOMETHING-LONG]" >&2
  exit 2
}

port=8000
password=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) [ $# -ge 2 ] || usage; port="$2"; shift 2 ;;
    --port=*) port="${1#--port=}"; shift ;;
    --password) [ $# -ge 2 ] || usage; password="$2"; shift 2 ;;
    --password=*) password="${1#--password=}"; shift ;;
    -h|--help) usage ;;
    *) echo "demo.sh: unknown option: $1" >&2; usage ;;
  esac
done
case "$port" in
  ''|*[!0-9]*) echo "demo.sh: --port needs a number, got '$port'." >&2; exit 2 ;;
esac

# Before any work: is the port free? (runserver would only say so after the set-up.)
if command -v python3 >/dev/null 2>&1 && ! python3 - "$port" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver does
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
then
  echo "demo.sh: port $port on 127.0.0.1 is already in use (another server, or an earlier demo" >&2
  echo "         still running). Stop it, or choose another port: scripts/demo.sh --port 8001" >&2
  exit 1
fi

. scripts/_uv.sh
. scripts/_fonts.sh
if command -v python3 >/dev/null 2>&1; then py=python3; else py="$UV run --frozen python"; fi
# Server and worker output in the order it is written (our summary comes after the banner).
export PYTHONUNBUFFERED=1
# The demo shows the app's own error pages, not Django's debug pages (which list every URL).
export DEBUG_ERROR_PAGES=0

echo "Setting up the demo (installing, migrating, loading the demo data)…"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { $UV sync --frozen --quiet \
      && $UV run --frozen python manage.py migrate --noinput --verbosity 0 \
      && $UV run --frozen python manage.py seed_demo --new-passwords ${password:+--password "$password"}; } \
      >"$log" 2>&1; then
  cat "$log" >&2
  echo "demo.sh: the set-up failed (above)." >&2
  exit 1
fi
editor_password="$(sed -n 's/^Account demo-editor: .*, password: //p' "$log")"
viewer_password="$(sed -n 's/^Account demo-viewer: .*, password: //p' "$log")"

$UV run --frozen sh scripts/worker.sh --verbosity 0 &
worker=$!
$UV run --frozen python manage.py runserver --noreload "127.0.0.1:$port" &
server=$!
# Ctrl+C stops the server and the worker (background jobs of a script ignore it themselves).
trap 'kill "$server" "$worker" 2>/dev/null || true; wait 2>/dev/null || true; rm -f "$log"' EXIT
trap 'exit 130' INT TERM

# Wait until the server answers, then print what the newcomer needs, last.
tries=0
until $py -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$port" 2>/dev/null; do
  tries=$((tries + 1))
  if ! kill -0 "$server" 2>/dev/null || [ "$tries" -gt 120 ]; then
    echo "demo.sh: the server did not start (above)." >&2
    exit 1
  fi
  sleep 0.5
done
cat <<EOF

  The demo is running: http://127.0.0.1:$port/

  Sign in as
    demo-editor   password: $editor_password   (may edit)
    demo-viewer   password: $viewer_password   (may only read)

  Run scripts/demo.sh again for new passwords. Stop with Ctrl+C.

EOF
wait "$server"
