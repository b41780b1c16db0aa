# Two commands matter: `make lab` (set up and open the course) and `make test` (set up and run every test).
# Everything else is a thin wrapper over the `course` command in the project's own virtual environment.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= auto
PYTEST_ARGS ?=
PORT   ?= 8888
# root (containers, CI images) must opt in explicitly; everyone else gets Jupyter's default refusal-free start.
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

# nbgrader shells out to alembic: the venv's bin/ must come first on PATH for every recipe.
export PATH := $(BIN):$(PATH)

.PHONY: help setup system-deps lab hub hub-deps hub-clean test test-fast lint run run-full release release-check grade doctor bench bench-threads results clean

# System packages the tests use: bubblewrap (the grading sandbox), PostgreSQL (the shared gradebook) and Chromium
# (the browser tests drive a real JupyterLab).
SYSTEM_DEPS := bubblewrap:bwrap postgresql:/usr/lib/postgresql/*/bin/initdb chromium:/usr/bin/chromium

help:
	@echo "make lab            set up .venv and open the course in JupyterLab"
	@echo "make test           set up .venv and run the whole test suite (what CI runs)"
	@echo "make test-fast      unit and hygiene tests only (no kernel, nbgrader, browser or server): < 2 min"
	@echo "make hub            (root) a JupyterHub on 127.0.0.1:$(HUB_PORT): an instructor, three learners, nbgrader"
	@echo "make hub-clean      (root) stop it and remove its accounts, folders and state"
	@echo "make run            execute every chapter in smoke mode and print a table"
	@echo "make run-full       execute every chapter in full mode"
	@echo "make results        full mode, one chapter at a time, rewriting docs/results.md"
	@echo "make release        regenerate release/ from source/ with nbgrader"
	@echo "make grade SUBMISSIONS=path/to/submitted   autograde a class"
	@echo "make doctor         diagnose the environment"
	@echo "make bench          benchmarks: threads (docs/threads.md) and grading throughput"

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings

setup: $(STAMP)
	mkdir -p $(LAB_SETTINGS)
	printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}},' \
		'"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
		> $(LAB_SETTINGS)/overrides.json
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (dl-course)" >/dev/null
	$(BIN)/jupyter labextension enable @jupyter/nbgrader >/dev/null 2>&1 || true
	for ext in formgrader validate_assignment assignment_list course_list; do \
		$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.$$ext >/dev/null 2>&1 || exit 1; \
	done

# START.md is the learner's landing page: every chapter with its link, objectives and progress.
lab: setup
	$(BIN)/course status --write START.md
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --port=$(PORT) $(LAB_FLAGS) START.md

# A local JupyterHub for the course (hub/): OS accounts, the exchange, the formgrader for the instructor. Runs in the
# foreground until Ctrl-C; `make hub-clean` removes every account, folder and file it made.
HUB_ROOT   ?= /srv/dl-course-hub
HUB_PORT   ?= 8000
HUB_PREFIX ?=
HUB_PROXY  := hub/node_modules/.bin/configurable-http-proxy

$(HUB_PROXY): hub/package.json hub/package-lock.json
	@command -v npm >/dev/null || (echo "make hub needs Node.js and npm (apt-get install nodejs npm)" && exit 2)
	npm ci --prefix hub --no-audit --no-fund --loglevel=error
	touch $(HUB_PROXY)

# make test installs the proxy where npm is (the hub's test skips, naming it, where Node is missing).
hub-deps:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(HUB_PROXY); \
	else echo "npm is missing: the JupyterHub test will skip (apt-get install nodejs npm)"; fi

hub: setup $(HUB_PROXY)
	$(BIN)/python hub/hub.py up --root "$(HUB_ROOT)" --port $(HUB_PORT) --prefix "$(HUB_PREFIX)"

hub-clean:
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) hub/hub.py clean --root "$(HUB_ROOT)"

system-deps:
	@missing=""; for dep in $(SYSTEM_DEPS); do pkg=$${dep%%:*}; probe=$${dep#*:}; \
		command -v $$probe >/dev/null 2>&1 || ls $$probe >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "missing system packages:$$missing; the tests that need them will skip (install them as root)"; fi; \
	fi

test: setup system-deps hub-deps
	$(BIN)/python -m pytest -n $(JOBS) $(PYTEST_ARGS)

# Unit and hygiene tests only: nothing that starts a kernel, nbgrader, papermill, a browser or a server (< 2 min).
FAST_MARKERS := not (notebook or kernel or grading or postgres or browser or server or hub)
test-fast: setup
	$(BIN)/python -m pytest -n $(JOBS) -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check course tests autograder benchmarks hub nbgrader_config.py

run: setup
	$(BIN)/course run --smoke --jobs 2

run-full: setup
	$(BIN)/course run

# Full mode, one chapter at a time (minutes each), then the table every number quoted in the text is checked against.
results: setup
	$(BIN)/course results

release: setup
	$(BIN)/course release

release-check: setup
	$(BIN)/course release --check

grade: setup
	@test -n "$(SUBMISSIONS)" || (echo "usage: make grade SUBMISSIONS=path/to/submitted" && exit 2)
	$(BIN)/course grade "$(SUBMISSIONS)"

doctor: setup
	$(BIN)/course doctor

bench: setup system-deps bench-threads
	$(BIN)/python benchmarks/grading.py

# Torch's default thread count against course.setup's choice, alone and beside a CPU-bound neighbour.
bench-threads: setup
	$(BIN)/python benchmarks/threads.py --write docs/threads.md

clean:
	rm -rf outputs submitted autograded feedback gradebook.db grades.csv .pytest_cache .ruff_cache
