"""How rtgate holds up on a production node: interrupted real-host runs, reruns that must agree,
and bad inputs that must each end in one line (issue 18, item 9).

Three parts, each a row of the table it prints:

* **interrupts**: ``--trials`` runs on this machine as a real host (the reference and, where
  installed, ``oci:runc``), each stopped at a random moment of its tests by one of the signal
  kinds of :data:`harness.hosts.interrupt_trial.SIGNAL_KINDS` (SIGINT, SIGTERM, twice each, and
  to the run's whole process group).  A trial is good when the run exits as that signal's
  command does (130, 143), its report is there and marked incomplete, and nothing of it is
  left: no cgroup, mount, dir, netns, container or process, looked for by the leftovers finder
  and independently (:func:`~harness.hosts.interrupt_trial.marked_processes`).
* **reruns**: ``--reruns`` runs of the same gate, compared requirement by requirement with
  the first; any difference is a flake.
* **bad inputs**: every row of ``tests/cli/bad_inputs_table.py`` (report dirs, input files of
  every kind, absurd numbers, empty selections, subjects that exit, subjects that hang at
  import or in an operation, a run stopped by its ``--timeout``), each judged as the tests
  judge it.

Run as root: ``python bench/reliability.py`` (``--seed`` repeats a sequence of moments).  Not
root, the real-host parts say why they are skipped.  Everything a run leaves is removed after
its trial, so one bad trial does not spoil the next; the table counts it.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' table of bad inputs; run as bench/reliability.py

from harness.hosts import real_host_unavailable  # noqa: E402
from harness.hosts.interrupt_trial import SIGNAL_KINDS  # noqa: E402
from harness.hosts.interrupt_trial import InterruptTrial  # noqa: E402
from harness.hosts.interrupt_trial import SignalKind  # noqa: E402
from harness.hosts.interrupt_trial import interrupt_run  # noqa: E402
from harness.hosts.leftovers import find_leftovers  # noqa: E402
from harness.interrupts import exit_code  # noqa: E402
from tests.cli.bad_inputs_table import CASES  # noqa: E402
from tests.cli.bad_inputs_table import problem_with  # noqa: E402
from tests.cli.bad_inputs_table import run_case  # noqa: E402

#: the gates the interrupted and rerun runs are of: (label, rtgate run's arguments)
GATES = {
    "reference": ("--host", "real", "--quick"),
    "runc": ("--host", "real", "--subject", "oci:runc", "--profile", "runc-1.1",
             "--expectations", str(ROOT / "expectations" / "runc-1.1.toml")),
}  # fmt: skip
#: the latest moment of a trial's signal, in seconds after its first test ended
LATEST_S = 20.0
#: how many times a trial whose run ended before its moment is run again, at an earlier one
REDRAWS = 3
#: the parts, as --part names them
PARTS = ("interrupts", "reruns", "bad-inputs")
#: (part, tried, good, what went wrong in each bad one)
Row = tuple[str, int, int, list[str]]


def _gates() -> dict[str, tuple[str, ...]]:
    return {k: v for k, v in GATES.items() if k != "runc" or shutil.which("runc")}


def trial_problem(trial: InterruptTrial) -> str | None:
    """What the interrupted run did wrong, or None."""
    if trial.signalled_at_s is None:
        return f"never interrupted: it ended (exit {trial.exit_code}) before {REDRAWS + 1} moments"
    signum = 15 if trial.kind.endswith("term") else 2
    if trial.exit_code != exit_code(signum):
        return f"exit {trial.exit_code}, not {exit_code(signum)}"
    if trial.report is None:
        return "no compliance.json"
    if trial.report["run"]["complete"]:
        return "the report says complete"
    if not trial.clean:
        return "left: " + "; ".join([*trial.leftovers, *trial.processes])
    return None


def _interrupted(
    kind: SignalKind, args: tuple[str, ...], rng: random.Random, out: str
) -> tuple[InterruptTrial, list[str]]:
    """One trial, and what could not be removed after it.  A run that ended before its moment
    came interrupted nothing: it is run again with a moment drawn within the time its tests
    took, up to :data:`REDRAWS` times."""
    at_s = rng.uniform(0, LATEST_S)
    for _ in range(REDRAWS + 1):
        trial = interrupt_run(kind, args, at_s=at_s, report_dir=out)
        left = trial.remove_leftovers()
        if trial.signalled_at_s is not None or trial.report is None:
            break
        at_s = rng.uniform(0, 0.8 * float(trial.report["run"]["duration_s"]))
    return trial, left


def interrupts(count: int, rng: random.Random, say: Callable[[str], None]) -> Row:
    """``count`` interrupted runs, the signal kinds in turn, the gates alternating."""
    gates = list(_gates().items())
    problems: list[str] = []
    for i in range(count):
        kind = SIGNAL_KINDS[i % len(SIGNAL_KINDS)]
        label, args = gates[i % len(gates)]
        with tempfile.TemporaryDirectory(prefix="rtgate-reliability.") as out:
            trial, left = _interrupted(kind, args, rng, out)
            problem = trial_problem(trial)
        say(f"  {label} {kind} at {trial.signalled_at_s} s: {problem or 'good'}")
        if problem:
            problems.append(f"{label} {kind}: {problem}{'; not removed: ' if left else ''}"
                            f"{'; '.join(left)}")  # fmt: skip
    return ("interrupted real-host runs", count, count - len(problems), problems)


def _outcomes(report_dir: Path) -> dict[str, str]:
    import json

    report: dict[str, Any] = json.loads((report_dir / "compliance.json").read_text())
    return {r["id"]: r["outcome"] for r in report["requirements"]}


def reruns(count: int, say: Callable[[str], None]) -> Row:
    """``count`` runs of each gate; every run's outcomes against its gate's first run."""
    problems: list[str] = []
    tried = 0
    for label, args in _gates().items():
        first: dict[str, str] | None = None
        for i in range(count):
            with tempfile.TemporaryDirectory(prefix="rtgate-reliability.") as out:
                argv = [sys.executable, "-m", "rtgate", "run", *args, "--report-dir", out]
                done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900)
                outcomes = _outcomes(Path(out)) if done.returncode in (0, 1) else {}
            tried += 1
            if not outcomes:
                problems.append(f"{label} run {i + 1}: exit {done.returncode}: {done.stderr}")
                continue
            first = first or outcomes
            differ = sorted(r for r in first.keys() | outcomes.keys()
                            if first.get(r) != outcomes.get(r))  # fmt: skip
            say(f"  {label} run {i + 1}: exit {done.returncode}, {len(differ)} differ")
            if differ:
                problems.append(f"{label} run {i + 1} differs from run 1 on {', '.join(differ)}")
    return ("reruns, requirement by requirement", tried, tried - len(problems), problems)


def bad_inputs(say: Callable[[str], None]) -> Row:
    """Every bad input of the tests' table, judged as the tests judge it."""
    problems: list[str] = []
    for case in CASES:
        with tempfile.TemporaryDirectory(prefix="rtgate-reliability.") as tmp:
            try:
                problem = problem_with(case, run_case(case, Path(tmp)), Path(tmp))
            except subprocess.TimeoutExpired:
                problem = f"hung (killed after {case.timeout} s)"
        if problem:
            say(f"  {case.name}: {problem}")
            problems.append(f"{case.name}: {problem}")
    return ("bad inputs", len(CASES), len(CASES) - len(problems), problems)


def table(rows: list[Row]) -> list[str]:
    width = max(len(part) for part, *_ in rows)
    lines = [f"{'part':<{width}}  {'tried':>5}  {'good':>5}  {'bad':>5}"]
    for part, tried, good, problems in rows:
        lines.append(f"{part:<{width}}  {tried:>5}  {good:>5}  {tried - good:>5}")
        lines += [f"    {problem}" for problem in problems]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="interrupted runs (default 20)")
    parser.add_argument("--reruns", type=int, default=5, help="runs of each gate (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="the random moments' seed")
    parser.add_argument(
        "--part", action="append", choices=PARTS, help="only this part (repeatable); default: all"
    )
    args = parser.parse_args(argv)
    parts = set(args.part or PARTS)

    def say(line: str) -> None:
        print(line, flush=True)

    rows: list[Row] = []
    refused = real_host_unavailable()
    if refused is not None:
        say(f"interrupts and reruns skipped: the real host is unavailable: {refused}")
    if refused is None and "interrupts" in parts:
        say(f"interrupts: {args.trials} trials")
        rows.append(interrupts(args.trials, random.Random(args.seed), say))
    if refused is None and "reruns" in parts:
        say(f"reruns: {args.reruns} of each gate")
        rows.append(reruns(args.reruns, say))
    if "bad-inputs" in parts:
        say(f"bad inputs: {len(CASES)}")
        rows.append(bad_inputs(say))
    for line in table(rows):
        say(line)
    left = find_leftovers().describe() if refused is None else []
    say(f"leftovers of any run on this machine now: {len(left)}")
    for line in left:
        say(f"    {line}")
    return 0 if all(tried == good for _, tried, good, _ in rows) and not left else 1


if __name__ == "__main__":
    sys.exit(main())
