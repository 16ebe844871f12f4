# cthub: every target sets up what it needs first.
#   make serve   web UI + API on http://127.0.0.1:8000 (SQLite, demo data, fresh admin password)
#   make test    the whole suite (installs chromium and CJK fonts, starts PostgreSQL and Redis)
#   make check   ruff + mypy --strict + tests
#   make bench   benchmark scripts under bench/

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: bytecode serve test check lint types bench system-deps services i18n clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[dev]'
	@touch $(STAMP)

# Byte-compile cthub's own modules: where PYTHONDONTWRITEBYTECODE is set (as on the CI
# machines) every process otherwise recompiles them, ~1.3 s per `cthub` start in the CLI tests.
bytecode: $(STAMP)
	@env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m compileall -q -j 0 src

serve: $(STAMP) bytecode
	$(BIN)/cthub serve --demo

system-deps:
	@bash scripts/system-deps.sh

services:
	@bash scripts/services.sh

test: $(STAMP) bytecode system-deps services
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(STAMP)
	$(BIN)/mypy src

check: lint types test

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

i18n: $(STAMP)
	$(BIN)/python -m cthub.core.i18n.extract

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .mypy_cache .ruff_cache
