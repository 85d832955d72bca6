# Quartiersatlas – `make run` startet die App, `make test` prüft alles (auch in CI), `make lint` den Stil.
PYTHON ?= python3
PORT ?= 8501
VENV := .venv
PY := $(VENV)/bin/python
VENDOR := static/vendor
CHROMIUM := /usr/bin/chromium
# PostGIS for the tests of the database store (tests/support/pg.py starts a throwaway server).
POSTGIS := /usr/share/postgresql/15/extension/postgis.control
DEMO := geodata/musterstadt.gpkg
# Root needs no sudo (CI, fresh machines); everyone else does.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: setup setup-prod run browser-deps postgis-deps proxy-deps test test-fast lint demo bench

setup: $(VENV)/.installed-test $(VENDOR)/.installed $(VENDOR)/.installed-test

# A production install: the runtime lock only, no test tools.
setup-prod: $(VENV)/.installed $(VENDOR)/.installed

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install --disable-pip-version-check -r requirements-test.txt
	touch $@

# Leaflet & Co. from the npm registry; the marker is written by `dashboard assets` itself.
$(VENDOR)/.installed: dashboard/maps/assets.py $(VENV)/.installed
	$(PY) -m dashboard assets --dest $(VENDOR)
	touch $@

# axe-core for the browser tests' accessibility checks; never part of a production install.
$(VENDOR)/.installed-test: dashboard/maps/assets.py $(VENV)/.installed
	$(PY) -m dashboard assets --dest $(VENDOR) --test
	touch $@

run: setup $(DEMO)
	$(PY) -m streamlit run dashboard/web/server.py --server.port $(PORT) --server.fileWatcherType auto --server.runOnSave true

browser-deps: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

postgis-deps: $(POSTGIS)

$(POSTGIS):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15-postgis-3

# nginx for the test of the reference setup in deploy/ (two instances behind the proxy).
NGINX := /usr/sbin/nginx

proxy-deps: $(NGINX)

$(NGINX):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light

# Extra pytest options: make test PYTEST_ARGS='-k assets -n 0'
test: setup browser-deps postgis-deps proxy-deps $(DEMO)
	$(PY) -m pytest $(PYTEST_ARGS)

# The core while you work (under a minute on 2 cores): no browser, no PostGIS, no real data, nothing slow.
# Work stealing spreads its many small files better than the full suite's one-file-per-worker.
FAST := not browser and not postgis and not real_data and not slow
test-fast: setup $(DEMO)
	$(PY) -m pytest tests/unit tests/store tests/cli -m "$(FAST)" --dist worksteal $(PYTEST_ARGS)

# House style: ruff (lint and format) on everything, mypy on dashboard/.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The demo city is generated when missing (fresh clone); `make demo` regenerates it.
$(DEMO): | setup
	$(PY) -m dashboard demo --out $@

demo: setup
	rm -f $(DEMO)
	$(MAKE) $(DEMO)

bench: setup
	$(PY) tests/benchmarks/bench_karte.py
	$(PY) tests/benchmarks/bench_gaps.py
	$(PY) tests/benchmarks/bench_siting.py
	$(PY) tests/benchmarks/bench_walknet.py
	$(PY) tests/benchmarks/bench_network.py
	$(PY) tests/benchmarks/bench_reports.py
	$(PY) tests/benchmarks/bench_import.py
	$(PY) tests/benchmarks/bench_stores.py
	$(PY) tests/benchmarks/bench_load.py
	$(PY) tests/benchmarks/bench_shared_link.py
	$(PY) tests/benchmarks/bench_capacity.py
