"""``rtgate replay REPORT --requirement ID``: the shrunk sequence a state machine found, run
again, exactly, against the report's subject or another one.

The report keeps what a replay needs as data: the failing test, its steps, and the choice
sequence Hypothesis printed as ``@reproduce_failure(version, blob)`` (which cannot be pasted on
a test of the installed suite); the run's command gives the subject, profile, preset and
flags.  The replay is that command for the one requirement and the one test, with the
machines told to run that sequence alone (``--rtgate-replay``).  It says whether the sequence
still fails; Hypothesis reports a sequence that no longer fails as DidNotReproduce.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import hypothesis

from harness.cli._report import report_file
from harness.errors import UsageError
from harness.plugin.hypothesis_profiles import reproduce_arguments
from harness.report.json_writer import read_json
from harness.report.model import Report
from harness.report.model import TestResult
from harness.report.rerun import rerun_words

__all__ = ["replay"]

#: what Hypothesis raises when a replayed sequence no longer fails
_NOT_REPRODUCED = "DidNotReproduce"


def replay(args: argparse.Namespace) -> int:
    """Replay; 1 when the sequence still fails, 0 when it passes now.

    Raises:
        UsageError: the report has no shrunk sequence for the requirement, or it was found
            by another Hypothesis version.
        InputFileError: REPORT is no report.
    """
    from harness.cli import main  # the command is rtgate run's

    report = read_json(report_file(args.report))
    test = _recorded(report, args.requirement)
    assert test.hypothesis is not None and test.hypothesis.reproduce is not None
    found = reproduce_arguments(test.hypothesis.reproduce)
    if found is None:
        raise UsageError(f"cannot read the sequence {test.hypothesis.reproduce!r}")
    version, blob = found
    if version != hypothesis.__version__:
        raise UsageError(
            f"the sequence was found with Hypothesis {version}; this is "
            f"{hypothesis.__version__}, under which it would be another sequence"
        )
    out = Path(args.report_dir or tempfile.mkdtemp(prefix="rtgate-replay-"))
    code = main(_argv(report, args, test, f"{version}:{blob}", out))
    outcome = _outcome(out, test.nodeid, code)
    print(f"rtgate replay: {test.nodeid} against {args.subject or report.run.subject}: {outcome}")
    return 1 if outcome.startswith("still fails") else 0 if outcome == "passes now" else code


def _recorded(report: Report, requirement: str) -> TestResult:
    """The first test that failed ``requirement`` with a shrunk sequence in the report."""
    if requirement not in {r.id for r in report.requirements}:
        raise UsageError(f"the report has no requirement {requirement!r}")
    for test in report.tests:
        if (
            requirement in test.requirements
            and test.outcome_for(requirement) in ("fail", "error")
            and test.hypothesis is not None
            and test.hypothesis.reproduce
        ):
            return test
    raise UsageError(
        f"no test failed {requirement} with a shrunk sequence in this report (only state machine"
        " failures have one): 'rtgate run --failed REPORT' reruns any failure"
    )


def _argv(
    report: Report, args: argparse.Namespace, test: TestResult, sequence: str, out: Path
) -> list[str]:
    """The report's command for the requirement and the one test, replaying ``sequence``."""
    found = rerun_words(report.run.command, [args.requirement])
    if found is None:
        raise UsageError("the report names no 'rtgate run' command to replay with")
    words, tail = found
    function = test.nodeid.rpartition("::")[2].partition("[")[0]
    words += ["-k", function, "--report-dir", str(out)]
    if args.subject:
        words += ["--subject", args.subject]
    return [*words, *(tail or ["--"]), f"--rtgate-replay={sequence}"]


def _outcome(out: Path, nodeid: str, code: int) -> str:
    """What the replayed test did, from the replay's own report."""
    try:
        tests = {t.nodeid: t for t in read_json(out / "compliance.json").tests}
    except (OSError, ValueError):
        return f"could not be replayed (rtgate run exit {code})"
    test = tests.get(nodeid)
    if test is None:
        return f"could not be replayed: the run had no test {nodeid}"
    if test.outcome in ("fail", "error") and _NOT_REPRODUCED in (test.message or ""):
        return "passes now"
    if test.outcome in ("fail", "error"):
        return f"still fails: {(test.message or '').splitlines()[0] if test.message else ''}"
    return f"ended {test.outcome}"
