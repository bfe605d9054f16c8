# rtgate: every target bootstraps .venv first (python3 -m venv, pip install -e '.[test]').
# The venv is rebuilt only when .venv/bin/rtgate is missing or pyproject.toml is newer than the
# stamp of the last install.

VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.rtgate-installed

# Compiled modules, and pytest's assertion-rewritten test modules, are kept (in .venv/pycache,
# out of the tree) whatever the environment says: with PYTHONDONTWRITEBYTECODE inherited, every
# rtgate run the tests start compiled everything again, and a one-rule run took 5.5 s, not 2.6.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(abspath $(VENV))/pycache

.PHONY: run test test-all bench lint mutate clean distclean FORCE

# one pytest-xdist worker per CPU: the run is a demonstration and a first check, and a serial
# one leaves all but one core idle (bench/bench_run.py times both)
run: $(STAMP)
	$(VENV)/bin/rtgate run -n auto

# worksteal: a worker that has run out of tests takes some of the other's queue; with the
# default schedule, one worker ran the last broken runtimes alone for minutes.
# make test leaves out the tests marked slow (whole runs against real runtimes, image and wheel
# builds: tests/conftest.py); make test-all, which .ci/run runs, includes them.
test: $(STAMP)
	$(PYTHON) -m pytest -n 2 --dist worksteal -q --durations=15 tests

test-all: $(STAMP)
	$(PYTHON) -m pytest -n 2 --dist worksteal -q --durations=15 --slow tests

# Every benchmark in one run and one table, each figure next to its target (bench/bench_all.py).
# They use this machine as a real host (runc, crun, the fault engine, real cgroups) only when
# asked: make bench HOST=real.
HOST ?= simulated

bench: $(STAMP)
	$(PYTHON) bench/bench_all.py --host $(HOST)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Mutation testing of reference_impl with the suite as the killer (tools/mutate.py); not CI: it
# takes up to an hour.  MODULES=states,hooks restricts it; MUTATE_ARGS passes its options (by
# default --quick: Hypothesis' rtgate-quick profile, which the hour is measured with).
MODULES ?=
MUTATE_ARGS ?= --quick
MUTATE_STAMP := $(VENV)/.rtgate-mutate-installed

mutate: $(MUTATE_STAMP)
	nice -n 19 $(PYTHON) -m tools.mutate $(if $(MODULES),--modules $(MODULES)) $(MUTATE_ARGS)

$(MUTATE_STAMP): $(STAMP)
	$(VENV)/bin/pip install -e '.[test,mutate]'
	touch $@

# FORCE is a prerequisite only while the console script is missing.
$(STAMP): pyproject.toml $(if $(wildcard $(VENV)/bin/rtgate),,FORCE)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -e '.[test]'
	touch $@

FORCE:

clean:
	rm -rf build mutants *.egg-info .hypothesis .ruff_cache .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
