# Every target bootstraps .venv itself, so a fresh clone needs only Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test lint bench release doctor browser-deps test-matrix soak clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lessonkit)" >/dev/null
	@touch $(STAMP)

## lab: open the lessons in JupyterLab
lab: $(STAMP)
	$(BIN)/lessonkit lab

## test: run every test (fake API fidelity, exercises, notebooks through nbval)
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest

## test-matrix: the tests against the lowest (2.10.0) and newest anthropic 2.x, each in .venv-matrix/
test-matrix:
	scripts/test-matrix.sh

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check lessonkit tests bench
	$(BIN)/mypy

## release: regenerate the student exercise notebooks (solutions stripped)
release: $(STAMP)
	$(BIN)/lessonkit release

## doctor: check this machine is ready for a workshop
doctor: $(STAMP)
	$(BIN)/lessonkit doctor

## bench: performance benchmarks (not part of `make test`; writes bench/results.json)
bench: $(STAMP)
	$(BIN)/python -m bench

## soak: run the whole suite N times and list every test that failed (default N=20)
soak: $(STAMP)
	$(BIN)/python -m bench.soak --n $(or $(N),20)

# The browser test drives Debian's Chromium through Playwright (never a downloaded
# browser). Installed when we can (root with apt-get, as in CI); elsewhere the
# test skips and says why.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the browser test will be skipped"; fi; }

clean:
	rm -rf $(VENV) build *.egg-info
