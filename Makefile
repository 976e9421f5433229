# handprop: `make demo` sets up and explains the built-in `notes` problem; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
HANDPROP := $(VENV)/bin/handprop
# what the tests need from Debian: a browser, PDF tools, and LaTeX to compile every LaTeX form
DEBIAN_TEST := chromium poppler-utils texlive-latex-base texlive-latex-recommended \
	texlive-latex-extra texlive-pictures lmodern

.PHONY: demo setup setup-test test test-fast bench clean screenshots

demo: setup
	$(HANDPROP) explain notes
	@mkdir -p out
	$(HANDPROP) explain notes --format html -o out/notes.html
	@echo "The interactive page of notes: $(abspath out/notes.html)"

$(VENV)/.setup: pyproject.toml package.json
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[serve]'
	npm install --no-audit --no-fund --silent
	@touch $@

setup: $(VENV)/.setup

$(VENV)/.setup-test: $(VENV)/.setup pyproject.toml
	$(PIP) install -e '.[test,plot,serve]' torch==2.13.0
	@{ command -v chromium && command -v pdftotext && command -v pdflatex; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends $(DEBIAN_TEST) >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends $(DEBIAN_TEST) >/dev/null; fi; }
	@touch $@

setup-test: $(VENV)/.setup-test

test: setup-test
	$(PY) -m pytest -n 2 -q

test-fast: setup-test
	$(PY) -m pytest -n 2 -q -m "not browser"

bench: setup-test
	$(PY) benchmarks/run.py

screenshots: setup-test
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules out screenshots .pytest_cache .hypothesis
