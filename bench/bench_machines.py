"""How many steps per second the suite's two Hypothesis state machines run (issue 18: the
lifecycle machine at least 2000, the command-line machine at least 500), per Hypothesis profile.

Each machine's test runs in this process through :func:`pytest.main`, as ``rtgate run`` runs
it, on the simulated v1-cat host.  Hypothesis checks a machine's invariants once after the
machine is made and once after every step, so counting those calls per machine object gives
both the sequences (machine objects) and the steps (the calls after a machine's first); the
rate is steps over the test's call time, the test's one host boot and the resets of its examples
(harness/hosts/reuse.py) included.  Hypothesis' statistics add the share of examples it
discarded (invalid or overrun).

The ``rtgate-deep`` profile (2000 examples of 50 steps) is left out: it takes far longer than
the whole ``make bench``.  Run ``python bench/bench_machines.py``; it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import tempfile
import types
import weakref
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _table import Row
from _table import Target
from _table import measured
from _table import print_table
from _table import skipped
from hypothesis.stateful import RuleBasedStateMachine

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "harness" / "scenarios"


@dataclasses.dataclass(frozen=True, slots=True)
class Machine:
    """One state machine of the suite: its test, its class and its target."""

    label: str
    test: str
    cls: str
    target: Target


MACHINES = (
    Machine(
        "lifecycle",
        f"{SCENARIOS}/test_lifecycle_machine.py::test_lifecycle_state_machine",
        "LifecycleMachine",
        Target("≥", 2000, "/s"),
    ),
    Machine(
        "command-line",
        f"{SCENARIOS}/test_cli_machine.py::test_cli_state_machine",
        "CliMachine",
        Target("≥", 500, "/s"),
    ),
)
#: the profiles measured; rtgate-deep is left out (see the module's docstring)
PROFILES = ("rtgate", "rtgate-quick")
DEEP = "rtgate-deep"
PRESET = "v1-cat"


@dataclasses.dataclass
class Tally:
    """What one session of the machines' tests did, per machine class and test."""

    sequences: Counter[str] = dataclasses.field(default_factory=Counter)
    steps: Counter[str] = dataclasses.field(default_factory=Counter)
    #: Hypothesis' test cases by status ("valid", "invalid", "overrun", "interesting"), per test
    cases: dict[str, Counter[str]] = dataclasses.field(default_factory=dict)
    durations: dict[str, float] = dataclasses.field(default_factory=dict)
    #: seconds in the machine's rules and invariants, per test (Hypothesis' own timing)
    in_rules: Counter[str] = dataclasses.field(default_factory=Counter)
    outcomes: dict[str, str] = dataclasses.field(default_factory=dict)
    running: str = ""

    def pytest_runtest_logstart(self, nodeid: str, location: object) -> None:
        self.running = nodeid

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.durations[report.nodeid] = report.duration
        if report.when == "call" or not report.passed:  # a failed setup or teardown wins
            self.outcomes[report.nodeid] = report.outcome

    def note_sequence(self, run_times: dict[str, float]) -> None:
        """The time one sequence spent in its rules and invariants, as Hypothesis measured
        it (``execute:rule:*``, ``execute:invariant:*``; its gc pauses left out)."""
        self.in_rules[self.running] += sum(
            seconds for label, seconds in run_times.items() if label.startswith("execute:")
        )

    def note_statistics(self, stats: dict[str, Any]) -> None:
        """Hypothesis' statistics of one run (:mod:`hypothesis.statistics`: not a stable
        format, so anything missing is simply not counted)."""
        cases = self.cases.setdefault(self.running, Counter())
        for key, phase in stats.items():
            if key.endswith("-phase") and isinstance(phase, dict):
                cases.update(case.get("status", "?") for case in phase.get("test-cases", ()))


@contextlib.contextmanager
def counting_steps(tally: Tally) -> Iterator[None]:
    """Count invariant checks per machine object: its first is after ``__init__`` (a new
    sequence), every later one after a step."""
    from hypothesis.internal.conjecture.data import ConjectureData
    from hypothesis.statistics import collector

    original = RuleBasedStateMachine.check_invariants
    freeze = ConjectureData.freeze

    def frozen(self: ConjectureData) -> None:
        if not self.frozen:  # a private attribute: a Hypothesis without it times nothing
            tally.note_sequence(getattr(self, "_stateful_run_times", {}))
        freeze(self)

    seen: weakref.WeakSet[RuleBasedStateMachine] = weakref.WeakSet()

    def counted(self: RuleBasedStateMachine, *args: Any, **kwargs: Any) -> Any:
        name = type(self).__name__
        if self in seen:
            tally.steps[name] += 1
        else:
            seen.add(self)
            tally.sequences[name] += 1
        return original(self, *args, **kwargs)

    RuleBasedStateMachine.check_invariants = counted  # type: ignore[method-assign]
    ConjectureData.freeze = frozen  # type: ignore[method-assign]
    try:
        with collector.with_value(tally.note_statistics):
            yield
    finally:
        RuleBasedStateMachine.check_invariants = original  # type: ignore[method-assign]
        ConjectureData.freeze = freeze  # type: ignore[method-assign]


def session(profile: str, machines: tuple[Machine, ...] = MACHINES) -> tuple[Tally, str]:
    """Run the machines' tests under ``profile`` in one pytest session; what it counted and
    what pytest printed."""
    from pyfakefs.fake_filesystem_unittest import Patcher

    # pyfakefs caches which loaded modules it patches; a cache made before its pytest plugin
    # told it to leave pytest's capture alone (bench_fakes, earlier in make bench's process)
    # would patch pytest's own file descriptors.
    Patcher.clear_fs_cache()
    tally = Tally()
    printed = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="rtgate-bench-machines-") as out:
        argv = [
            *(machine.test for machine in machines),
            "-p", "no:cacheprovider", "-q", "--no-header", "--tb=short",
            f"--rtgate-preset={PRESET}", f"--rtgate-report-dir={out}",
            f"--hypothesis-profile={profile}",
        ]  # fmt: skip
        with counting_steps(tally), contextlib.redirect_stdout(printed):
            pytest.main(argv, plugins=[tally])
    return tally, printed.getvalue()


def profile_rows(profile: str) -> list[Row]:
    """Steps per second of each machine, and the share of examples discarded, under
    ``profile``."""
    tally, printed = session(profile)
    rows: list[Row] = []
    for machine in MACHINES:
        figure = f"{machine.label} machine steps/s, {profile}"
        name = "::" + machine.test.rpartition("::")[2]
        nodeid = next((n for n in tally.outcomes if n.endswith(name)), "")
        outcome = tally.outcomes.get(nodeid, "not run")
        steps, sequences = tally.steps[machine.cls], tally.sequences[machine.cls]
        if outcome != "passed" or not steps:
            tail = printed.strip().splitlines()[-1:] or ["no output"]
            rows.append(skipped(figure, f"test {outcome}: {tail[0]}", machine.target))
            continue
        duration, in_rules = tally.durations[nodeid], tally.in_rules[nodeid]
        n = f"{steps} steps in {sequences} sequences"
        rows.append(measured(figure, steps / duration, "/s", digits=0, n=n, target=machine.target))
        rows.extend(split_rows(machine, profile, steps, duration, in_rules))
        rows.append(discarded_row(machine, profile, tally.cases.get(nodeid, Counter())))
    return rows


def split_rows(
    machine: Machine, profile: str, steps: int, duration: float, in_rules: float
) -> list[Row]:
    """Where a step's time goes: the machine's rules and invariants (the subject, the
    simulated kernel, the checks), and the rest (Hypothesis choosing steps and drawing their
    arguments, each sequence's host reset and teardown); and the rate the rest alone allows,
    the ceiling of any speed-up of the subject and the kernel."""
    if not in_rules:
        return [skipped(f"{machine.label} machine time per step, {profile}", "no rule timings")]
    rest = duration - in_rules
    label = f"{machine.label} machine"
    return [
        measured(f"{label} time per step in its rules, {profile}", 1e3 * in_rules / steps, "ms"),
        measured(f"{label} time per step outside them, {profile}", 1e3 * rest / steps, "ms"),
        measured(f"{label} steps/s with rules free, {profile}", steps / rest, "/s", digits=0),
    ]


def discarded_row(machine: Machine, profile: str, cases: Counter[str]) -> Row:
    """The share of a machine's examples Hypothesis threw away (no rule's precondition held,
    or the sequence overran its buffer): work that checked nothing."""
    figure = f"{machine.label} machine discarded examples, {profile}"
    total = sum(cases.values())
    if not total:
        return skipped(figure, "Hypothesis reported no statistics")
    share = 100 * (cases["invalid"] + cases["overrun"]) / total
    return measured(figure, share, "%", n=f"{total} examples")


def hollow_row(profile: str) -> Row:
    """The lifecycle machine's shape with hollow rules under ``profile`` (simulated host's
    budget): Hypothesis' engine alone, the ceiling of the lifecycle machine's rate."""
    from _hollow_machine import hollow_rate
    from hypothesis import settings

    from harness.plugin.hypothesis_profiles import register_profiles
    from harness.scenarios._support.machine_run import machine_settings

    register_profiles()
    run = types.SimpleNamespace(settings=settings.get_profile(profile))
    rate, steps = hollow_rate(machine_settings(run, "simulated"))
    figure = f"lifecycle machine's shape, rules hollow (Hypothesis alone), {profile}"
    return measured(figure, rate, "/s", digits=0, n=f"{steps} steps")


def machine_rows(profiles: tuple[str, ...] = PROFILES) -> list[Row]:
    """Every profile's rows, and one saying why rtgate-deep is left out."""
    rows = [row for profile in profiles for row in (*profile_rows(profile), hollow_row(profile))]
    reason = "2000 examples of 50 steps take longer than the whole of make bench"
    rows.append(skipped(f"state machines, {DEEP}", reason))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="append", choices=PROFILES, help="default: both")
    args = parser.parse_args()
    print_table(machine_rows(tuple(args.profile or PROFILES)))


if __name__ == "__main__":
    main()
