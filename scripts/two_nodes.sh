#!/usr/bin/env bash
# Start two gunicorn app nodes on loopback ports that share one PostgreSQL and one Redis.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwt_prod_nodes scripts/two_nodes.sh
#
# Environment (defaults in brackets):
#   DATABASE_URL            the shared PostgreSQL database (required; migrated by this script)
#   REDIS_URL               the shared Redis [redis://127.0.0.1:6379/0]
#   NODE_PORTS              the two ports [8141 8142]
#   NODE_LOG_DIR            where node-<port>.log files go [a new temp directory]
#   DJANGO_SETTINGS_MODULE  [config.settings.base]; tests use config.settings.test
#   NODE_SETUP              1 = migrate + collectstatic first, 0 = the caller did it [1]
#   GUNICORN_WORKERS/THREADS per node [2/2]
#   DJANGO_SECRET_KEY       shared by both nodes [a random one for this run: with DEBUG off the
#                           nodes refuse to start without a key]
#   TASKS_WORKERS           threads of the one task-queue worker process it also starts [2]
#
# Prints "ready <url> <url>" once both answer /healthz, then runs until interrupted; on exit (Ctrl-C,
# SIGTERM, or one node dying) both nodes are stopped. A load balancer in front of these two
# ports needs no sticky sessions: sessions, rate limits and registrations are all shared.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
: "${DATABASE_URL:?set DATABASE_URL to the shared PostgreSQL database}"
export DATABASE_URL
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.base}
export DJANGO_DEBUG=${DJANGO_DEBUG:-false}
# One key for both nodes (a session or CSRF token made on one is checked on the other).
DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')}
export DJANGO_SECRET_KEY
export GUNICORN_WORKERS=${GUNICORN_WORKERS:-2}
export GUNICORN_THREADS=${GUNICORN_THREADS:-2}
read -r -a PORTS <<< "${NODE_PORTS:-8141 8142}"
LOG_DIR=${NODE_LOG_DIR:-$(mktemp -d -t kwt-nodes.XXXXXX)}
mkdir -p "$LOG_DIR"

case "$DATABASE_URL" in
  postgres*) ;;
  *) echo "two_nodes.sh: DATABASE_URL must be PostgreSQL (SQLite cannot be shared)" >&2; exit 2 ;;
esac

if [ "${NODE_SETUP:-1}" = 1 ]; then
  "$PYTHON" manage.py migrate --noinput >"$LOG_DIR/setup.log" 2>&1
  if [ "$DJANGO_DEBUG" = false ] && [ "$DJANGO_SETTINGS_MODULE" = config.settings.base ]; then
    # Hashed, compressed static files (whitenoise manifest) are needed with DEBUG off.
    "$PYTHON" manage.py collectstatic --noinput >>"$LOG_DIR/setup.log" 2>&1
  fi
fi

PIDS=()
stop_nodes() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_nodes EXIT
trap 'exit 130' INT TERM

for port in "${PORTS[@]}"; do
  PORT=$port "$PYTHON" -m gunicorn -c config/gunicorn.conf.py --no-control-socket config.wsgi \
    >"$LOG_DIR/node-$port.log" 2>&1 &
  PIDS+=($!)
done

# The task-queue worker (Huey over the same Redis): message delivery and long jobs such as
# payment-list booking run here, never inside a web request (docs/tasks.md).
# TASKS_WORKERS=0: no worker (the suite's nodes run their tasks in process, test settings).
if [ "${TASKS_WORKERS:-2}" != "0" ]; then
  "$PYTHON" manage.py run_huey --workers "${TASKS_WORKERS:-2}" --worker-type thread \
    >"$LOG_DIR/worker.log" 2>&1 &
  PIDS+=($!)
fi

healthy() {
  if command -v curl >/dev/null; then
    curl -fsS -o /dev/null --max-time 2 "$1/healthz" 2>/dev/null
  else
    "$PYTHON" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "$1/healthz" 2>/dev/null
  fi
}

URLS=()
for port in "${PORTS[@]}"; do
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 150); do
    if healthy "$url"; then break; fi
    sleep 0.2
  done
  healthy "$url" || {
    echo "node on $port did not become healthy; log: $LOG_DIR/node-$port.log" >&2
    exit 1
  }
  URLS+=("$url")
done
echo "ready ${URLS[*]} (logs in $LOG_DIR)"

# Run until interrupted or until either node exits.
wait -n "${PIDS[@]}"
echo "a node or the worker exited; stopping the rest" >&2
exit 1
