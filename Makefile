# Entente — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000

.PHONY: run test install install-test browser gettext clamav messages lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed

## Serve the demo territory on http://$(HOST) (SQLite and files under ./var)
run: install
	DEBUG=1 $(BIN)/entente migrate --noinput
	DEBUG=1 $(BIN)/entente demo
	DEBUG=1 $(BIN)/entente serve --bind $(HOST)

## Chromium from Debian for the browser tests (Playwright drives /usr/bin/chromium)
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

## GNU gettext: the tests check that every interface string is in the catalogues
gettext:
	@command -v xgettext >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; fi; }

## Refresh the catalogues after changing interface strings (then translate the new English entries):
## django.po for Python and templates, djangojs.po for the browser modules (static/**/*.js).
## Left out: tests, node_modules and var/ (the static root); test_translations.py's IGNORED too.
MAKEMESSAGES := ENTENTE_DATA_DIR=$(CURDIR)/var DEBUG=1 ../../$(BIN)/entente makemessages \
  -l en -l fr --no-obsolete --ignore '*/tests/*' --ignore test_settings.py --ignore node_modules \
  --ignore var
messages: install gettext
	cd src/entente && $(MAKEMESSAGES)
	cd src/entente && $(MAKEMESSAGES) -d djangojs
	# French is the source language: every French entry is its own msgid (plurals included)
	for domain in django djangojs; do \
	  msgattrib --clear-fuzzy --clear-previous src/entente/locale/fr/LC_MESSAGES/$$domain.po \
	  | msgfilter --keep-header sed -e d \
	  | msgen --force-po -o src/entente/locale/fr/LC_MESSAGES/$$domain.po - || exit 1; \
	done
	cd src/entente && ENTENTE_DATA_DIR=$(CURDIR)/var DEBUG=1 ../../$(BIN)/entente compilemessages

## ClamAV's clamd from Debian: the antivirus tests start their own (test signature, no download)
clamav:
	@command -v clamd >/dev/null || test -x /usr/sbin/clamd || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon; fi; }

install-test: $(VENV)/.installed-test node_modules/.installed browser gettext clamav

## Install the test dependencies and run the whole suite (unit, views, browser + axe-core)
test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules .pytest_cache
