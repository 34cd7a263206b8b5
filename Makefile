# Two commands matter: `make demo` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo needs only the runtime dependencies; the test tools come with the first `make test`.
RUNTIME := $(VENV)/.runtime
# A third-party NetSuite client in a virtual environment of its own, to check the emulator against it.
THIRD_PARTY := .venv-thirdparty/.installed

.PHONY: demo test test-deep lint typecheck pytest screenshots bench bench-scaled bench-backfill bench-attachments clean

$(RUNTIME): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(THIRD_PARTY):
	$(PYTHON) -m venv .venv-thirdparty
	.venv-thirdparty/bin/python -m pip install --quiet netsuite==0.12.0
	@touch $(THIRD_PARTY)

demo: $(RUNTIME)
	$(BIN)/tms-netsuite demo

test: lint typecheck pytest

# Longer crash-safety runs: more seeds, more kills, three exporters per ledger kind killed ten times each
# under 20 % faults (not part of CI's 10-minute budget).
test-deep: $(STAMP)
	TMS_NETSUITE_DEEP=1 $(BIN)/pytest -s tests/cli/test_export_cli.py tests/cli/test_concurrent_exports.py \
		tests/cli/test_attachment_crashes.py tests/export tests/readback/test_cursor.py tests/workers

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(THIRD_PARTY)
	$(BIN)/pytest

# The console's screenshots in docs/screenshots/ (the README shows them), taken by its browser tests.
screenshots: $(STAMP)
	TMS_NETSUITE_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/console/test_browser.py

# Speed is measured here, not in timed tests; figures go to BENCHMARKS.md.
# Each benchmark runs as a process of its own; the last line is one JSON object with all their figures.
bench: $(STAMP)
	$(BIN)/python -m bench.all

# Worker processes on PostgreSQL: 8 emulated accounts, 1 then 3 workers, a SIGKILL; the last line is JSON.
bench-scaled: $(STAMP)
	$(BIN)/python -m bench.scaled_speed

# 2,000 records through asynchronous batch requests beside live documents; the last line is JSON.
bench-backfill: $(STAMP)
	$(BIN)/python -m bench.backfill_speed

# Files on their own: a month's PODs, BOLs and rate confirmations at C = 5, L = 25 ms; the last line is JSON.
bench-attachments: $(STAMP)
	$(BIN)/python -m bench.attachment_speed

clean:
	rm -rf $(VENV) .venv-thirdparty .mypy_cache .pytest_cache .ruff_cache
