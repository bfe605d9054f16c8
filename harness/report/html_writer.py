"""``compliance.html``: the report for a person, one file that needs nothing else.

It is the file someone opens at 2 am after a CI job failed, often as a downloaded artifact,
offline or behind a proxy.  So everything it shows is inside it: the styles, the small filter
script and the data; nothing is fetched (the links to requirement sources are the only way
out).  Without JavaScript every row is there and every ``<details>`` opens; the script only
adds filters by outcome, area and level, mirrored in the address (``#outcome=fail&area=cli``)
so that a filtered view can be linked.

A test's full output (traceback, commands, Hypothesis steps) is printed once, under the
requirement it did worst for; its other requirements link there.  A state machine checks
dozens of requirements, and forty commands with their stderr printed under each of them would
make the page too big to open.
"""

from __future__ import annotations

import dataclasses
import os
import signal
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from harness.report._atomic import write_text_atomic
from harness.report._templates import environment
from harness.report._text import first_line
from harness.report.model import OUTCOMES
from harness.report.model import CheckTally
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import RequirementResult
from harness.report.model import TestResult
from harness.report.rerun import REPLAY_NOTE
from harness.report.rerun import replay_command
from harness.report.rerun import rerun_command

__all__ = ["to_html", "write_html"]

_TEMPLATE = "compliance.html.j2"
#: levels in the order a reader weighs them; others follow, sorted
_LEVEL_ORDER = ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")
#: worst first: where a test's full output is printed
_RANK: tuple[Outcome, ...] = ("error", "fail", "xpass", "xfail", "untested", "skip", "pass")
#: outcomes a matrix cell is tinted for
_BAD: tuple[Outcome, ...] = ("fail", "error", "untested")


@dataclasses.dataclass(frozen=True, slots=True)
class TestView:
    """One test as a requirement shows it."""

    __test__ = False  # not a pytest test class

    test: TestResult
    #: how the test counts for this requirement
    outcome: Outcome
    #: the element id of the test's full output
    anchor: str
    #: the requirement under which the full output is printed; None: it is printed here
    home: str | None
    #: why it counts so for this requirement ("not reached: ...", a failed check), if not a pass
    why: str | None = None
    #: this requirement's checks in this test; None when the report did not count checks
    checks: CheckTally | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RequirementView:
    """A requirement row: the result, whether it fails the verdict, its tests."""

    result: RequirementResult
    fatal: bool
    tests: tuple[TestView, ...]
    #: the command that reruns this requirement alone, when it failed or errored
    rerun: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Matrix:
    """Requirement outcomes counted by area (rows) and level (columns)."""

    areas: tuple[str, ...]
    levels: tuple[str, ...]
    #: (area, level) -> (outcome, count) pairs in :data:`OUTCOMES` order, zeros left out
    cells: dict[tuple[str, str], tuple[tuple[Outcome, int], ...]]
    #: area -> the same pairs over all levels
    totals: dict[str, tuple[tuple[Outcome, int], ...]]


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page."""
    tests = {t.nodeid: t for t in report.tests}
    anchors = {nodeid: f"test-{i}" for i, nodeid in enumerate(tests)}
    homes = output_homes(report)
    unlinked = tuple(t for t in report.tests if t.nodeid not in homes)
    template = environment(
        duration=duration,
        web_link=web_link,
        first_line=first_line,
        exit_status=exit_status,
        replay_command=replay_command,
    ).get_template(_TEMPLATE)
    return template.render(
        replay_note=REPLAY_NOTE,
        report=report,
        run=report.run,
        summary=report.summary,
        outcomes=OUTCOMES,
        bad=_BAD,
        matrix=matrix(report.requirements),
        rows=tuple(_row(r, report, tests, anchors, homes) for r in _by_id(report.requirements)),
        unlinked=tuple(TestView(t, t.outcome, anchors[t.nodeid], None) for t in unlinked),
    )


def write_html(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write :func:`to_html` to ``path`` atomically."""
    return write_text_atomic(path, to_html(report))


def matrix(requirements: tuple[RequirementResult, ...]) -> Matrix:
    """Count outcomes by area and level."""
    levels = sorted({r.level for r in requirements}, key=_level_key)
    areas = sorted({r.area for r in requirements})
    cells = {
        (area, level): _counts(
            r.outcome for r in requirements if (r.area, r.level) == (area, level)
        )
        for area in areas
        for level in levels
    }
    totals = {area: _counts(r.outcome for r in requirements if r.area == area) for area in areas}
    return Matrix(tuple(areas), tuple(levels), cells, totals)


def output_homes(report: Report) -> dict[str, str]:
    """Node id -> the requirement under which the test's full output goes: its worst one."""
    best: dict[str, tuple[int, str]] = {}
    tests = {t.nodeid: t for t in report.tests}
    for requirement in report.requirements:
        for nodeid in requirement.tests:
            if nodeid not in tests:
                continue
            rank = _RANK.index(tests[nodeid].outcome_for(requirement.id))
            if nodeid not in best or (rank, requirement.id) < best[nodeid]:
                best[nodeid] = (rank, requirement.id)
    return {nodeid: req_id for nodeid, (_, req_id) in best.items()}


def duration(seconds: float) -> str:
    """Seconds as a person reads them: ``0.125 s``, ``2 min 5 s``."""
    if seconds < 60:
        return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def exit_status(code: int) -> str:
    """An exit code as a person reads it; a negative one is the signal that killed the command."""
    if code >= 0:
        return str(code)
    try:
        return f"{code} ({signal.Signals(-code).name})"
    except ValueError:
        return f"{code} (signal {-code})"


def web_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) link a page may point to, else None (it shows as text)."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def _row(
    result: RequirementResult,
    report: Report,
    tests: dict[str, TestResult],
    anchors: dict[str, str],
    homes: dict[str, str],
) -> RequirementView:
    views = tuple(
        _view(tests[nodeid], result.id, anchors[nodeid], homes[nodeid])
        for nodeid in result.tests
        # an interrupted run may name a test it never recorded
        if nodeid in tests
    )
    failed = result.outcome in ("fail", "error")
    rerun = rerun_command(report.run.command, [result.id]) if failed else None
    return RequirementView(result, result.id in report.summary.fatal, views, rerun)


def _view(test: TestResult, req_id: str, anchor: str, home: str) -> TestView:
    outcome, why = test.judge(req_id)
    return TestView(
        test, outcome, anchor, None if home == req_id else home, why, test.tally(req_id)
    )


def _counts(outcomes: Iterable[Outcome]) -> tuple[tuple[Outcome, int], ...]:
    found = list(outcomes)
    return tuple((o, found.count(o)) for o in OUTCOMES if o in found)


def _level_key(level: str) -> tuple[int, str]:
    return (_LEVEL_ORDER.index(level) if level in _LEVEL_ORDER else len(_LEVEL_ORDER), level)


def _by_id(requirements: tuple[RequirementResult, ...]) -> list[RequirementResult]:
    return sorted(requirements, key=lambda r: r.id)
