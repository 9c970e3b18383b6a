# Nexus: `make run` serves the embedded default on http://127.0.0.1:8000, `make test`
# checks everything this machine can check. Both install what they need into .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The services column of the test suite (DESIGN.md section 1); CI sets NEXUS_REQUIRE_SERVICES=1.
NEXUS_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/nexus
NEXUS_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
NEXUS_TEST_BROKER_URL ?= amqp://guest:guest@127.0.0.1:5672//
SERVICE_ENV := DATABASE_URL=$(NEXUS_TEST_DATABASE_URL) REDIS_URL=$(NEXUS_TEST_REDIS_URL) CELERY_BROKER_URL=$(NEXUS_TEST_BROKER_URL)
EMBEDDED_ENV := env -u DATABASE_URL -u REDIS_URL -u MEMCACHED_URL -u CELERY_BROKER_URL

.PHONY: run serve worker test check test-embedded test-services bench schema format clean

$(VENV)/.base-installed: requirements/base.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock $(VENV)/.base-installed
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.lock
	touch $@

## run: install, migrate, load the demo cohort, serve with gunicorn plus a worker with beat
run: $(VENV)/.base-installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py nexus_demo
	@echo "Nexus is starting on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/celery -A nexus worker --beat --pool=solo --loglevel=WARNING \
		--without-gossip --without-mingle --without-heartbeat & worker=$$!; \
	$(VENV)/bin/gunicorn nexus.wsgi:application --bind $(HOST):$(PORT) --workers 2 --log-level warning

## worker: a Celery worker with beat (one machine; in production run beat once, separately)
worker: $(VENV)/.base-installed
	$(VENV)/bin/celery -A nexus worker --beat --loglevel=INFO

## test: static checks, the suite on the embedded default, then on PostgreSQL + Redis + RabbitMQ
test: check test-embedded test-services

check: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy nexus
	$(VENV)/bin/lint-imports
	$(EMBEDDED_ENV) DJANGO_SETTINGS_MODULE=nexus.settings.test $(PY) manage.py makemigrations --check --dry-run

test-embedded: $(VENV)/.dev-installed
	$(EMBEDDED_ENV) $(PY) -m pytest

test-services: $(VENV)/.dev-installed
	@if $(PY) tools/services_probe.py $(NEXUS_TEST_DATABASE_URL) $(NEXUS_TEST_REDIS_URL) $(NEXUS_TEST_BROKER_URL); then \
		echo "== the same suite on PostgreSQL + Redis + RabbitMQ"; \
		$(SERVICE_ENV) $(PY) -m pytest; \
	elif [ "$(NEXUS_REQUIRE_SERVICES)" = "1" ]; then \
		echo "NEXUS_REQUIRE_SERVICES=1 and a service does not answer: failing." >&2; exit 1; \
	else \
		echo "== services not answering: the services column was not run (CI requires it)"; \
	fi

## bench: each figure of DESIGN.md section 6 against a baseline measured in the same run:
## requests/s against a bare JsonResponse floor (P, G), the static export against mkdocs (D1),
## README parsing against a bare markdown-it parse (I1), hostile Markdown against normal documents (M1)
## search on 100,000 synthetic entries against its own raw SQL, SQLite FTS5 against PostgreSQL (S1, S2)
bench: $(VENV)/.dev-installed
	$(PY) bench/run.py
	$(PY) bench/site.py
	$(PY) bench/readme.py
	$(PY) bench/markdown.py
	$(PY) bench/search.py
	$(PY) bench/traffic.py

## schema: regenerate the committed OpenAPI document and GraphQL SDL
schema: $(VENV)/.dev-installed
	$(EMBEDDED_ENV) DJANGO_SETTINGS_MODULE=nexus.settings.test $(PY) manage.py nexus_contracts --write

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
