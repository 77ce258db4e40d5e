#!/usr/bin/env bash
# What `make run` serves with, after `make setup`: gunicorn with the production configuration
# (config/gunicorn.conf.py: workers, threads, backlog), DEBUG on for the demo (the public
# development key, static files from the source folders, Django's error pages).
#
#   PORT=8000 scripts/run_demo.sh
#
# runserver, which this replaces, listens with a backlog of 10: 9–13 of 40 simultaneous sign-ups
# were reset. tests/production/test_sqlite_classroom.py runs this very script.
#
# Environment: PORT [8000], PYTHON [.venv/bin/python], DJANGO_DEBUG [true], and whatever
# config/gunicorn.conf.py reads (GUNICORN_WORKERS, GUNICORN_THREADS...).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}
export PORT=${PORT:-8000}
echo "考务通: http://127.0.0.1:$PORT/ (Ctrl-C to stop)"
exec "$PYTHON" -m gunicorn -c config/gunicorn.conf.py config.wsgi
