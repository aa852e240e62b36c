# Two commands do all the set-up: `make report` and `make test` (README).
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SCENARIO ?= scenarios/qiannan_2011.yaml
OUT    ?= outputs

.PHONY: report report-all test test-all quick bench app lab clean

$(STAMP): pyproject.toml
	@bash scripts/system-deps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@touch $@

# The default scenario: its projection files, then every report notebook.
report: $(STAMP)
	$(PY) -m model run $(SCENARIO) --out $(OUT)/$(basename $(notdir $(SCENARIO)))/projection
	$(PY) -m model report $(SCENARIO) --out $(OUT)

# Every scenario in scenarios/ through every notebook (progress bar).
report-all: $(STAMP)
	$(PY) -m model report --batch --out $(OUT)

# The whole suite (what CI runs).
test: $(STAMP)
	$(PY) -m pytest

test-all: test

# The edit-test loop (under a minute): everything but tests marked slow (papermill
# notebooks, calibration fits, Dask clusters, headless Chromium).
quick: $(STAMP)
	$(PY) -m pytest -m "not slow"

bench: $(STAMP)
	$(PY) benchmarks/run.py

# The member calculator (算账) as a local web page: http://127.0.0.1:8765/ (Ctrl-C stops).
app: $(STAMP)
	$(PY) -m model serve

# JupyterLab in its own venv: in the test/report venv it would slow every papermill start.
lab:
	@test -x .venv-lab/bin/python || $(PYTHON) -m venv .venv-lab || python3 -m venv .venv-lab
	.venv-lab/bin/python -m pip install -q --upgrade pip
	.venv-lab/bin/python -m pip install -q -e ".[dev,lab]"
	.venv-lab/bin/jupyter lab notebooks/

clean:
	rm -rf $(VENV) .venv-lab outputs/*/ .pytest_cache
