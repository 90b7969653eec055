# Newshound: `make run` ingests (local Elasticsearch unless ELASTICSEARCH_URL is set; DEMO=1 or no
# internet -> the local news web), `make test` runs lint, types and every test on real services.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
CODE := pipeline newshound_dev dags tests bench scripts/*.py

.PHONY: run test bench install lint typecheck lock elasticsearch stop-elasticsearch corenlp stop-corenlp format clean

# The NER server (Stanford CoreNLP, GPL v3, a separate program): started unless the settings name
# another one; when it cannot start, ingestion runs on the knowledge base and rules, and says so.
define start-corenlp
	@if [ -z "$$NEWSHOUND_ENTITIES__CORENLP__URL" ]; then scripts/corenlp start || \
		echo "CoreNLP did not start: entities from the knowledge base and rules only (see above)"; fi
endef

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@# Bytecode written now, not at the first run: uv does not compile, and where
	@# PYTHONDONTWRITEBYTECODE is set every start would compile all imports again (5x slower).
	$(BIN)/python -m compileall -q pipeline newshound_dev dags
	touch $@

install: $(VENV)/.installed

run: install
	@scripts/install-system-deps run
	@if [ -z "$$ELASTICSEARCH_URL" ]; then scripts/elasticsearch start; fi
	$(start-corenlp)
	$(BIN)/newshound ingest $(if $(DEMO),--demo,--auto-demo)

test: install
	@scripts/install-system-deps test
	$(MAKE) --no-print-directory lint typecheck
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

bench: install
	@scripts/install-system-deps run
	$(start-corenlp)
	$(BIN)/python -m bench

elasticsearch:
	scripts/elasticsearch start

stop-elasticsearch:
	scripts/elasticsearch stop

corenlp:
	scripts/corenlp start

stop-corenlp:
	scripts/corenlp stop

# Re-resolve the locked versions after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra airflow --extra dev --extra test --generate-hashes \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 -o requirements.lock

clean:
	-scripts/elasticsearch stop
	-scripts/corenlp stop
	rm -rf $(VENV) .cache
