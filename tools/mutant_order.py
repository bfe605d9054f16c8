"""A pytest plugin for ``make mutate``: under a mutant, the tests that killed its siblings first.

mutmut runs a mutant's tests in no particular order (a set of node ids) and stops at the first
failure.  Of those tests it keeps only the ones that reach the lines the mutant changes, where
the pass's coverage run recorded them (:mod:`tools.mutant_reach`).  Mutants of one function are
mostly killed by the same few tests, so this plugin keeps,
per function, the node ids of the tests that failed under its earlier mutants (one line each,
appended by the child that saw the failure, in ``.killers/`` of the stage), and runs those
first, most frequent first; the rest follow fastest first, by the durations mutmut recorded in
its stats.  A survivor runs every test that reaches it; a killed mutant mostly runs one.  The
order changes no verdict, and a test that never reaches the mutant's lines cannot tell it apart.

The ordering is active only in a child that mutmut runs for a mutant (``MUTANT_UNDER_TEST``
names one).  In every run of a pass (mutmut's clean run too) the exit code is pytest's own, so a
mutant is killed by a test that fails, never by the verdict: plain pytest over the suite exits
with the verdict over the requirements its tests name, and a selection of the tests that reach
one module leaves some of those untested.  The runtime-spec pass's clean run, 74 tests reaching
``states``, failed on CLI-DELETE-PAUSED and CLI-START-PAUSED, which the command-line machine's
examples happened not to reach; a mutant's even smaller selection would have counted as killed
for the same reason.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from tools.mutant_reach import REACH_FILE

#: where the killers are kept, relative to the directory mutmut runs the tests in
KILLERS = Path(".killers")
#: mutmut's record of each test's duration, in the same directory
STATS = Path("mutmut-stats.json")


def function_of(mutant: str) -> str | None:
    """``reference_impl.hooks.x_run_hook__mutmut_3`` -> ``reference_impl.hooks.x_run_hook``;
    None outside a mutant's run (mutmut's stats and clean runs)."""
    name, marker, _ = mutant.rpartition("__mutmut_")
    return name if marker else None


def _killers(function: str) -> Counter[str]:
    path = KILLERS / function
    lines = path.read_text().splitlines() if path.exists() else []
    return Counter(line for line in lines if line)


def _durations() -> dict[str, float]:
    try:
        return json.loads(STATS.read_text()).get("duration_by_test", {})
    except (OSError, ValueError):
        return {}


def order(nodeids: list[str], killers: Counter[str], durations: dict[str, float]) -> list[str]:
    """Known killers first (most kills first), then the others fastest first."""
    return sorted(nodeids, key=lambda n: (-killers[n], durations.get(n, float("inf")), n))


def _reaching(mutant: str) -> set[str] | None:
    """The tests that reach the mutant's lines, as the pass's coverage run found them
    (:mod:`tools.mutant_reach`); None: no record, every test runs."""
    try:
        chosen = json.loads(REACH_FILE.read_text()).get(mutant)
    except (OSError, ValueError):
        return None
    return set(chosen) if chosen is not None else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    function = function_of(mutant)
    if function is None:
        return
    reaching = _reaching(mutant)
    if reaching is not None:
        kept = [item for item in items if item.nodeid in reaching]
        if kept:  # never none: a run without tests would count as neither kill nor survival
            config.hook.pytest_deselected(items=[i for i in items if i.nodeid not in reaching])
            items[:] = kept
    position = {nodeid: i for i, nodeid in enumerate(order(
        [item.nodeid for item in items], _killers(function), _durations()
    ))}  # fmt: skip
    items.sort(key=lambda item: position[item.nodeid])


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> object:
    """Put back pytest's exit code where rtgate's plugin made it the verdict's (only over
    tests that ran to an end: a usage or internal error stays what it is)."""
    result = yield
    tests_ended = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
    if exitstatus in tests_ended and session.exitstatus in tests_ended:
        session.exitstatus = exitstatus
    return result


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    function = function_of(os.environ.get("MUTANT_UNDER_TEST", ""))
    if function is None or not report.failed:
        return
    KILLERS.mkdir(exist_ok=True)
    # One short O_APPEND write per failure: the two children running at once never interleave.
    fd = os.open(KILLERS / function, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{report.nodeid}\n".encode())
    finally:
        os.close(fd)
