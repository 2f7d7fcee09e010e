# careaudit: two commands to know.
#   make run   set up, migrate, load the demo borough if the database is empty, serve
#   make test  set up with test extras and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Every core runs tests (pytest-xdist); the slowest are listed at the end.
PYTEST_ARGS ?= -n auto --durations=15

.PHONY: run test lint check-python clean bench-reports bench-allocation bench-pages

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "careaudit needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes; the stamp files remember what was installed.
$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-app

run: $(VENV)/.installed-app
	$(BIN)/careaudit db upgrade
	$(BIN)/careaudit demo --if-empty
	@echo ""
	@echo "careaudit is at http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(BIN)/careaudit run --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The report benchmark (docs/performance.md): a synthetic council written into a scratch
# database, then the report timed against the raw count. BENCH_DATABASE_URL is emptied.
BENCH_AUDITS ?= 100000
BENCH_DATABASE_URL ?= sqlite:////tmp/careaudit-bench-reports.sqlite3
bench-reports: $(VENV)/.installed-app
	$(BIN)/python bench/generate_audits.py --audits $(BENCH_AUDITS) --database-url $(BENCH_DATABASE_URL) --replace
	$(BIN)/python bench/report_bench.py --database-url $(BENCH_DATABASE_URL)

# The allocation benchmark (docs/performance.md, issue 12): the 150-team borough built in
# each database (emptied first), then one month allocated and checked against the golden
# draws. BENCH_ALLOCATION_LARGE is a borough with a pool above 70,000 cases (empty: none).
BENCH_ALLOCATION_DATABASES ?= sqlite:////tmp/careaudit-bench-borough.sqlite3 postgresql://postgres@127.0.0.1:5432/careaudit_bench_borough
BENCH_ALLOCATION_LARGE ?= postgresql://postgres@127.0.0.1:5432/careaudit_bench_borough_large
bench-allocation: $(VENV)/.installed-app
	for url in $(BENCH_ALLOCATION_DATABASES); do $(BIN)/python bench/generate_borough.py --replace --database-url $$url || exit 1; done
	$(if $(BENCH_ALLOCATION_LARGE),$(BIN)/python bench/generate_borough.py --replace --large-pool --database-url $(BENCH_ALLOCATION_LARGE))
	$(BIN)/python bench/allocation_bench.py $(foreach url,$(BENCH_ALLOCATION_DATABASES) $(BENCH_ALLOCATION_LARGE),--database-url $(url))

# The page benchmark (docs/performance.md, issue 12): the council generated at
# BENCH_PAGE_AUDITS in each of BENCH_PAGE_DATABASES (emptied first), then every main page's
# req/s against the reference Flask app (bench/reference_app.py), both under gunicorn side by
# side, and the mixed 80/20 load at BENCH_MIXED_RATE on the last database (PostgreSQL).
# BENCH_PAGE_GENERATE= (empty) reuses databases already generated.
BENCH_PAGE_AUDITS ?= 100000
BENCH_PAGE_DATABASES ?= sqlite:////tmp/careaudit-bench-100k.sqlite3 postgresql://postgres@127.0.0.1:5432/careaudit_bench100k
BENCH_PAGE_GENERATE ?= yes
BENCH_MIXED_RATE ?= 150
bench-pages: $(VENV)/.installed-app
	$(BIN)/python -m pip install --quiet -e '.[production]'
	$(if $(BENCH_PAGE_GENERATE),for url in $(BENCH_PAGE_DATABASES); do $(BIN)/python bench/generate_audits.py --audits $(BENCH_PAGE_AUDITS) --replace --database-url $$url || exit 1; done)
	status=0; \
	$(BIN)/python bench/page_bench.py $(foreach url,$(BENCH_PAGE_DATABASES),--database-url $(url)) || status=1; \
	$(BIN)/python bench/mixed_load.py --rate $(BENCH_MIXED_RATE) --database-url $(lastword $(BENCH_PAGE_DATABASES)) || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
