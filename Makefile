# The front door: `make run` serves the intranet with demo data, `make test` runs every test.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := intranet

.PHONY: run test flaky lint format translations messages system-test-packages system-load-packages bench benchmark profile load clean

$(VENV)/.run-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.run-installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## Compile the translations the application reads.
translations: $(VENV)/.run-installed
	$(BIN)/python scripts/translations.py compile

## Extract new strings into the Swedish catalogue, to translate them.
messages: $(VENV)/.run-installed
	$(BIN)/python scripts/translations.py update

## Serve on http://127.0.0.1:5000 with the demo data (loaded once, into an empty database);
## another port with PORT, from the environment or the command line: `make run PORT=8080`.
run: PORT ?= 5000
run: $(VENV)/.run-installed translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	@echo "Serving on http://127.0.0.1:$(PORT) (stop with Ctrl-C)"
	$(BIN)/flask run --host 127.0.0.1 --port "$(PORT)"

## Debian's chromium (browser tests) and postgresql (the PostgreSQL runs), when missing.
system-test-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need these Debian packages; install them as root:$$missing"; exit 1; \
	  fi; \
	fi

lint: $(VENV)/.test-installed
	$(BIN)/ruff check intranet tests scripts migrations benchmarks wsgi.py
	$(BIN)/ruff format --check intranet tests scripts migrations benchmarks wsgi.py

format: $(VENV)/.test-installed
	$(BIN)/ruff format intranet tests scripts migrations benchmarks wsgi.py
	$(BIN)/ruff check --fix intranet tests scripts migrations benchmarks wsgi.py

# Tests run in two processes (pytest-xdist); one that runs out of tests takes some of the
# other's (worksteal), so a long file at the end does not leave a process idle. Both have a
# PostgreSQL server and a browser of their own.
PYTEST_PARALLEL ?= --numprocesses=auto --maxprocesses=2 --dist=worksteal

## Every test, on SQLite and on a throwaway PostgreSQL, browser tests in headless Chromium.
test: $(VENV)/.test-installed translations system-test-packages lint
	$(BIN)/pytest $(PYTEST_PARALLEL) --durations=15

## The browser tests and the tests that start servers, FLAKY_RUNS times (5) with every core
## kept busy by a CPU hog: prints each test that failed at least once.
FLAKY_RUNS ?= 5
flaky: $(VENV)/.test-installed translations system-test-packages
	$(BIN)/python scripts/flaky.py --runs $(FLAKY_RUNS)

## Benchmarks (not tests): every page at scale 1 and 100 (databases kept in instance/bench/),
## the best plan for 500 × 2,000, the rent statistics for 3 years × 500 residents, a bank
## file of 10,000 payments previewed and imported, the rent ledger's migrations on the
## scale-100 demo (time, memory, verify); and 300 random sequences of the rent ledger's
## writes checked against its rule and its pages (the test suite runs 12).
bench: $(VENV)/.test-installed translations
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/best_plan.py
	$(BIN)/python benchmarks/rent_stats.py
	$(BIN)/python benchmarks/bank_import.py
	$(BIN)/python benchmarks/ledger_migration.py
	LEDGER_EXAMPLES=300 $(BIN)/pytest -q tests/test_ledger_sequences.py

benchmark: bench

## Where one page's time goes, at the benchmark's scale 100 (or SCALE=1): the functions that
## take the most time and every SQL statement with its time. PAGE is a name from the bench's
## table or an address, e.g. make profile PAGE="start (manager)".
profile: $(VENV)/.test-installed translations
	cd benchmarks && PAGE="$(PAGE)" SCALE="$(SCALE)" ../$(BIN)/python page_profile.py

## Load (not a test): gunicorn with 2 workers, locust with 50 users for 60 s at scale 100 on
## SQLite and on PostgreSQL, a worker killed and the database stopped on the way; then every
## answered write is checked in the database. Then the same on PostgreSQL with two gunicorn
## servers behind nginx (benchmarks/load_servers.py).
load: $(VENV)/.test-installed translations system-test-packages system-load-packages
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/load_servers.py

## nginx for the load run with two servers behind it (Debian's package, as root).
system-load-packages:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: nginx"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else \
	    echo "The load run needs Debian's nginx; install it as root"; exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
