#!/usr/bin/env bash
# Fault drill: lose PostgreSQL, then Redis, under a running app node, and check the outcome.
#
#   scripts/faults.sh                       # the automated drill (loopback TCP proxies)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kwt_prod_nodes scripts/faults.sh
#
# The automated drill is tests/production/test_faults.py: a gunicorn node reaches PostgreSQL and
# Redis through TCP proxies that are cut and restored, so the machine's shared services keep
# running. It checks that
#   - a submission whose database connection is lost after its INSERT, before COMMIT, gets the
#     Chinese 503 page (Retry-After: 30) and leaves no registration; the same submission works
#     again once the database is back, without restarting anything;
#   - pages and /healthz answer 503 while the database is gone, static files still load;
#   - without Redis, registration and staff login still work, /healthz says "degraded", rate
#     limits are relaxed with a warning in the log, and apply again when Redis returns.
#
# On a staging machine of your own, the same can be done with the real services (never on a
# machine others are using):
#   pg_ctlcluster --skip-systemctl-redirect <version> main stop     # submit: expect the 503 page
#   pg_ctlcluster --skip-systemctl-redirect <version> main start    # submit again: it works
#   redis-cli shutdown nosave; redis-server --daemonize yes         # registration keeps working
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kaowutong}
exec .venv/bin/python -m pytest tests/production/test_faults.py -v -p no:cacheprovider "$@"
