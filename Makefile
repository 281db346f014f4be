# The two commands of the README: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSTEM_STAMP := var/.system-packages
CATALOGUES := $(wildcard locale/*/LC_MESSAGES/django.po)
HOST ?= 127.0.0.1
PORT ?= 8000
# make test runs against this machine's PostgreSQL and Redis; override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379
XDIST ?= 2

.PHONY: setup system services run serve test bench lint migrate demo worker beat clean messages

setup: $(STAMP) $(SYSTEM_STAMP) $(CATALOGUES:.po=.mo)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -c "import tomllib; d=tomllib.load(open('pyproject.toml','rb'))['project']; print('\n'.join(d['dependencies']+d['optional-dependencies']['dev']))" > $(VENV)/requirements.txt
	$(PY) -m pip install -q -r $(VENV)/requirements.txt
	touch $(STAMP)

# Debian packages: a CJK font and HarfBuzz subsetting for WeasyPrint, Chromium for browser tests,
# poppler for looking at PDFs. Installed only when missing (we are root on these machines).
$(SYSTEM_STAMP): .ci/system-packages.sh
	bash .ci/system-packages.sh
	mkdir -p var && touch $(SYSTEM_STAMP)

# The translations (locale/*/LC_MESSAGES/django.po, committed) compiled for gettext; the .mo files are not
# committed. msgfmt is what `manage.py compilemessages` runs, called directly because loading the settings
# would start the embedded PostgreSQL. `make messages` collects new msgids into the catalogues.
%.mo: %.po $(SYSTEM_STAMP)
	msgfmt --check-format -o $@ $<

messages: setup
	$(PY) manage.py makemessages --all --ignore=$(VENV) --ignore=var --ignore=tests

services:
	bash .ci/services.sh

migrate: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_jurisdictions
	$(PY) manage.py load_equipment_catalogue

run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_personnel
	$(PY) manage.py seed_demo_findings
	$(PY) manage.py seed_demo_routines
	$(PY) manage.py seed_demo_recommendations
	$(PY) manage.py seed_demo_supervision
	$(PY) manage.py seed_demo_plans
	$(PY) manage.py seed_demo_inspections
	$(MAKE) --no-print-directory serve

# The portal as its users see it: DEBUG off, its own Chinese error pages, static files collected into
# var/staticfiles and served by WhiteNoise, gunicorn as in production (portal/gunicorn.conf.py), plain
# http on $(HOST):$(PORT) (PORTAL_QUICKSTART). `DEBUG=1 make run`: runserver with Django's debug pages
# and autoreload; one connection per request there, so no persistent connections.
serve:
	@if [[ "$${DEBUG,,}" =~ ^(1|true|yes|on)$$ ]]; then \
		set -x; DEBUG=1 CONN_MAX_AGE=0 $(PY) manage.py runserver $(HOST):$(PORT); \
	else \
		set -x; $(PY) manage.py collectstatic --noinput --verbosity 0 && \
		PORTAL_QUICKSTART=1 DEBUG=0 GUNICORN_BIND=$(HOST):$(PORT) GUNICORN_WORKERS=$${GUNICORN_WORKERS:-2} \
			exec $(VENV)/bin/gunicorn --config portal/gunicorn.conf.py --preload portal.wsgi:application; \
	fi

test: setup services
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest -n $(XDIST) --dist loadgroup -q $(PYTEST_ARGS)

bench: setup services
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest tests/perf -p no:xdist -s -q -o addopts="" --reuse-db $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

worker: setup
	$(VENV)/bin/celery -A portal worker -l info

beat: setup
	$(VENV)/bin/celery -A portal beat -l info

clean:
	rm -rf $(VENV) var/staticfiles
