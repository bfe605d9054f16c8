"""Interrupts lose nothing on the simulated host (issue 18 a, b): ``rtgate run`` stopped by
SIGINT, SIGTERM or a double Ctrl-C while its tests run exits as that signal says (130, 143),
prints no traceback, and leaves a report marked incomplete that holds what ran, with outcomes.

Each case is a real run in a fresh interpreter, signalled once a test module has started
(:func:`~harness.hosts.interrupt_trial.interrupt_run` waits for it with a deadline).
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from harness.hosts.interrupt_trial import InterruptTrial
from harness.hosts.interrupt_trial import SignalKind
from harness.hosts.interrupt_trial import interrupt_run

ROOT = Path(__file__).resolve().parent.parent.parent
EXIT = {"int": 128 + signal.SIGINT, "term": 128 + signal.SIGTERM}


def _simulated(kind: SignalKind, tmp_path: Path, at_s: float) -> InterruptTrial:
    return interrupt_run(kind, ["--quick"], at_s=at_s, report_dir=tmp_path, cwd=ROOT)


@pytest.mark.parametrize(
    ("kind", "at_s"), [("int", 0.5), ("term", 2.0), ("double-int", 1.0), ("group-int", 0.0)]
)
def test_an_interrupted_run_reports_what_ran_as_incomplete(
    kind: SignalKind, at_s: float, tmp_path: Path
) -> None:
    trial = _simulated(kind, tmp_path, at_s)
    assert trial.signalled_at_s is not None, trial.describe()
    assert trial.exit_code == EXIT[kind.rpartition("-")[2]], trial.describe()
    assert "internal error" not in trial.output, trial.describe()
    assert "Traceback" not in trial.output, trial.describe()
    assert f"rtgate: interrupted (SIG{kind.rpartition('-')[2].upper()})" in trial.output
    report = trial.report
    assert report is not None, trial.describe()
    assert report["run"]["complete"] is False
    ran = [t for t in report["tests"] if t["outcome"] != "untested"]
    assert ran, "the tests that ran before the signal are in the report"
    assert all(t["outcome"] == "pass" for t in ran), [t for t in ran if t["outcome"] != "pass"]
    checked = {r["id"]: r["outcome"] for r in report["requirements"] if r["outcome"] != "untested"}
    assert checked and set(checked.values()) == {"pass"}, checked
    assert {rid for t in ran for rid in t["requirements"]} >= set(checked)
    assert f"the report holds the {len(report['tests'])} test(s) that ran" in trial.output
