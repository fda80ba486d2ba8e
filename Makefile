# 信易批 — every set-up step the project needs, from a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
REGISTRY_PORT ?= 8765

.PHONY: install static demo serve test lint browser bench bench-quick valgrind vendor openapi clean-db messages

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# Debian's Chromium (for the browser tests) and a CJK font (printed documents); installed once.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@# The registry server stands in for the national credit sources, the incentive-card registry, the
	@# identity platform, the SMS gateway and the credit platform (which keeps what it receives under var/);
	@# the worker delivers messages, shares the credit record and runs the deadline sweep. Both run beside
	@# the site, which is configured against the registry, and stop when the site stops.
	$(BIN)/python manage.py run_registry --port $(REGISTRY_PORT) --store-dir var/credit-platform & REGISTRY=$$!; \
	export XINYIPI_CREDIT_ENTERPRISE_PUBLICITY_URL=http://127.0.0.1:$(REGISTRY_PORT)/enterprise-publicity \
	XINYIPI_CREDIT_CHINA_URL=http://127.0.0.1:$(REGISTRY_PORT)/credit-china \
	XINYIPI_CREDIT_CARD_REGISTRY_URL=http://127.0.0.1:$(REGISTRY_PORT)/card-registry \
	XINYIPI_SMS_GATEWAY_URL=http://127.0.0.1:$(REGISTRY_PORT) \
	XINYIPI_IDENTITY_PLATFORM_URL=http://127.0.0.1:$(REGISTRY_PORT)/identity \
	XINYIPI_CREDIT_PLATFORM_URL=http://127.0.0.1:$(REGISTRY_PORT)/credit-platform; \
	$(BIN)/python manage.py run_worker & WORKER=$$!; \
	trap 'kill $$REGISTRY $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production server: gunicorn, one worker per core (XINYIPI_WEB_WORKERS), static files from WhiteNoise,
# in whatever mode the environment selects (development when nothing is set). The worker stays
# `manage.py run_worker` (docs/deployment.md). Several web hosts: migrate once per release, not here.
serve: static
	$(BIN)/python manage.py migrate --noinput
	PYTHONPATH=src exec $(BIN)/gunicorn -c python:xinyipi.conf.gunicorn --bind $(HOST):$(PORT) xinyipi.wsgi

test: install browser
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null
	$(BIN)/pytest -n auto -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests benchmarks

openapi: install
	$(BIN)/python manage.py export_openapi docs/api/openapi-v1.json

# The English catalog (src/xinyipi/locale/en): gather new or changed strings, then compile. GNU gettext is
# needed only here; the compiled django.mo is committed, so nothing else needs it at run time.
messages: install
	@if ! command -v msgfmt >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq gettext >/dev/null; \
	fi
	cd src/xinyipi && ../../$(BIN)/python ../../manage.py makemessages -l en --ignore "*/tests/*" --no-obsolete
	cd src/xinyipi && ../../$(BIN)/python ../../manage.py compilemessages
	@msgfmt --statistics -o /dev/null src/xinyipi/locale/en/LC_MESSAGES/django.po

# Every benchmarks/*_bench.py, each printing its figures and writing its section of docs/performance.md.
# The hashed, compressed static files WhiteNoise serves (and their manifest, which pages need with DEBUG off).
static: install
	$(BIN)/python manage.py collectstatic --noinput -v 0

# Pages are rendered as served (DEBUG off), so the benchmarks need the static files' manifest too.
bench: static valgrind
	@for script in benchmarks/*_bench.py; do $(BIN)/python $$script || exit 1; done

bench-quick: static valgrind
	@for script in benchmarks/*_bench.py; do $(BIN)/python $$script --scale 0.1 || exit 1; done

# benchmarks/instructions_bench.py counts instructions with valgrind's callgrind.
valgrind:
	@if ! command -v valgrind >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq valgrind >/dev/null; \
	fi

vendor:
	npm install --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js src/xinyipi/static/vendor/
	@# axe-core checks the pages in the browser tests only; it is never served.
	cp node_modules/axe-core/axe.min.js tests/e2e/vendor/

clean-db:
	rm -f var/xinyipi.sqlite3 var/xinyipi.sqlite3-wal var/xinyipi.sqlite3-shm
	@# The stand-in credit platform knows events by id: a new database starts its ids again.
	rm -rf var/credit-platform
