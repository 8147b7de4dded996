# Thin targets over the course CLI (`python -m mlpapers`). `make help` lists them.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# nbgrader runs `alembic` as a program: the venv's bin/ must be on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
DEVICE ?= cpu
NB     ?=
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup lab update test release solutions validate check autograde feedback bench-grading readme normalize

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv with the pinned course environment

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

lab: $(STAMP) ## fill notebooks/ from release/ (never overwrites your work) and start JupyterLab there
	$(PY) -m mlpapers lab $(LAB_ARGS)

update: $(STAMP) ## copy notebooks new in release/ into notebooks/ without touching yours
	$(PY) -m mlpapers update

test: $(STAMP) ## the whole validation: package, notebooks, release sync, mutants, grading
	$(PY) -m pytest

release: $(STAMP) ## regenerate release/ from solutions/ (nbgrader, canonical form)
	$(PY) -m mlpapers release

solutions: $(STAMP) ## run every solution notebook with papermill (DEVICE=cuda on a GPU)
	$(PY) -m mlpapers solutions --device $(DEVICE)

validate: $(STAMP) ## solutions pass, stubs fail, mutants caught, release in sync
	$(PY) -m mlpapers validate

check: $(STAMP) ## check one of your notebooks before handing in: make check NB=notebooks/...
	@test -n "$(NB)" || { echo "usage: make check NB=notebooks/<chapter>/<notebook>.ipynb"; exit 2; }
	$(PY) -m mlpapers check "$(NB)"

autograde: $(STAMP) ## grade grading/submitted/ into the gradebook and grading/grades.csv
	$(PY) -m mlpapers autograde

feedback: $(STAMP) ## write HTML feedback for graded submissions into grading/feedback/
	$(PY) -m mlpapers feedback

bench-grading: $(STAMP) ## time the course grader against plain sequential nbgrader on a synthetic class
	$(PY) -m mlpapers bench-grading

readme: $(STAMP) ## regenerate the README's course map from the catalog
	$(PY) -m mlpapers readme

normalize: $(STAMP) ## store solutions/ notebooks in canonical form (no outputs)
	$(PY) -m mlpapers normalize
