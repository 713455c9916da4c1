# `make` builds the reader into output/; `make test` runs the whole suite. Both set everything up.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
# Debian packages the build and the tests call: PDF checkers and renderers, Java for EPUBCheck,
# HarfBuzz's subsetter for WeasyPrint's font embedding, Noto CJK as the fallback for Chinese and Japanese.
APT_PACKAGES := poppler-utils qpdf libharfbuzz-subset0 default-jre-headless fonts-noto-cjk

.PHONY: all build epub pdf test test-fast test-slow check clean system-deps ace

all: build

system-deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  if [ $$pkg = default-jre-headless ] && command -v java >/dev/null; then continue; fi; \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml | system-deps
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(VENV)/bin/bookbuild build

epub pdf: $(STAMP)
	$(VENV)/bin/bookbuild build --format $@

check: $(STAMP)
	$(VENV)/bin/bookbuild check

# DAISY Ace and Chromium for the EPUB engine tests, installed outside the repository
# (/opt/bookbuild-ace, or ACE_PREFIX); without them those tests skip, saying why.
ace:
	@.ci/install-ace

test: $(STAMP)
	$(VENV)/bin/pytest -q

test-fast: $(STAMP)
	$(VENV)/bin/pytest -q -m "not slow"

test-slow: $(STAMP)
	$(VENV)/bin/pytest -q -m slow

clean:
	rm -rf output/*.epub output/*.pdf .bookbuild-cache
