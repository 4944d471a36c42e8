# neocloud.support_access: developer entry points. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
PYTHON ?= python3
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
CACHE := $(ROOT)/.cache
COLLECTIONS := $(CACHE)/collections
SANITY_ROOT := $(CACHE)/sanity/ansible_collections
SANITY_DIR := $(SANITY_ROOT)/neocloud/support_access
ANSIBLE_TEST_HOME := $(CACHE)/ansible-test-home
PYTEST_ARGS ?=
# Workers of `make reliability` (pytest-xdist): its scenarios wait much of the time, a second worker uses it.
RELIABILITY_WORKERS ?= 2

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_HOME := $(CACHE)/ansible-home
export ANSIBLE_LOCAL_TEMP := $(CACHE)/ansible-tmp
export ANSIBLE_NOCOLOR := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup setup-system lint sanity-tree sanity units integration reliability test test-matrix build docs demo sandbox bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(VENV)/.requirements.stamp: tools/requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else "Python >= 3.11 is required, found %s" % sys.version.split()[0])'
	$(BIN)/python -m pip install -q -r tools/requirements-dev.txt
	@touch $@

setup: $(VENV)/.requirements.stamp ## .venv with pinned ansible-core, kubernetes.core, kubectl, helm 3 and 4
	@$(BIN)/python tools/toolchain.py --root $(ROOT) --cache $(CACHE)/downloads \
		--collections $(COLLECTIONS) --bindir $(BIN) --ansible-test-home $(ANSIBLE_TEST_HOME)
	@mkdir -p $(ANSIBLE_HOME) $(ANSIBLE_LOCAL_TEMP)

# Debian's Chromium renders the HTML fleet report in a screenshot test. Installed when missing and we may
# (root with apt-get, as on CI); elsewhere that one test skips and says why.
setup-system: ## system packages the tests use (Debian: chromium), installed when missing
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "setup-system: installing chromium (Debian package) for the HTML report screenshot test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "setup-system: /usr/bin/chromium missing and cannot install it here; the screenshot test will skip"; fi

lint: setup ## ansible-lint, profile production
	$(BIN)/ansible-lint --profile production

# ansible-test must run from inside ansible_collections/<ns>/<name>: sanity runs on a copy of the
# files git knows about (tracked, or untracked and not ignored), with kubernetes.core beside it.
# The copy gets its own git index so ansible-test lists exactly those files.
sanity-tree: setup
	@rm -rf $(SANITY_DIR) && mkdir -p $(SANITY_DIR)
	@git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c 'test -e "{}" && echo "{}"' \
		| tar -cf - -T - | tar -xf - -C $(SANITY_DIR)
	@ln -sfn $(COLLECTIONS)/ansible_collections/kubernetes $(SANITY_ROOT)/kubernetes
	@cd $(SANITY_DIR) && git init -q && git add -A

sanity: sanity-tree ## ansible-test sanity in local venvs (no container)
	cd $(SANITY_DIR) && HOME=$(ANSIBLE_TEST_HOME) $(BIN)/ansible-test sanity --venv --python 3.11 --color no

units: setup ## unit tests (pytest, no network)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

integration: setup ## integration tests: real ansible-playbook, kubectl, helm against tests/sim
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

reliability: setup ## faults, check mode, secrets, bad input and adversarial cases; prints the summary table
	$(BIN)/pytest tests/reliability -n $(RELIABILITY_WORKERS) --dist load $(PYTEST_ARGS)

test: setup setup-system lint sanity docs units integration reliability ## everything CI runs
	@echo "make test: all stages passed"

# ansible-core 2.21 needs Python >= 3.12; run sanity and unit tests there when such a Python exists.
MATRIX_VENV := $(ROOT)/.venv-2.21
find_matrix_python = for p in $(wildcard /root/.pyenv/versions/3.12.*/bin/python3 /root/.pyenv/versions/3.13.*/bin/python3) \
	$$(command -v python3.12 python3.13 2>/dev/null); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 12))' 2>/dev/null && { echo "$$p"; break; }; done; true
test-matrix: setup ## sanity + unit tests on ansible-core 2.21 (needs Python >= 3.12)
	@py=$$($(find_matrix_python)); \
	if [ -z "$$py" ]; then echo "test-matrix: skipped: no Python >= 3.12 on this machine (ansible-core 2.21 needs one)"; exit 0; fi; \
	echo "test-matrix: ansible-core 2.21 on $$py"; \
	test -x $(MATRIX_VENV)/bin/python || "$$py" -m venv $(MATRIX_VENV); \
	$(MATRIX_VENV)/bin/python -m pip install -q -r tools/requirements-matrix.txt; \
	$(MATRIX_VENV)/bin/python tools/toolchain.py --ansible-test-only --ansible-test-home $(ANSIBLE_TEST_HOME); \
	$(MAKE) --no-print-directory sanity-tree; \
	ver=$$($(MATRIX_VENV)/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	cd $(SANITY_DIR) && HOME=$(ANSIBLE_TEST_HOME) $(MATRIX_VENV)/bin/ansible-test sanity --venv --python $$ver --color no; \
	cd $(ROOT) && $(MATRIX_VENV)/bin/pytest tests/unit $(PYTEST_ARGS)

build: setup ## dist/neocloud-support_access-<version>.tar.gz
	@mkdir -p dist
	$(BIN)/ansible-galaxy collection build --force --output-path dist

DOCS_BUILD := $(CACHE)/docs-build
DOCS_GUIDES := $(DOCS_BUILD)/rst/collections/neocloud/support_access/docsite/guides
# The Markdown guides, in the order of the site's table of contents (below docs/docsite/rst/guides.rst).
DOCS_GUIDE_PAGES := docs/index README docs/playbooks docs/doors docs/report docs/crusoe docs/coreweave docs/activity \
	docs/awx/README docs/ci docs/errors
$(VENV)/.docs-requirements.stamp: tools/requirements-docs.txt
	$(BIN)/python -m pip install -q -r tools/requirements-docs.txt
	@touch $@

# The site: antsibull-docs renders every module, plugin and role of the collection (from .cache/collections) and the
# extra docs (docs/docsite); the guides are docs/*.md and README.md, copied in unchanged and read by MyST. Sphinx runs
# with -W (warnings are errors) and without network: the references into docs.ansible.com (common return values,
# ANSIBLE_* settings, other collections) stay plain text. DOCS_INTERSPHINX=1 resolves them (needs the network) and
# turns their warnings back on. Output: build/html.
# GIT_CEILING_DIRECTORIES: the linter copies kubernetes.core (inside this repo's ignored .cache) with plain cp.
docs: setup $(VENV)/.docs-requirements.stamp ## documentation site in .cache/docs-build/build/html (Sphinx -W)
	GIT_CEILING_DIRECTORIES=$(COLLECTIONS)/ansible_collections/kubernetes \
		$(BIN)/antsibull-docs lint-collection-docs --plugin-docs $(COLLECTIONS)/ansible_collections/neocloud/support_access
	@rm -rf $(DOCS_BUILD) && mkdir -p -m 700 $(DOCS_BUILD)
	$(BIN)/antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCS_BUILD) \
		--project neocloud.support_access --copyright "neocloud.support_access maintainers" \
		--title "neocloud.support_access" --html-short-title "neocloud.support_access" neocloud.support_access >/dev/null
	@printf '%s\n' "extensions.append('myst_parser')" "myst_heading_anchors = 3" "highlight_language = 'none'" \
		"source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}" >> $(DOCS_BUILD)/conf.py
	@if [ -z "$(DOCS_INTERSPHINX)" ]; then printf '%s\n' "intersphinx_mapping = {}" \
		"suppress_warnings = ['ref.ref', 'ref.envvar']" >> $(DOCS_BUILD)/conf.py; fi
	cd $(DOCS_BUILD) && mkdir -p -m 700 rst && $(BIN)/antsibull-docs --config-file antsibull-docs.cfg collection \
		--cleanup everything --use-current --fail-on-error --dest-dir rst neocloud.support_access
	@mkdir -p $(DOCS_GUIDES)/docs && cp README.md $(DOCS_GUIDES)/ && cp docs/*.md $(DOCS_GUIDES)/docs/ \
		&& cp -r docs/awx $(DOCS_GUIDES)/docs/
	@printf '\n.. toctree::\n   :maxdepth: 2\n\n' >> $(DOCS_GUIDES).rst
	@for page in $(DOCS_GUIDE_PAGES); do printf '   guides/%s\n' "$$page"; done >> $(DOCS_GUIDES).rst
	cd $(DOCS_BUILD) && $(BIN)/sphinx-build -M html rst build -c . -W --keep-going -q
	@echo "make docs: $(DOCS_BUILD)/build/html/index.html"

demo: setup ## a seeded simulated fleet: audit -> revoke -> audit with the real playbooks, reports in ./reports/
	PYTHONPATH=tests:$(COLLECTIONS) $(BIN)/python tools/demo.py $(DEMO_ARGS)

sandbox: setup ## a simulated fleet that stays up until Ctrl-C, to try the playbooks: cd sandbox && source env.sh (SANDBOX_ARGS="--dir X --clusters N --coreweave M")
	PYTHONPATH=tests:$(COLLECTIONS) $(BIN)/python tools/sandbox.py $(SANDBOX_ARGS)

bench: setup ## benchmarks: the Kubernetes emulator; fleet audit/revoke over 10, 50, 200 clusters (BENCH_ARGS="--sizes 10,50")
	PYTHONPATH=tests $(BIN)/python tests/bench/emulator_bench.py
	PYTHONPATH=tests:$(COLLECTIONS) $(BIN)/python tools/fleet_bench.py $(BENCH_ARGS)

clean: ## remove venvs, caches and build output
	rm -rf $(VENV) $(MATRIX_VENV) $(CACHE) dist reports .pytest_cache
