# Quartiersatlas – `make run` startet die App, `make test` prüft alles (auch in CI).
PYTHON ?= python3
PORT ?= 8501
VENV := .venv
PY := $(VENV)/bin/python
VENDOR := static/vendor
CHROMIUM := /usr/bin/chromium
# PostGIS for the tests of the database store (tests/pg.py starts a throwaway server).
POSTGIS := /usr/share/postgresql/15/extension/postgis.control
DEMO := geodata/musterstadt.gpkg
# Root needs no sudo (CI, fresh machines); everyone else does.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: setup run browser-deps postgis-deps test demo bench

setup: $(VENV)/.installed $(VENDOR)/.installed

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamp: reinstall only when requirements.txt changes.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -r requirements.txt
	touch $@

# Leaflet & Co. from the npm registry; the marker is written by `dashboard assets` itself.
$(VENDOR)/.installed: dashboard/maps/assets.py $(VENV)/.installed
	$(PY) -m dashboard assets --dest $(VENDOR)
	touch $@

run: setup $(DEMO)
	$(PY) -m streamlit run app.py --server.port $(PORT)

browser-deps: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

postgis-deps: $(POSTGIS)

$(POSTGIS):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15-postgis-3

# Extra pytest options: make test PYTEST_ARGS='-k assets -n 0'
test: setup browser-deps postgis-deps $(DEMO)
	$(PY) -m pytest $(PYTEST_ARGS)

# The demo city is generated when missing (fresh clone); `make demo` regenerates it.
$(DEMO): | setup
	$(PY) -m dashboard demo --out $@

demo: setup
	rm -f $(DEMO)
	$(MAKE) $(DEMO)

bench: setup
	$(PY) tests/benchmarks/bench_karte.py
	$(PY) tests/benchmarks/bench_gaps.py
	$(PY) tests/benchmarks/bench_walknet.py
	$(PY) tests/benchmarks/bench_network.py
	$(PY) tests/benchmarks/bench_reports.py
	$(PY) tests/benchmarks/bench_import.py
	$(PY) tests/benchmarks/bench_stores.py
	$(PY) tests/benchmarks/bench_load.py
