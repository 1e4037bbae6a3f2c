# make train: set up and train the default character model.  make test: set up and run the test suite.
# make serve: the web API and page on http://localhost:$(PORT)/ (ONNX Runtime; WORKERS=2 processes; read timeouts).
VENV ?= .venv
PY := $(VENV)/bin/python
SHARED_DATA ?= ../shared/data
PORT ?= 8000
WORKERS ?= 2

.PHONY: install install-dev data system-packages train test lint serve

$(VENV)/.installed: requirements.txt setup.cfg
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

data:
	tasks/use_shared_data.sh $(SHARED_DATA)

system-packages:  # make, GNU parallel, chromium, shellcheck: apt-get installs what is missing (root or sudo)
	tasks/install_system_packages.sh

train: install data
	PATH="$(abspath $(VENV))/bin:$$PATH" tasks/train_character_predictor.sh

test: system-packages install-dev data
	PATH="$(abspath $(VENV))/bin:$$PATH" tasks/test.sh

lint: install-dev
	PATH="$(abspath $(VENV))/bin:$$PATH" tasks/lint.sh

serve: install
	$(PY) -m api.serve --host 0.0.0.0 --port $(PORT) --workers $(WORKERS) --timeout-keep-alive 5
