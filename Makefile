# Every target bootstraps .venv itself, so a fresh clone needs only Python 3.11+.
# Installs come from the locks (locks/*.txt, written by `make lock`): the exact
# versions the notebooks were executed and the tests passed with. uv installs them
# (an order of magnitude faster than pip); pip only installs uv itself. Bytecode is
# compiled at install: with PYTHONDONTWRITEBYTECODE set (as on CI machines) every
# kernel, test worker and `lessonkit serve` would otherwise recompile the SDK (~2.5 s CPU).
PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
UV_VERSION := 0.13.9
PIP_VERSION := 26.3
UV         := $(BIN)/uv
UV_PIP     := $(UV) pip install --quiet --compile-bytecode --excludes locks/excludes.txt --python $(BIN)/python
LAB_STAMP  := $(VENV)/.lab-installed
TEST_STAMP := $(VENV)/.test-installed
# Test workers (pytest-xdist): twice the cores, at most 8. Many tests spend their time
# waiting on a kernel, a server or the browser; a second worker per core runs
# meanwhile, and on a machine busy with other work the suite keeps its share of it.
JOBS       ?= $(shell $(PYTHON) -c 'import os; print(min(8, 2 * (os.cpu_count() or 1)))' 2>/dev/null)

# Fail early, before creating anything, on a Python that is too old; rebuild a .venv
# that another interpreter made (or whose interpreter is gone). Done while make reads
# this file, so every target below sees the result.
PY_VERSION   := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV_VERSION := $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifneq ($(shell $(PYTHON) -c 'import sys; print(sys.version_info >= (3, 11))' 2>/dev/null),True)
$(error lessonkit needs Python 3.11 or newer; $(PYTHON) is $(or $(PY_VERSION),not found). Name a newer one, e.g. `make lab PYTHON=python3.12`)
endif
ifneq ($(wildcard $(VENV)),)
ifneq ($(VENV_VERSION),$(PY_VERSION))
$(info .venv was made by Python $(or $(VENV_VERSION),(gone)), not $(PYTHON) ($(PY_VERSION)): rebuilding it)
$(shell rm -rf $(VENV))
endif
endif

.PHONY: lab test test-hub test-latest lint mutants bench release doctor browser-deps soak lock clean peer-notebooks

# uv goes into .venv through the base Python's pip where it has one (pip >= 22.3 installs
# into another environment): making .venv without a pip of its own saves ~8 s. Else
# .venv bootstraps its own pip (ensurepip). Learners get pip (for `%pip`) from uv.
$(UV):
	@test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	@$(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check uv==$(UV_VERSION) 2>/dev/null \
	  || { $(BIN)/python -m ensurepip --default-pip >/dev/null \
	       && $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); }

# Learners: runtime dependencies only, plus the course's kernel.
$(LAB_STAMP): locks/runtime.txt pyproject.toml | $(UV)
	$(UV_PIP) -r locks/runtime.txt pip==$(PIP_VERSION)
	$(UV_PIP) --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lessonkit)" >/dev/null
	@touch $@

# Tests: the runtime set plus the test tools, all from the test lock.
$(TEST_STAMP): locks/test.txt $(LAB_STAMP)
	$(UV_PIP) -r locks/test.txt
	@touch $@

## lab: open the lessons in JupyterLab
lab: $(LAB_STAMP)
	$(BIN)/lessonkit lab

## test: run every test (fake API fidelity, exercises, notebooks through nbval, the hub), with coverage
# One pytest over tests/, notebooks/ and exercises/: each notebook's nbval cells and
# the JupyterHub tests each stay on one worker (see conftest.py), the longest
# work first. Coverage traces the test processes only, never a notebook's kernel.
test: $(TEST_STAMP) browser-deps
	$(BIN)/python -m pytest -n $(JOBS) --dist load --no-loadscope-reorder --cov

## test-hub: the course on a real JupyterHub on 127.0.0.1 (configurable-http-proxy from npm)
test-hub: $(TEST_STAMP) browser-deps
	$(BIN)/python -m pytest tests/hub -m hub -p no:xdist

## test-latest: the suite on the newest allowed versions (own venv); reports what changed
test-latest:
	$(PYTHON) scripts/test_latest.py

## lint: ruff (rules and formatting) and mypy
lint: $(TEST_STAMP)
	$(BIN)/ruff check lessonkit tests bench scripts deploy peer-notebooks conftest.py
	$(BIN)/ruff format --check lessonkit tests bench scripts deploy peer-notebooks conftest.py
	$(BIN)/mypy

## mutants: mutate every exercise's model solution; each mutant must be rejected (EX=ex03: one)
mutants: $(TEST_STAMP)
	$(BIN)/python scripts/mutants.py $(EX)

## lock: re-resolve locks/*.txt and environment.yml from pyproject.toml (needs the network)
lock: $(UV)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python scripts/lock.py

## release: regenerate the student exercise notebooks (solutions stripped)
release: $(LAB_STAMP)
	$(BIN)/lessonkit release

## doctor: check this machine is ready for a workshop
doctor: $(LAB_STAMP)
	$(BIN)/lessonkit doctor

## bench: performance benchmarks as ratios to floors measured in the same run
bench: $(TEST_STAMP)
	$(BIN)/python -m bench

## soak: the repeat-run checks (fresh processes, every notebook twice), the property tests
## with 300 random cases each, then the whole suite N times, listing every test that failed
## (default N=20)
soak: $(TEST_STAMP)
	$(BIN)/python -m pytest -m soak -n $(JOBS) --dist loadscope --no-cov
	$(BIN)/python -m pytest -m property --hypothesis-profile=soak -n $(JOBS) --no-cov -p no:nbval tests
	$(BIN)/python -m bench.soak --n $(or $(N),20)

## peer-notebooks: run the public cookbook notebooks in peer-notebooks/corpus on the offline
## kernel, one at a time, and classify each failing cell (not part of `make test`; ~10 min)
peer-notebooks: $(TEST_STAMP)
	$(BIN)/python peer-notebooks/run.py
	$(BIN)/python peer-notebooks/run.py --port

# The browser test drives Debian's Chromium through Playwright (never a downloaded
# browser). Installed when we can (root with apt-get, as in CI); elsewhere the
# test skips and says why.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || echo "chromium could not be installed: the browser test will be skipped"; \
	  else echo "chromium is not installed: the browser test will be skipped"; fi; }

clean:
	rm -rf $(VENV) .venv-latest build *.egg-info
