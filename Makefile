# The two set-up commands (README): `make demo` and `make test`. Both create or refresh .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test lint demo bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

venv: $(STAMP)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest

# The fuzz tests with a budget of 20,000 examples each (make test runs them with 100).
fuzz: venv
	DOCKETCAL_HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest -m fuzz

demo: venv
	$(VENV)/bin/docketcal demo

# Every benchmark, then bench/README.md's table (about an hour and a half on 2 cores; the
# PostgreSQL ones use DOCKETCAL_TEST_POSTGRES). BENCH_ARGS="--only firm.py" or "--quick".
bench: venv
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
