# Charter — every target installs what it needs first (`make install`).
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= $(shell scripts/find-python)
STAMP  := $(VENV)/.installed
B      ?=

.PHONY: install demo test unit e2e lint format bench messages clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { scripts/find-python; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: install
	$(BIN)/charter demo

# The whole suite: unit, database and API tests, then the browser journeys when chromium is here.
test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not e2e"
	@if [ -x /usr/bin/chromium ]; then $(MAKE) --no-print-directory e2e; \
	else echo "SKIPPED browser journeys: /usr/bin/chromium is missing (apt-get install chromium fonts-noto-cjk, or let .ci/run do it)"; fi

unit: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not e2e"

e2e: install
	$(BIN)/python -m pytest -q -m e2e tests/e2e

lint: install
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/charter/core $(wildcard src/charter/engine) $(wildcard src/charter/*/services.py src/charter/*/policies.py src/charter/*/services/*.py)

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install
	$(BIN)/python bench/run.py $(B)

# Extract new strings into the catalogues and compile them (needs GNU gettext).
messages: install
	cd src/charter && ../../$(BIN)/django-admin makemessages --settings=charter.settings -l zh_Hans -l en --no-obsolete --no-location --ignore='static/*'
	cd src/charter && ../../$(BIN)/django-admin compilemessages --settings=charter.settings

clean:
	rm -rf $(VENV) var/test-* .mypy_cache .ruff_cache
