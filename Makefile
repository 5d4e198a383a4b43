# Two commands do all the set-up on a fresh machine:
#   make run   - the service with demo data (SQLite, Celery on a filesystem broker)
#   make test  - the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
# Python 3.11: python3.11 when it is on the PATH, else python3 (checked before the venv is made).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Links in emails (and the Site row) follow the port `make run` serves on.
SITE_URL ?= http://localhost:$(PORT)

.PHONY: setup run test lint clean screenshots

$(VENV)/.installed: requirements.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "Python 3.11 is needed; '$(PYTHON)' is $$($(PYTHON) -V 2>&1 || echo missing)." >&2; \
	  echo "Install python3.11, or run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

setup: $(VENV)/.installed

run: setup
	DEBUG=true SITE_URL=$(SITE_URL) $(PY) manage.py migrate --noinput
	DEBUG=true SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo --conversation
	DEBUG=true SITE_URL=$(SITE_URL) PORT=$(PORT) PY=$(PY) scripts/run-dev.sh

test: setup
	scripts/ensure-chromium.sh
	$(PY) -m pytest $(PYTEST_ARGS)

# Pictures of each role's main pages at 390 and 1280 px into docs/screenshots/ (README.md):
# its own server on a free port with a scratch SQLite database and the demo data.
screenshots: setup
	scripts/ensure-chromium.sh
	$(PY) scripts/screenshots.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf .var db.sqlite3 staticfiles
