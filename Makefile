# Steady: `make run` starts everything on embedded defaults; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/steady
REDIS ?= redis://127.0.0.1:6379/15

.PHONY: run test test-services lint format bench install migrate clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	@$(PY) manage.py shell --no-imports -c "from accounts.models import User; import sys; sys.exit(0 if User.objects.exists() else 1)" \
		|| DJANGO_DEBUG=1 $(PY) manage.py seed_demo --verbosity 0
	@$(PY) manage.py demo_logins
	@echo "Steady is starting on http://127.0.0.1:8000 (web, worker and beat). Ctrl-C stops all three."
	$(VENV)/bin/honcho start -f Procfile

test: install
	$(VENV)/bin/pytest -q

test-services: install
	STEADY_REQUIRE_SERVICES=1 DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) $(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks print figures and ratios (not timed tests); they need PostgreSQL and Redis like test-services.
BENCH_DB ?= steady_bench
BENCH_REDIS ?= redis://127.0.0.1:6379/14
bench: install
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_DB)'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres $(BENCH_DB)
	@for script in bench/*.py; do echo "== $$script"; \
		DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_DB) REDIS_URL=$(BENCH_REDIS) \
		$(PY) $$script $(BENCH_ARGS) || exit 1; done

clean:
	rm -rf var staticfiles .pytest_cache
