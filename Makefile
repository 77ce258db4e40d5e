# 考务通: the two commands are `make run` and `make test`.
# Python versions the dependencies support, newest first; keep in step with requires-python in
# pyproject.toml (tests/test_python_selection.py checks that they agree). The venv is built with the
# newest python3.X on the PATH (scripts/pick_python.sh); `make run PYTHON=python3.11` insists on one.
SUPPORTED_PYTHONS := 3.13 3.12 3.11 3.10
PYTHON ?=
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/kaowutong
# Links printed by load_demo and carried by QR posters follow the port make run serves on.
export SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint test-sqlite test-postgres venv serve setup bench clean python-pick

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || { \
		python=$$($(PICK_PYTHON)) || exit 1; \
		echo "Creating $(VENV) with $$python ($$($$python --version 2>&1))"; \
		$$python -m venv $(VENV); \
	}
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

PICK_PYTHON = PYTHON="$(PYTHON)" SUPPORTED_PYTHONS="$(SUPPORTED_PYTHONS)" $(SHELL) scripts/pick_python.sh

venv: $(BIN)/.installed

# Print the interpreter a new venv would be built with (or why there is none).
python-pick:
	@$(PICK_PYTHON)

setup: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_announcement
	$(BIN)/python manage.py load_demo

# Served by gunicorn as in production (scripts/run_demo.sh), with DEBUG on: it holds a classroom
# signing up at once (tests/production/test_sqlite_classroom.py runs the same script). The
# task-queue worker runs beside it (a SQLite-file queue without Redis, docs/tasks.md) and stops
# with it.
run: setup
	$(BIN)/python manage.py run_huey --workers 2 --worker-type thread & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	PORT=$(PORT) PYTHON=$(BIN)/python scripts/run_demo.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

test: lint test-sqlite test-postgres

test-sqlite: venv
	$(BIN)/python -m pytest

# Outside CI an unreachable PostgreSQL is reported and skipped; with CI=true it fails.
test-postgres: venv
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -m "not e2e"; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) is unreachable and CI=true: failing." >&2; exit 1; \
	else \
		echo "WARNING: PostgreSQL at $(PG_URL) is unreachable: the PostgreSQL run is SKIPPED." >&2; \
	fi

# Needs wrk (apt-get install -y wrk), PostgreSQL and Redis; writes benchmarks/last_run.md.
bench: venv
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
