# Every target bootstraps .venv itself, so a fresh clone needs only Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test lint bench release doctor clean

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
test: $(STAMP)
	$(BIN)/python -m pytest

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check lessonkit tests
	$(BIN)/mypy

## release: regenerate the student exercise notebooks (solutions stripped)
release: $(STAMP)
	$(BIN)/lessonkit release

## doctor: check this machine is ready for a workshop
doctor: $(STAMP)
	$(BIN)/lessonkit doctor

## bench: performance benchmarks (not part of `make test`)
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
