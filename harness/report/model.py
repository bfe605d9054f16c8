"""The one result model every writer reads: what ran, how each test and requirement ended.

Values only: the plugin builds a :class:`Report`, the writers turn it into files, and
:func:`harness.report.json_writer.from_json` turns ``compliance.json`` back into one.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from typing import Literal

#: the exception name of a scenario step that failed before its check
_SETUP_STEP = re.compile(r"^(?:[\w.]+\.)?SetupFailed: ")
#: the exception line of a call into a ``python:`` subject that did not return within its limit
#: (harness/subjects/bounded.py), as pytest gives it, after the phase an error names
_STUCK = re.compile(r"^(?:error in \w+: )?(?:[\w.]+\.)?CallTimedOut: ")

__all__ = [
    "MAX_CHECK_MESSAGES",
    "MAX_COMMANDS",
    "CheckTally",
    "CommandResult",
    "ExpectedFailure",
    "FATAL_LEVELS",
    "HypothesisFailure",
    "OUTCOMES",
    "Outcome",
    "Report",
    "RequirementResult",
    "RunInfo",
    "Summary",
    "TestResult",
    "Verdict",
    "stuck_subject",
]

#: How a test or a requirement ended.  ``untested`` is only ever a requirement's outcome.
Outcome = Literal["pass", "fail", "skip", "xfail", "xpass", "error", "untested"]
OUTCOMES: tuple[Outcome, ...] = ("pass", "fail", "skip", "xfail", "xpass", "error", "untested")
Verdict = Literal["pass", "fail"]
#: The levels whose failure or error fails the verdict.
FATAL_LEVELS = ("MUST", "MUST NOT")
#: how many commands one test keeps in the report (the last ones: they led to the failure)
MAX_COMMANDS = 40
#: how many distinct messages of failed checks one requirement keeps per test
MAX_CHECK_MESSAGES = 5


@dataclasses.dataclass(frozen=True, slots=True)
class RunInfo:
    """What was tested, where, with which rules and which rtgate."""

    subject: str
    subject_version: str
    host: str
    profile: str
    rtgate_version: str
    #: ISO-8601 UTC, e.g. ``2025-01-31T12:00:00Z``
    started_at: str
    duration_s: float
    #: what probing the host found (cgroup version, resctrl features, ...); empty when not probed
    host_probe: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: the expectations file applied (path, sha256, subject, versions); empty when none
    expectations: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: short names of what the host offers (``cgroup-v1``, ``resctrl``, ``cdp``, ``mba``, ...),
    #: sorted: what expectations are keyed on and what a fleet report groups hosts by
    host_features: tuple[str, ...] = ()
    #: how Hypothesis ran: settings profile, ``derandomize``, ``seed`` (None: derived per test)
    #: and its version, so that a failing sequence can be replayed
    hypothesis: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: ``--strict``: an xpass fails the verdict
    strict: bool = False
    #: ``--certify``: no expectations allowed (implies strict)
    certify: bool = False
    #: the rtgate command line of the run, for a person who wants to run it again
    command: str = ""
    #: global flags the runtime was given before every command (``--runtime-arg``)
    runtime_args: tuple[str, ...] = ()
    #: ``--oci-version``: the ociVersion every bundle declared, rules of later runtime-spec
    #: releases skipped; None when not given (bundles declare 1.0.2, and a rule of a later
    #: release its own where the runtime's features reach it)
    oci_version: str | None = None
    #: ``--require``: the host features the gate demands of its host
    required: tuple[str, ...] = ()
    #: ``--requirement``: the requirements the run was limited to, whose verdict is judged
    #: over them alone; empty for a run of the whole profile
    selected: tuple[str, ...] = ()
    #: False while the run is still going or when it was interrupted: then the report holds
    #: only what had finished, and its verdict is not a gate's answer
    complete: bool = True
    #: what stopped the run before its end: ``SIGINT``, ``SIGTERM`` or ``timeout after 600 s``
    #: (``rtgate run --timeout``); empty when nothing did
    stopped: str = ""

    @property
    def unfinished(self) -> str:
        """Why an incomplete report is: what every format says of it, without a full stop."""
        if self.stopped.startswith("timeout"):
            return f"this run reached its time limit (--timeout: {self.stopped}) and was stopped"
        if self.stopped:
            return f"this run was interrupted ({self.stopped})"
        return "this run was interrupted or is still going"


@dataclasses.dataclass(frozen=True, slots=True)
class CommandResult:
    """One command a test ran against an OCI subject (or the reference's command line)."""

    argv: tuple[str, ...]
    #: the exit status; negative for a signal
    exit_code: int
    duration_s: float
    #: the end of its stderr
    stderr_tail: str = ""
    timed_out: bool = False
    #: the processes of its group that its timeout killed, as "pid (comm)"
    killed: tuple[str, ...] = ()
    #: those of them still alive after the kill
    survived: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """How it ended, as every format says it: ``exit 1``, ``timed out``, ``timed out;
        killed 41 (runc), 42 (sleep); survived 42 (sleep)``."""
        if not self.timed_out:
            return f"exit {self.exit_code}"
        said = ["timed out"]
        said += [f"killed {', '.join(self.killed)}"] if self.killed else []
        said += [f"survived {', '.join(self.survived)}"] if self.survived else []
        return "; ".join(said)


@dataclasses.dataclass(frozen=True, slots=True)
class HypothesisFailure:
    """The smallest failing example Hypothesis found, as steps a person can replay."""

    #: the falsifying example, one step per line: ``state = Machine()``, ``state.create(...)``
    steps: tuple[str, ...]
    #: the ``@reproduce_failure(...)`` decorator that replays it exactly, when printed
    reproduce: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class CheckTally:
    """The checks (``verify`` calls) one requirement had: how many ran, which failed.

    A requirement passes only on checks of its own: at least one ran and none failed.
    """

    requirement: str
    ran: int
    failed: int = 0
    #: the distinct messages of the failed checks, the first :data:`MAX_CHECK_MESSAGES`
    messages: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """``3 checks ran, 1 failed``: what every format says of it."""
        return f"{self.ran} check{'' if self.ran == 1 else 's'} ran, {self.failed} failed"

    def __add__(self, other: CheckTally) -> CheckTally:
        messages = tuple(dict.fromkeys(self.messages + other.messages))[:MAX_CHECK_MESSAGES]
        return CheckTally(
            self.requirement, self.ran + other.ran, self.failed + other.failed, messages
        )


@dataclasses.dataclass(frozen=True, slots=True)
class TestResult:
    """One pytest test, all phases folded into one outcome."""

    __test__ = False  # not a pytest test class, despite the name

    nodeid: str
    outcome: Outcome
    duration_s: float
    #: the requirements the test declares with ``@pytest.mark.requirement``
    requirements: tuple[str, ...] = ()
    #: the requirements it recorded as violated while failing
    violates: tuple[str, ...] = ()
    #: the exception line of a failure or error, or the reason of a skip or xfail
    message: str | None = None
    #: the traceback text, trimmed
    details: str | None = None
    #: the commands it ran, the last :data:`MAX_COMMANDS` of them
    commands: tuple[CommandResult, ...] = ()
    #: how many earlier commands were left out of ``commands``
    commands_omitted: int = 0
    #: the summed durations of every command it ran, those left out included
    commands_s: float = 0.0
    #: the failing example of a Hypothesis test that failed
    hypothesis: HypothesisFailure | None = None
    #: the checks each requirement had, by requirement id; None in a report of an rtgate that
    #: did not count checks (then the older rule applies: see :meth:`judge`)
    checks: tuple[CheckTally, ...] | None = None

    def outcome_for(self, req_id: str) -> Outcome:
        """How this test counts for ``req_id`` (see :meth:`judge`)."""
        return self.judge(req_id)[0]

    def tally(self, req_id: str) -> CheckTally | None:
        """The checks ``req_id`` had in this test; None when checks were not counted."""
        if self.checks is None:
            return None
        for tally in self.checks:
            if tally.requirement == req_id:
                return tally
        return CheckTally(req_id, 0)

    def judge(self, req_id: str) -> tuple[Outcome, str | None]:
        """How this test counts for ``req_id``, and why when it is not a pass.

        A requirement's outcome comes from its own checks: one that failed is a failure; one
        that had checks and all passed passes, even when the test then failed on another one.
        One whose checks never ran is never a pass: ``untested`` ("not reached") when the test
        stopped on another requirement's failed check or passed without checking it, ``error``
        ("setup failed") when something else stopped the test first.
        """
        tally = self.tally(req_id)
        if tally is None:
            return self._judge_uncounted(req_id), self.message
        if self.outcome in ("skip", "xpass"):
            return self.outcome, self.message
        if tally.failed or req_id in self.violates:
            return ("xfail" if self.outcome == "xfail" else "fail"), self._failure(req_id, tally)
        if self.outcome == "error":
            return "error", self.message if tally.ran else self._setup_failed()
        if tally.ran:
            return "pass", None
        if self.outcome == "pass":
            return "untested", f"no check ran: {self.nodeid} passed without checking it"
        if self.violates:
            return "untested", f"not reached: {self.nodeid} failed on {', '.join(self.violates)}"
        return "error", self._setup_failed()

    def _setup_failed(self) -> str:
        line = (self.message or self.outcome).removeprefix("error in setup: ")
        if stuck_subject(line):  # no setup step failed: the subject never answered
            return _STUCK.sub("", line)
        # a scenario's failed step (harness/scenarios/_support/setting_up.py) says it all
        line = _SETUP_STEP.sub("", line)
        return f"setup failed: {(line.splitlines() or [''])[0]}"

    def _failure(self, req_id: str, tally: CheckTally) -> str | None:
        """The message of ``req_id``'s failure: the test's own when it is about ``req_id``
        alone (it names it and no other failed rule, or blames nothing else), else the first
        failed check's."""
        own = self.message and (f"[{req_id}]" in self.message or self.violates == (req_id,))
        # a message that lists several failed rules leads with the first: give this one's own
        others = (f"[{v}]" for v in self.violates if v != req_id)
        shared = self.message and any(other in self.message for other in others)
        if (own and not shared) or not tally.messages:
            return self.message
        return tally.messages[0]

    def _judge_uncounted(self, req_id: str) -> Outcome:
        """The rule of reports without check counts: a failed test that names what it
        violated blames only those, and every other requirement it declares passed."""
        if req_id in self.violates and self.outcome not in ("error", "xfail"):
            return "fail"
        if self.outcome in ("fail", "xfail") and self.violates and req_id not in self.violates:
            return "pass"
        return self.outcome


@dataclasses.dataclass(frozen=True, slots=True)
class ExpectedFailure:
    """The expectation that applied to a requirement: why, where it is tracked."""

    reason: str
    link: str
    #: ISO date after which it stops applying, or None
    expires: str | None = None
    #: the subject fails it only at times, so a pass of it stays a pass
    intermittent: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class RequirementResult:
    """One requirement of the profile and the verdict of its tests."""

    id: str
    level: str
    title: str
    source: str
    url: str | None
    scope: str
    area: str
    outcome: Outcome
    #: node ids of the tests that check it or reported violating it, sorted
    tests: tuple[str, ...] = ()
    #: why it did not pass: the first failing test's message, or the skip reasons
    message: str | None = None
    #: the runtime-spec version a command-line rule comes from
    spec_version: str | None = None
    #: the expectation behind an xfail or xpass
    expectation: ExpectedFailure | None = None
    #: its checks over all its tests; None when the report did not count checks
    checks: CheckTally | None = None

    @property
    def fatal(self) -> bool:
        """Whether this result alone fails the verdict (outside strict mode)."""
        if self.outcome == "untested":
            return True
        return self.level in FATAL_LEVELS and self.outcome in ("fail", "error")

    def fails_verdict(self, strict: bool) -> bool:
        """Whether it fails the verdict; in strict mode an xpass does too (a stale expectation)."""
        return self.fatal or (strict and self.outcome == "xpass")


@dataclasses.dataclass(frozen=True, slots=True)
class Summary:
    """Counts of requirement outcomes (every outcome present, zeros included) and the verdict."""

    counts: dict[str, int]
    #: counts of test outcomes, in the same shape
    test_counts: dict[str, int]
    verdict: Verdict
    #: ids of the requirements that failed the verdict, sorted
    fatal: tuple[str, ...] = ()
    #: why the verdict fails beyond ``fatal``, one line each (harness/report/unchecked.py): a run
    #: that checked nothing, a certification run with skips no missing host feature explains
    verdict_notes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    """A whole run: what ran, the summary, every requirement of the profile, every test."""

    run: RunInfo
    summary: Summary
    requirements: tuple[RequirementResult, ...]
    tests: tuple[TestResult, ...]

    def requirement(self, req_id: str) -> RequirementResult:
        """The result of ``req_id``.

        Raises:
            KeyError: the requirement is not part of this report's profile.
        """
        for result in self.requirements:
            if result.id == req_id:
                return result
        raise KeyError(req_id)


def stuck_subject(line: str) -> bool:
    """Whether ``line``, the exception line of a test, says a call into the subject did not
    return within its limit: the test is then an error, not a conformance failure."""
    return _STUCK.match(line) is not None
