# Charter — every target installs what it needs first (`make install`).
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= $(shell scripts/find-python)
STAMP  := $(VENV)/.installed
B      ?=
CHROMIUM := /usr/bin/chromium

.PHONY: install demo test unit e2e e2e-if-chromium lint lint-format lint-ruff lint-types format bench messages clean

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
# `make -k test` (as .ci/run does) runs the journeys even when the unit stage failed.
test: unit e2e-if-chromium

unit: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not e2e"

e2e-if-chromium: install
	@if [ -x $(CHROMIUM) ]; then $(MAKE) --no-print-directory e2e; \
	else echo "SKIPPED browser journeys: $(CHROMIUM) is missing (apt-get install chromium fonts-noto-cjk, or let .ci/run do it)"; fi

# Browser journeys (tests/e2e) with Playwright driving Debian's chromium; screenshots land in
# tests/e2e/screenshots/.
e2e: install
	@test -x $(CHROMIUM) || { echo "make e2e needs $(CHROMIUM): apt-get install chromium fonts-noto-cjk" >&2; exit 1; }
	$(BIN)/python -m pytest -q -n 2 -m e2e tests/e2e

# ruff (format and lint) and mypy; `make -k lint` (as .ci/run does) reports all three at once.
lint: lint-format lint-ruff lint-types

lint-format: install
	$(BIN)/ruff format --check src tests bench

lint-ruff: install
	$(BIN)/ruff check src tests bench

# engine and core whole, plus every other app's services and policies (core's are in already:
# naming a file twice makes mypy stop with "Duplicate module").
TYPED := src/charter/core $(wildcard src/charter/engine) $(filter-out src/charter/core/% src/charter/engine/%,\
	$(wildcard src/charter/*/services.py src/charter/*/policies.py src/charter/*/services \
	src/charter/comms/outbox.py src/charter/comms/channels src/charter/comms/plan.py src/charter/comms/occurrences.py \
	src/charter/comms/scheduler.py src/charter/comms/templating.py src/charter/comms/unsubscribe.py \
	src/charter/comms/services_templates.py))

lint-types: install
	$(BIN)/mypy --exclude '/(tests|migrations)/' $(TYPED)

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install
	$(BIN)/python bench/run.py $(B)

# Extract new strings into the catalogues and compile them (needs GNU gettext).
messages: install
	cd src/charter && ../../$(BIN)/django-admin makemessages --settings=charter.testing.settings -l zh_Hans -l en --no-obsolete --no-location --ignore='static/*'
	cd src/charter && ../../$(BIN)/django-admin compilemessages --settings=charter.testing.settings

clean:
	rm -rf $(VENV) var/test-* .mypy_cache .ruff_cache
