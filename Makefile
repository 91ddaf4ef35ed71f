# Loopdesk: `make run` for a local demo, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint lock translations compile-translations worker cron clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins every package, transitive ones too: a fresh clone installs what CI
# last passed with, not whatever was released since (rq 3.0 once broke every worker test).
$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

# Re-resolve the newest versions pyproject.toml allows into constraints.txt; then `make test`.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[test]'
	{ sed -n '1,2p' constraints.txt; .lock-venv/bin/pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .lock-venv

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations -l $* >/dev/null

compile-translations: $(MO_FILES)

# Links in e-mails and the printed address follow HOST and PORT unless LOOPDESK_BASE_URL is set.
run: export LOOPDESK_BASE_URL := $(or $(LOOPDESK_BASE_URL),http://$(HOST):$(PORT))
run: $(VENV)/.installed compile-translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	LOOPDESK_IN_PROCESS_SCHEDULER=1 $(FLASK) run --host $(HOST) --port $(PORT)

# One test process per core (pytest-xdist, at most 4), each with its own databases;
# `make test PYTEST_WORKERS=0` runs everything in this process.
PYTEST_WORKERS ?= auto
test: $(VENV)/.installed compile-translations
	$(BIN)/pytest -n $(PYTEST_WORKERS) --maxprocesses 4 --dist worksteal $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# Extract every string, merge it into each catalog, compile.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k N_ -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
		--no-location --sort-output --project Loopdesk -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d translations

worker: $(VENV)/.installed
	$(FLASK) worker

cron: $(VENV)/.installed
	$(FLASK) cron

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo
