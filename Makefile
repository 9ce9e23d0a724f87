# The two commands of the README: `make book` and `make test`. Each sets up .venv on first use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# requirements-gpu.txt on a machine with NVIDIA GPUs: `make venv REQUIREMENTS=requirements-gpu.txt`
REQUIREMENTS ?= requirements.txt

.PHONY: book test venv notebooks data-demo data-small bench clean

$(STAMP): $(REQUIREMENTS) pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(REQUIREMENTS)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

venv: $(STAMP)

## make book: demo data, benchmarks in quick mode (read by the performance page, measured alone;
## `make bench` runs them at full size), every notebook under the demo profile two at a time
## (one TensorFlow thread each), the HTML book. A3, the longest, sends its nine fits to a local
## Ray on 127.0.0.1 with every CPU, so that all cores train them once the other notebooks are done.
book: $(STAMP)
	$(BIN)/dfbook data demo --size demo
	$(BIN)/dfbook bench --quick
	$(BIN)/dfbook run --profile demo --jobs 2 --on-ray A3_training
	$(BIN)/dfbook build
	@echo "Book: $(CURDIR)/book/_build/html/index.html"

## make test: smoke data, then scripts/test.sh: the library tests beside the smoke run, nbval
## of every notebook (two processes) with the book build and browser tests, determinism.
test: $(STAMP)
	-bash scripts/ensure-chromium.sh
	$(BIN)/dfbook data demo --size small
	BIN=$(BIN) bash scripts/test.sh

## make notebooks: paired .ipynb files beside notebooks/*.py for readers who want Jupyter.
notebooks: $(STAMP)
	$(BIN)/jupytext --sync notebooks/*.py

bench: $(STAMP)
	$(BIN)/dfbook bench

clean:
	rm -rf book/_build book/notebooks book/results book/runs artifacts
