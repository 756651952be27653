# The two commands of the README: `make run` and `make test`. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# Browser libraries (Mermaid for diagrams, EasyMDE for the page editor) come from npm with the
# committed lock file and are copied into static/vendor/ (git-ignored). Without npm, diagrams
# show as their source and page bodies are edited in a plain textarea.
NPM := $(shell command -v npm)
NODE_STAMP := node_modules/.installed
MERMAID_VENDOR := static/vendor/mermaid
EASYMDE_VENDOR := static/vendor/easymde
CHARTJS_VENDOR := static/vendor/chartjs
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lock vendor run test lint migrate check clean bench bench-claims bench-import bench-proxy bench-relevance serve-prod backup restore loadtest

install: $(STAMP) vendor

# Exactly the locked versions, each checked against its hash (pip, setuptools and the
# test and dev tools included), then Credence itself without resolving anything more.
# --no-deps because the lock already lists every dependency: left to resolve, the pip a
# new venv starts with treats a dependency's extra (justext's lxml[html_clean]) as a new,
# unpinned requirement and fails in hash mode as soon as a newer lxml is published.
# pip check then proves the locked set is complete and consistent.
# Reinstall whenever the lock or the project changes.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "Credence needs Python 3.11 or later; set PYTHON=/path/to/python3")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps --require-hashes -r $(LOCK)
	$(PY) -m pip check
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Refresh the lock after changing pyproject.toml's dependencies (then commit both).
lock: $(STAMP)
	$(PY) -m piptools compile --quiet --upgrade --generate-hashes --extra test --extra dev \
		--strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
		-o $(LOCK) pyproject.toml

ifneq ($(NPM),)
vendor: $(MERMAID_VENDOR)/mermaid.min.js $(EASYMDE_VENDOR)/easymde.min.js $(CHARTJS_VENDOR)/chart.umd.min.js

# Reinstall whenever the lock file changes; no package's install script is run.
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The single-file browser build (an IIFE that sets window.mermaid; no chunks to load).
$(MERMAID_VENDOR)/mermaid.min.js: $(NODE_STAMP)
	mkdir -p $(MERMAID_VENDOR)
	cp node_modules/mermaid/LICENSE $(MERMAID_VENDOR)/LICENSE
	cp node_modules/mermaid/dist/mermaid.min.js $(MERMAID_VENDOR)/mermaid.min.js

# The Markdown editor: one script (CodeMirror included) and its stylesheet.
$(EASYMDE_VENDOR)/easymde.min.js: $(NODE_STAMP)
	mkdir -p $(EASYMDE_VENDOR)
	cp node_modules/easymde/LICENSE $(EASYMDE_VENDOR)/LICENSE
	cp node_modules/easymde/dist/easymde.min.css $(EASYMDE_VENDOR)/easymde.min.css
	cp node_modules/easymde/dist/easymde.min.js $(EASYMDE_VENDOR)/easymde.min.js

# The charts of /about/: Chart.js's single-file build (sets window.Chart), with the source
# map it names (production's collectstatic checks that every file a script names exists).
$(CHARTJS_VENDOR)/chart.umd.min.js: $(NODE_STAMP)
	mkdir -p $(CHARTJS_VENDOR)
	cp node_modules/chart.js/LICENSE.md $(CHARTJS_VENDOR)/LICENSE.md
	cp node_modules/chart.js/dist/chart.umd.min.js.map $(CHARTJS_VENDOR)/chart.umd.min.js.map
	cp node_modules/chart.js/dist/chart.umd.min.js $(CHARTJS_VENDOR)/chart.umd.min.js
else
vendor:
	@test -f $(MERMAID_VENDOR)/mermaid.min.js || echo "npm is missing: diagrams will show as their source and page bodies are edited as plain text (install npm and run make install again)"
endif

migrate: install
	$(PY) manage.py migrate --noinput

# The demo server, with a task worker beside it (snapshot fetches); both stop together.
run: migrate
	$(PY) manage.py demo_setup --base-url http://$(HOST):$(PORT)/
	$(PY) manage.py db_worker --queue-name '*' --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production settings served by gunicorn, locally, against DATABASE_URL (default: the
# embedded SQLite file). Secrets and hosts come from the environment; for a local look the
# defaults below are used, and HTTPS redirects are off because there is no TLS proxy here.
serve-prod: install
	@test -s var/secret-key || $(PY) -c 'import pathlib, secrets; p = pathlib.Path("var"); p.mkdir(exist_ok=True); (p / "secret-key").write_text(secrets.token_urlsafe(50))'
	DJANGO_SETTINGS_MODULE=config.settings.prod \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret-key)}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-false}" \
	sh -c '$(PY) manage.py migrate --noinput && $(PY) manage.py collectstatic --noinput -v 0 && \
	GUNICORN_BIND="$${GUNICORN_BIND:-$(HOST):$(PORT)}" $(VENV)/bin/gunicorn -c config/gunicorn.conf.py'

# A consistent copy of the database DATABASE_URL names (default: the embedded SQLite
# file) to BACKUP (default: var/backups/credence-<time>), and back: `make restore BACKUP=...`.
backup: install
	$(PY) -m config.backup backup $(BACKUP)

restore: install
	$(PY) -m config.backup restore $(BACKUP)

# The suite on every core (TEST_WORKERS=0: in one process), then the tests that time CPU
# work against a bound, alone, so another worker's load cannot stretch them. PYTEST_ARGS
# goes to both; a selection with no timing test is no failure (pytest's exit code 5).
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not timing" $(PYTEST_ARGS)
	$(PY) -m pytest -p no:xdist -m timing $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Pages, search and query counts at 100,000 sources on PostgreSQL (needs wrk and Redis).
bench: install
	$(PY) bench/pages.py $(BENCH_ARGS)

# Readers and editors together for 60 s against gunicorn on PostgreSQL: no 5xx, no lost write.
loadtest: install
	$(PY) bench/loadtest.py $(LOADTEST_ARGS)

# Times the import of ../shared/corpus/longterm-wiki on SQLite and PostgreSQL.
bench-import: install
	$(PY) bench/import_corpus.py

bench-proxy: install
	$(PY) bench/proxy.py

# The claim checks: precision and recall on the labelled set, checks per second.
bench-claims: install
	$(PY) bench/claims.py

# Whether the default search lands on each page title and venue name of the corpus.
bench-relevance: install
	$(PY) bench/search_relevance.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

clean:
	rm -rf $(VENV) var .pytest_cache node_modules static/vendor
