# Two commands on a fresh machine: `make demo` and `make test`. Each sets up its own venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv clean templates figures bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

templates: $(STAMP)
	$(BIN)/python scripts/build_templates.py
	$(BIN)/python scripts/build_word_templates.py
	$(BIN)/python scripts/build_vba.py

figures: $(STAMP)
	$(BIN)/python scripts/make_figures.py
	$(BIN)/python scripts/make_report_figure.py

bench: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) out build *.egg-info
