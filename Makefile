# Thin targets over the course CLI (`python -m mlpapers`). `make help` lists them.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# nbgrader runs `alembic` as a program: the venv's bin/ must be on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
DEVICE ?= cpu
NB     ?=
P      ?=
SHARD  ?=
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup lab lab-instructor update test test-deps release solutions validate leaks check hand-out collect autograde grades feedback return-feedback bench-grading figures readme normalize

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv with the pinned course environment

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

lab: $(STAMP) ## fill notebooks/ from release/ (never overwrites your work) and start JupyterLab there
	$(PY) -m mlpapers lab $(LAB_ARGS)

lab-instructor: $(STAMP) ## JupyterLab in the course root with nbgrader's formgrader (manual grading)
	$(PY) -m mlpapers lab --instructor $(LAB_ARGS)

update: $(STAMP) ## copy notebooks new in release/ into notebooks/ without touching yours
	$(PY) -m mlpapers update

test: $(STAMP) test-deps ## the whole validation: package, notebooks, leaks, mutants, grading, browser, hub
	$(PY) -m pytest

test-deps: ## install what the browser, database and hub tests need, when missing (Debian, root or sudo)
	@tools/test-deps.sh

release: $(STAMP) ## regenerate release/ from solutions/ (nbgrader, canonical form)
	$(PY) -m mlpapers release

solutions: $(STAMP) ## run every solution notebook with papermill (DEVICE=cuda on a GPU)
	$(PY) -m mlpapers solutions --device $(DEVICE)

validate: $(STAMP) ## solutions pass, stubs fail, mutants caught, no answer leaks, release in sync
	$(PY) -m mlpapers validate

leaks: $(STAMP) ## only the leak check: nothing released with a problem can stand in for its answers
	$(PY) -m mlpapers leaks

check: $(STAMP) ## check one of your notebooks before handing in: make check NB=notebooks/...
	@test -n "$(NB)" || { echo "usage: make check NB=notebooks/<chapter>/<notebook>.ipynb"; exit 2; }
	$(PY) -m mlpapers check "$(NB)"

hand-out: $(STAMP) ## release problems to the nbgrader exchange: make hand-out P="175 176"
	@test -n "$(P)" || { echo "usage: make hand-out P=<problem id(s)>"; exit 2; }
	$(PY) -m mlpapers hand-out $(P)

collect: $(STAMP) ## collect problems' submissions from the exchange: make collect P=175
	@test -n "$(P)" || { echo "usage: make collect P=<problem id(s)>"; exit 2; }
	$(PY) -m mlpapers collect $(P)

autograde: $(STAMP) ## grade grading/submitted/ into the gradebook and grading/grades.csv (one shard: SHARD=K/N)
	$(PY) -m mlpapers autograde $(if $(SHARD),--shard $(SHARD))

grades: $(STAMP) ## rebuild grading/grades.csv and grading/autograded/ from the gradebook (after shards finish)
	$(PY) -m mlpapers grades

feedback: $(STAMP) ## write HTML feedback for graded submissions into grading/feedback/
	$(PY) -m mlpapers feedback

return-feedback: $(STAMP) ## give students their feedback pages through the exchange: make return-feedback P=175
	@test -n "$(P)" || { echo "usage: make return-feedback P=<problem id(s)>"; exit 2; }
	$(PY) -m mlpapers return-feedback $(P)

bench-grading: $(STAMP) ## time the grader against plain nbgrader, measure per-notebook overheads, project a 3000-student class
	$(PY) -m mlpapers bench-grading

figures: $(STAMP) ## regenerate the Background figures (solutions/<chapter>/figures/) from the course code
	$(PY) -m mlpapers figures

readme: $(STAMP) ## regenerate the README's course map from the catalog
	$(PY) -m mlpapers readme

normalize: $(STAMP) ## store solutions/ notebooks in canonical form (no outputs)
	$(PY) -m mlpapers normalize
