"""The ``slow`` mark: tests that take tens of seconds or minutes each (whole runs against real
runtimes, the real host against the simulated one, image and wheel builds).

``make test`` leaves them out so that a developer's loop stays within minutes; ``make test-all``
(what ``.ci/run`` runs) includes them, with ``--slow``.  Slow tests are deselected (counted in
the summary line of a serial session) and the header says how to run them, so nothing is
dropped silently.
"""

from __future__ import annotations

import pytest

#: the option that includes the slow tests
SLOW_OPTION = "--slow"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        SLOW_OPTION,
        action="store_true",
        default=False,
        help="also run the tests marked slow (real runtimes end to end, image and wheel "
        "builds); make test-all and .ci/run do",
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.getoption(SLOW_OPTION):
        return None
    return f"tests marked slow are left out: make test-all (pytest {SLOW_OPTION}) runs them"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (not skip: a skip would read as "could not run here") the slow tests; with
    ``--slow``, run them first."""
    if config.getoption(SLOW_OPTION):
        # the long ones first: xdist hands tests out in this order, and a minutes-long test
        # collected late keeps one worker busy after the other has run out of work
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]
        config.hook.pytest_deselected(items=slow)
