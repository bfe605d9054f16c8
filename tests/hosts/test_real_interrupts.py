"""Interrupts leave nothing on a real host (issue 18 c, e): a real-host ``rtgate run`` stopped
by SIGINT, SIGTERM, a double Ctrl-C or a signal to its whole process group, at a few moments,
leaves no cgroup, mount, run dir, named network namespace, container or process.

Each case is a real run in a fresh interpreter (:func:`~harness.hosts.interrupt_trial.
interrupt_run`), then two looks: the leftovers finder of ``rtgate cleanup``, and, independently,
every process's cgroups and environment.  Whatever a failing case left is removed by the
finder before the next, so one failure does not spread.  Needs root and cgroups.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.hosts.interrupt_trial import InterruptTrial
from harness.hosts.interrupt_trial import SignalKind
from harness.hosts.interrupt_trial import interrupt_run
from tests._real import real_host_off

pytestmark = pytest.mark.skipif(real_host_off() is not None, reason=f"real host: {real_host_off()}")

ROOT = Path(__file__).resolve().parent.parent.parent
#: the whole suite on this machine; a trial stops it within seconds of its first test
REFERENCE = ["--host", "real"]
#: runc's command line, its containers under the run's own --root
RUNC = ["--host", "real", "--subject", "oci:runc", "--profile", "runc-1.1"]


def _trial(kind: SignalKind, args: list[str], at_s: float, tmp_path: Path) -> InterruptTrial:
    trial = interrupt_run(kind, args, at_s=at_s, report_dir=tmp_path, cwd=ROOT)
    if not trial.clean:  # the next case starts clean, whatever this one asserts
        trial.remove_leftovers()
    return trial


def _assert_clean(trial: InterruptTrial) -> None:
    __tracebackhide__ = True
    assert trial.signalled_at_s is not None, f"the run ended first:\n{trial.describe()}"
    assert trial.clean, trial.describe()
    assert trial.exit_code in (130, 143), trial.describe()
    assert "Traceback" not in trial.output, trial.describe()
    assert trial.report is not None, trial.describe()
    assert trial.report["run"]["complete"] is False, trial.describe()


@pytest.mark.parametrize(
    ("kind", "at_s"),
    [("int", 0.0), ("double-int", 0.7), ("term", 1.5), ("group-term", 2.5)],
)
def test_a_real_host_run_stopped_by_a_signal_leaves_nothing(
    kind: SignalKind, at_s: float, tmp_path: Path
) -> None:
    _assert_clean(_trial(kind, REFERENCE, at_s, tmp_path))


@pytest.mark.parametrize(("kind", "at_s"), [("group-int", 0.5), ("double-term", 1.5)])
def test_a_runc_run_stopped_by_a_signal_leaves_no_container(
    kind: SignalKind, at_s: float, tmp_path: Path
) -> None:
    _assert_clean(_trial(kind, RUNC, at_s, tmp_path))
