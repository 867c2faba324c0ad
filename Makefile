# Recurrent Neural Networks, Step by Step — build, test and work on the book.
#
#   make book    set up .venv and the JS assets, build the site strictly, print its path
#   make test    everything CI checks: lint, unit tests, notebooks (nbval), strict build, site tests
#   make test-fast   the inner loop: lint, unit tests and notebooks (nbval), no build, no browser
#   make lint    ruff over the whole tree (rules in pyproject.toml)
#   make lab     JupyterLab on chapters/ with rnnlib importable
#   make pdf     the book as one PDF (_build/pdf/book.pdf), printed by Chromium from the site
#   make bench   run benchmarks/run_all.py (if present)
#   make clean   remove build outputs (keeps .venv); `make distclean` removes .venv too
#
# Variables: PYTHON (interpreter that creates the venv), VENV (its path), JOBS (parallel workers
# for the notebooks and the tests; default: the number of CPUs).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
# The oldest Python the book runs on: numpy 2.4.6 (requirements.txt) needs 3.11.
PY_MIN := 3.11
# Tools from the venv come first, so Jupyter kernels and jupyter-book are the venv's.
export PATH := $(abspath $(BIN)):$(PATH)
# No prompts from apt. (Do not set MPLBACKEND here: the kernels' inline backend draws the figures.)
export DEBIAN_FRONTEND := noninteractive
# One BLAS thread when executing notebooks and tests: on a 2-core machine threads only fight
# each other, and a threaded reduction can change the last bits of a result between runs,
# which is exactly what nbval must not see. (The benchmarks set their own thread counts.)
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

STAMP        := $(VENV)/.rnnbook-installed
VENDOR_STAMP := _vendor/VERSIONS.txt
HTML_INDEX   := _build/html/index.html
NOTEBOOKS    := $(wildcard chapters/*.ipynb assignments/*/key.ipynb)
NBVAL_FLAGS  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# The strict build. tools/execute_book.py first runs the notebooks whose code changed, JOBS at a
# time, into the cache the build reads (_build/.jupyter_cache), and checks each chapter's
# compute budget; the build then executes nothing itself.
EXECUTE_CMD  := $(BIN)/python tools/execute_book.py --jobs $(JOBS)
BUILD_CMD    := $(EXECUTE_CMD) && $(BIN)/jupyter-book build . --all -W -n --keep-going
# Unit tests and notebooks spread over JOBS processes; a notebook's cells stay in one process,
# and the most expensive file left goes to the next free worker (tests/scheduling.py), by the
# times of the last full run, which these targets record (RNNBOOK_RECORD_TIMES).
PYTEST_JOBS  := $(if $(filter-out 0 1,$(JOBS)),-n $(JOBS) --dist loadfile)
export RNNBOOK_RECORD_TIMES := 1
# The site checks mostly wait (on Chromium, JupyterLab, pip), so they run SITE_JOBS at a time
# even on 2 CPUs: a file's tests stay in one worker (they share a browser context or a
# server), as do the files that share each page's visit (tests/conftest.py).
SITE_JOBS    ?= 3
SITE_PYTEST  := $(if $(filter-out 0 1,$(SITE_JOBS)),-n $(SITE_JOBS) --dist loadfile)
# Notebooks from the repository are trusted (`jupyter trust`), so JupyterLab shows their
# stored steppers working before the first run instead of stripping their scripts and styles.
TRUSTED      := $(wildcard chapters/*.ipynb assignments/*.ipynb assignments/*/*.ipynb)
PDF          := _build/pdf/book.pdf

.PHONY: book build execute test test-fast lint setup vendor chromium bubblewrap lab bench clean distclean screenshots pdf

# ---------------------------------------------------------------- setup

setup: $(STAMP) bubblewrap
	$(if $(TRUSTED),@$(BIN)/jupyter trust $(TRUSTED) >/dev/null)

# Reinstall only when the requirements or the package metadata change. An interpreter older
# than PY_MIN stops here with one line (pip would only say "No matching distribution").
PY_CHECK = import sys; v = sys.version_info; sys.exit(0 if v >= ($(subst .,$(comma),$(PY_MIN)),) else \
  f"ERROR: the book needs Python $(PY_MIN) or newer (numpy 2.4.6 does); {sys.executable} is \
  {v.major}.{v.minor}.{v.micro}. Use e.g. make setup PYTHON=python3.11")
comma := ,
$(STAMP): requirements.txt pyproject.toml
	@if test -x $(BIN)/python; then $(BIN)/python -c '$(PY_CHECK)'; \
	else $(PYTHON) -c '$(PY_CHECK)' && echo "Creating virtual environment $(VENV)" && $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# JavaScript assets (MathJax, mermaid, require.js, the widget manager), pinned by
# tools/vendor/package-lock.json, copied into the git-ignored _vendor/ folder.
vendor: $(VENDOR_STAMP)

$(VENDOR_STAMP): tools/vendor/package.json tools/vendor/package-lock.json tools/vendor/copy_assets.sh tools/vendor/widgets-assets-path.js
	@command -v npm >/dev/null 2>&1 || { \
	  echo "ERROR: npm was not found. The book serves MathJax, mermaid and the widget" >&2; \
	  echo "       manager itself and fetches them from the npm registry." >&2; \
	  echo "       Install Node.js and npm (Debian: apt-get install -y npm), then re-run." >&2; \
	  exit 1; }
	cd tools/vendor && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	tools/vendor/copy_assets.sh

# ---------------------------------------------------------------- the book

book: setup vendor build
	@echo "The book is at: $(abspath $(HTML_INDEX))"

# Strict build: every warning is an error; --keep-going reports all of them before failing.
# --all re-reads every page (Sphinx does not repeat the warnings of pages it skips), while
# executed notebooks still come from the cache in _build/.jupyter_cache.
build:
	$(BUILD_CMD)

# Only run the notebooks into the cache (what `build` does first), with the budget report.
execute:
	$(EXECUTE_CMD)

# Debian's chromium for the browser test; only attempted as root with apt-get available.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing chromium for the browser test (apt-get)"; \
	  { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	    || echo "WARNING: could not install chromium; the browser test will be skipped"; \
	else echo "NOTE: chromium not installed and not root with apt-get; the browser test will be skipped"; fi

# Debian's bubblewrap: rnn-grade runs each student's notebook in a bwrap sandbox (and refuses
# to grade without one unless told --unsafe-no-sandbox); installed like chromium, as root.
bubblewrap:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing bubblewrap for rnn-grade's sandbox (apt-get)"; \
	  { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; } \
	    || echo "WARNING: could not install bubblewrap; rnn-grade will refuse to grade"; \
	else echo "NOTE: bubblewrap not installed and not root with apt-get; rnn-grade will refuse to grade"; fi

# ---------------------------------------------------------------- tests

# ruff, pinned in requirements.txt; its rules are in pyproject.toml ([tool.ruff]).
lint: setup
	$(BIN)/ruff check --output-format concise .

# Runs every step even when one fails, then exits non-zero if any failed.
FAST_STEPS = \
	echo "==> [1/5] lint (ruff)"; \
	$(BIN)/ruff check --output-format concise . || failed="$$failed lint"; \
	echo "==> [2/5] unit tests + [3/5] notebooks (nbval), $(JOBS) workers"; \
	$(BIN)/pytest tests/ $(NOTEBOOKS) -m "not browser and not site and not lab" $(NBVAL_FLAGS) $(PYTEST_JOBS) \
	  || failed="$$failed unit-tests/notebooks";
REPORT_FAILED = if [ -n "$$failed" ]; then echo "make $@: FAILED steps:$$failed" >&2; exit 1; fi

# The inner loop (about 4 minutes on 2 cores): everything but the build and the site.
test-fast: setup
	@failed=""; $(FAST_STEPS) $(REPORT_FAILED)

test: setup vendor chromium
	@failed=""; $(FAST_STEPS) \
	echo "==> [4/5] strict book build"; \
	( $(BUILD_CMD) ) || failed="$$failed book-build"; \
	echo "==> [5/5] the built site (links, browser, accessibility, search, PDF) and JupyterLab"; \
	$(BIN)/pytest tests/ -m "browser or site or lab" $(SITE_PYTEST) || failed="$$failed site/browser/lab-tests"; \
	$(REPORT_FAILED)

# The book as one PDF: Chromium prints each page of the built site, pypdf joins them.
pdf: setup vendor
	@test -f $(HTML_INDEX) || { $(BUILD_CMD); }
	$(BIN)/python tools/make_pdf.py --out $(PDF)

# One PNG per page in _build/screenshots/, to look at what a reader sees.
screenshots:
	$(BIN)/python tools/screenshot_pages.py

# ---------------------------------------------------------------- working on the book

# Jupyter refuses to start as root without --allow-root (e.g. in a container).
lab: setup
	$(BIN)/jupyter lab --notebook-dir=chapters $(if $(filter 0,$(shell id -u)),--allow-root)

bench: setup
	@if [ -f benchmarks/run_all.py ]; then $(BIN)/python benchmarks/run_all.py; \
	else echo "benchmarks/run_all.py does not exist yet"; fi

clean:
	rm -rf _build _vendor .pytest_cache .hypothesis

distclean: clean
	rm -rf $(VENV) tools/vendor/node_modules *.egg-info
