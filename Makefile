# Samvirke — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run in parallel, one worker per core, a test file per worker at a time (pytest-xdist).
PYTEST_ARGS ?= -n auto --dist loadfile
export DJANGO_SETTINGS_MODULE := samvirke.config.settings

.PHONY: demo test install static serve bench lint messages clean browser

## Set everything up on an embedded SQLite database, load the demo region and serve it.
demo: install static
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "Samvirke demo: http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	SAMVIRKE_DEMO=1 DEBUG=false $(VENV)/bin/uvicorn samvirke.config.asgi:application --host $(HOST) --port $(PORT)

## Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
test: install static browser
	SAMVIRKE_TESTING=1 $(PY) -m pytest -q $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

## Front-end packages from npm (lock file), vendored into static files; translations compiled.
static: node_modules/.installed
	$(PY) scripts/vendor_static.py
	cd src/samvirke && ../../$(PY) ../../manage.py compilemessages --ignore=.venv -v0
	$(PY) manage.py collectstatic --noinput -v0

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Debian's chromium for the browser tests (installed only if missing; needs root, as in CI).
browser:
	@bash scripts/ensure_chromium.sh

serve: install static
	$(PY) manage.py migrate --noinput
	$(VENV)/bin/uvicorn samvirke.config.asgi:application --host $(HOST) --port $(PORT) --workers $${WORKERS:-2}

bench: install static
	@for b in bench/[a-z]*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Refresh the translation catalogues after changing user-facing strings.
messages: install
	cd src/samvirke && ../../$(PY) ../../manage.py makemessages -l nb -l sv -l en --no-obsolete --ignore=static

clean:
	rm -rf $(VENV) node_modules var src/samvirke/static/vendor
