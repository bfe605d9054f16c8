"""The run-time half of the plugin: test reports in, one :class:`Report` out.

Registered only on the controller (never on an xdist worker), so every test is counted once:
workers send their reports, with ``user_properties``, to the controller's
``pytest_runtest_logreport``.  A test's setup, call and teardown fold into one outcome:
a failing setup or teardown is an ``error`` (the harness or host broke, not the subject).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import time
from typing import Any

import pytest

from harness import interrupts
from harness.build_info import full_version
from harness.errors import InputFileError
from harness.plugin import hypothesis_profiles
from harness.plugin.checks import CHECKS_PROPERTY
from harness.plugin.checks import tallies_from
from harness.plugin.commands import COMMANDS_PROPERTY
from harness.plugin.hypothesis_profiles import parse_hypothesis
from harness.plugin.keys import driven_key
from harness.plugin.keys import failure_logs_key
from harness.plugin.keys import report_error_key
from harness.plugin.keys import report_key
from harness.plugin.keys import requirements_key
from harness.plugin.keys import verdict_key
from harness.plugin.options import RunOptions
from harness.report.aggregate import build_report
from harness.report.aggregate import judge_run
from harness.report.expectations import Expectation
from harness.report.expectations import applicable
from harness.report.expectations import apply_expectations
from harness.report.formats import write_all
from harness.report.model import CheckTally
from harness.report.model import CommandResult
from harness.report.model import HypothesisFailure
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import RunInfo
from harness.report.model import TestResult
from harness.report.model import stuck_subject
from harness.report.summary import render_summary

__all__ = ["MAX_DETAILS", "OutcomeCollector", "applying_expectations"]

#: how many lines of a failed test's captured log the terminal shows (the end of its story)
LOG_LINES = 3
#: how much traceback text one test keeps in the report
MAX_DETAILS = 4096
_HEAD = 1024
# Worst first, as in harness.report.aggregate.
_RANK: tuple[Outcome, ...] = ("error", "fail", "xpass", "xfail", "pass", "skip")


@dataclasses.dataclass(slots=True)
class _Record:
    """What is known of one test so far; mutable while its phases arrive."""

    nodeid: str
    outcome: Outcome | None = None
    duration_s: float = 0.0
    message: str | None = None
    details: str | None = None
    requirements: list[str] = dataclasses.field(default_factory=list)
    violates: list[str] = dataclasses.field(default_factory=list)
    commands: tuple[CommandResult, ...] = ()
    commands_omitted: int = 0
    commands_s: float = 0.0
    hypothesis: HypothesisFailure | None = None
    checks: tuple[CheckTally, ...] | None = None
    #: the last lines of the captured log of the phase that failed
    log: tuple[str, ...] = ()

    def add(self, report: pytest.TestReport) -> None:
        self.duration_s += report.duration
        for name, value in report.user_properties:
            bucket = {"requirement": self.requirements, "violates": self.violates}.get(name)
            if bucket is not None and value not in bucket:
                bucket.append(value)
            if name == COMMANDS_PROPERTY:  # each phase repeats the list: the last one is whole
                self.commands, self.commands_omitted = _commands(value)
                self.commands_s = float(value.get("seconds", 0.0))
            if name == CHECKS_PROPERTY:  # each phase carries the counts so far
                self.checks = tallies_from(value)
        if report.failed:
            lines = [line.rstrip() for line in report.caplog.splitlines() if line.strip()]
            self.log = tuple(lines[-LOG_LINES:]) or self.log
            texts = [text for title, text in report.sections if title == "Hypothesis"]
            texts.append(str(report.longrepr) if report.longrepr is not None else "")
            for text in texts:
                self.hypothesis = parse_hypothesis(text) or self.hypothesis
        outcome = _phase_outcome(report)
        if outcome is None:
            return
        if self.outcome is None or _RANK.index(outcome) < _RANK.index(self.outcome):
            self.outcome = outcome
            self.message, self.details = _describe(report, outcome)

    def result(self) -> TestResult:
        return TestResult(
            nodeid=self.nodeid,
            outcome=self.outcome or "error",
            duration_s=self.duration_s,
            requirements=tuple(sorted(self.requirements)),
            violates=tuple(sorted(self.violates)),
            message=self.message if self.outcome else "the test stopped before it ran",
            details=self.details,
            commands=self.commands,
            commands_omitted=self.commands_omitted,
            commands_s=self.commands_s,
            hypothesis=self.hypothesis,
            checks=self.checks,
        )


class OutcomeCollector:
    """Collects test outcomes and, at session finish, builds, stores and writes the report."""

    def __init__(self, config: pytest.Config, options: RunOptions) -> None:
        self.config = config
        self.options = options
        self.records: dict[str, _Record] = {}
        self.collect_errors: list[pytest.CollectReport] = []
        self.started_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.started = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.records.setdefault(report.nodeid, _Record(report.nodeid))
        record.add(report)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """A run of pytest's last failed (``--lf``), and a plain pytest session narrowed to some
        tests (``-k``, ``-m``, node ids or files), is, like one of ``--requirement``, a
        selection of their requirements, judged over them alone: its verdict and exit code are
        about what it ran, not a whole profile it left untested.  (``rtgate run -k`` keeps its
        documented meaning: what it leaves out is untested.  Under xdist the workers collect,
        and the run stays whole.)"""
        if self.options.selected or not session.items:
            return
        driven = self.config.stash.get(driven_key, False)
        if not (self.config.getoption("lf", False) or (not driven and _narrowed(self.config))):
            return
        chosen = {rid for item in session.items for rid in item.stash.get(requirements_key, ())}
        if chosen:
            self.options = dataclasses.replace(self.options, selected=tuple(sorted(chosen)))

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        # A report marked incomplete first: a run killed before it ends leaves that, never
        # the previous run's report looking like this one's, nor a half-written file.
        self._write(self.build(complete=False))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        """No test runs when the report could not even be started: its time would be lost."""
        return True if report_error_key in self.config.stash else None

    def _write(self, report: Report) -> None:
        """Write every format, or record why they could not be written: one line at the end
        (``rtgate run``: exit 2; plugin mode: a usage error), never an INTERNALERROR."""
        if self.options.report_dir is None:
            return
        try:
            write_all(report, self.options.report_dir)
        except InputFileError as err:
            self.config.stash[report_error_key] = err

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED or bool(session.shouldstop)
        report = self._write_final(interrupted)
        self.config.stash[report_key] = report
        self.config.stash[failure_logs_key] = {
            nodeid: record.log for nodeid, record in self.records.items() if record.log
        }
        self.config.stash[verdict_key] = report.summary.verdict
        report_dir = self.options.report_dir
        self.config.hook.pytest_rtgate_report(
            report=report, report_dir=report_dir, config=self.config
        )
        if report_error_key in self.config.stash:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        elif self._verdict_is_the_exit_code(report, exitstatus):
            session.exitstatus = (
                pytest.ExitCode.OK
                if report.summary.verdict == "pass"
                else pytest.ExitCode.TESTS_FAILED
            )

    def _write_final(self, interrupted: bool) -> Report:
        """The report of the run, written whole whatever signal comes meanwhile: a run that
        a signal reached at any time (even one that something caught) is incomplete, and so
        is the report on disk, rewritten if the signal came while it was written."""
        with interrupts.shielded(raise_after=False):
            report = self.build(complete=not (interrupted or interrupts.received()))
            self._write(report)
            if report.run.complete and interrupts.received():
                report = self.build(complete=False)
                self._write(report)
        return report

    def _verdict_is_the_exit_code(self, report: Report, exitstatus: int) -> bool:
        """Plain pytest ran rtgate's suite (tests that name requirements; ``rtgate run``
        sets its exit code itself) and the verdict could be formed: pytest's exit code says
        nothing when an expected failure is a failed test, the verdict does."""
        formed = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
        driven = self.config.stash.get(driven_key, False)
        return formed and not driven and _names_requirements(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(report)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Plain pytest: the verdict block that ``rtgate run`` prints, after pytest's own.
        ``rtgate run``, which turns pytest's tracebacks off: why the suite did not collect
        (the suite's own fault, never the runtime's, and nothing else would say it)."""
        report = self.config.stash.get(report_key, None)
        failed = self.config.stash.get(report_error_key, None)
        if failed is not None and not self.config.stash.get(driven_key, False):
            terminalreporter.write_line(f"rtgate: error: {failed}", red=True)
        if self.config.stash.get(driven_key, False):
            for failed in self.collect_errors:
                terminalreporter.write_sep("_", f"ERROR collecting {failed.nodeid}")
                terminalreporter.write_line(failed.longreprtext.rstrip())
            return
        if report is None:
            return
        if not _names_requirements(report):
            return
        terminalreporter.write_sep("=", "rtgate")
        for line in render_summary(report).splitlines():
            terminalreporter.write_line(line)
        if self.options.report_dir is not None:
            where = os.path.join(self.options.report_dir, "compliance.json")
            terminalreporter.write_line(f"report: {where} (for people: compliance.html)")

    def build(self, complete: bool = True) -> Report:
        """The report of everything seen so far; ``complete`` False marks it unfinished."""
        options = self.options
        holding, not_applying = _expectations_in_force(options)
        run = RunInfo(
            subject=options.subject.name,
            subject_version=options.subject_version,
            host=options.host,
            profile=options.profile,
            rtgate_version=full_version(),
            started_at=self.started_at,
            duration_s=time.monotonic() - self.started,
            host_probe=options.host_probe,
            host_features=options.host_features,
            expectations=_described(options, not_applying),
            hypothesis=hypothesis_profiles.describe(self.config),
            strict=options.strict,
            certify=options.certify,
            command=options.command,
            runtime_args=options.runtime_args,
            oci_version=options.oci_version,
            required=options.required,
            selected=options.selected,
            complete=complete,
            stopped=interrupts.stop_reason(),
        )
        # an unfinished report leaves out the tests still running: they have no outcome yet
        tests = [r.result() for r in self.records.values() if complete or r.outcome]
        report = build_report(run, options.requirements(), tests)
        if not holding:
            return report
        requirements = apply_expectations(report.requirements, holding)
        needs = {r.id: r.host_features for r in options.requirements()}
        summary = judge_run(run, requirements, report.tests, needs)
        return dataclasses.replace(report, requirements=requirements, summary=summary)


def _names_requirements(report: Report) -> bool:
    """Whether the session ran rtgate's suite: tests that name requirements."""
    return any(test.requirements for test in report.tests)


def _narrowed(config: pytest.Config) -> bool:
    """Whether the session runs only some of the suite's tests by pytest's own choosers."""
    option = config.option
    if getattr(option, "keyword", "") or getattr(option, "markexpr", ""):
        return True
    if config.getoption("lf", False):
        return True
    return any("::" in arg or arg.endswith(".py") for arg in config.args)


def applying_expectations(options: RunOptions) -> dict[str, Expectation]:
    """The expectations of the run that apply today to its subject version and host."""
    return _expectations_in_force(options)[0]


def _expectations_in_force(options: RunOptions) -> tuple[dict[str, Expectation], dict[str, str]]:
    """The entries that apply today, by requirement, and why each other one does not."""
    if options.expectations is None:
        return {}, {}
    return applicable(
        options.expectations,
        _today(),
        options.subject_version,
        options.host_features,
        options.profile,
    )


def _described(options: RunOptions, not_applying: dict[str, str]) -> dict[str, Any]:
    """What the report says of the expectations file, with the entries that did not apply."""
    if options.expectations is None:
        return {}
    return {**options.expectations.describe(), "not_applying": dict(sorted(not_applying.items()))}


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def _commands(value: Any) -> tuple[tuple[CommandResult, ...], int]:
    """The commands property (see :func:`harness.plugin.commands.attach_commands`)."""
    commands = tuple(
        CommandResult(
            argv=tuple(c["argv"]),
            exit_code=int(c["exit_code"]),
            duration_s=float(c["duration_s"]),
            stderr_tail=str(c.get("stderr_tail", "")),
            timed_out=bool(c.get("timed_out", False)),
            killed=tuple(c.get("killed", ())),
            survived=tuple(c.get("survived", ())),
        )
        for c in value["commands"]
    )
    return commands, int(value.get("omitted", 0))


def _phase_outcome(report: pytest.TestReport) -> Outcome | None:
    """What one phase says about the test; ``None`` for a setup or teardown that passed."""
    if hasattr(report, "wasxfail"):
        if report.skipped:
            return "xfail"
        if report.passed:
            return "xpass"
    if report.when == "call":
        if report.failed and stuck_subject(_crash_line(report)):
            return "error"  # the subject never answered: no conformance failure
        return {"passed": "pass", "failed": "fail"}.get(report.outcome, "skip")
    if report.failed:
        return "error"
    if report.skipped:
        return "skip"
    return None


def _describe(report: pytest.TestReport, outcome: Outcome) -> tuple[str | None, str | None]:
    """The message line and the trimmed traceback text of one phase."""
    if outcome in ("pass",):
        return None, None
    if outcome in ("xfail", "xpass"):
        reason = str(getattr(report, "wasxfail", "") or "")
        # An xfail keeps the failure it hid (pytest leaves it in longrepr): the report shows it.
        longrepr = report.longrepr
        details = None
        if longrepr is not None and not isinstance(longrepr, tuple):
            details = _trim(str(longrepr), MAX_DETAILS)
        return (reason or outcome), details
    if outcome == "skip":
        return _skip_reason(report), None
    # str(longrepr), not report.longreprtext: under xdist the latter starts with a line
    # naming the worker, which would make serial and parallel reports differ.
    text = str(report.longrepr) if report.longrepr is not None else ""
    line = _crash_line(report) or (text.strip().splitlines() or [outcome])[-1]
    if outcome == "error":
        line = f"error in {report.when}: {line}"
    return _trim(line, 1024), _trim(text, MAX_DETAILS)


def _crash_line(report: pytest.TestReport) -> str:
    """The exception line of a failed phase (``module.Error: message``), or empty."""
    crash = getattr(report.longrepr, "reprcrash", None)
    return str(crash.message) if crash is not None else ""


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
    else:
        reason = report.longreprtext
    return reason.removeprefix("Skipped: ").strip() or "skipped"


def _trim(text: str, limit: int) -> str:
    """Keep the head and the tail (where Hypothesis prints its falsifying example)."""
    if len(text) <= limit:
        return text
    tail = limit - _HEAD if limit > 2 * _HEAD else limit // 2
    head = limit - tail
    cut = len(text) - head - tail
    return f"{text[:head]}\n[... {cut} characters cut ...]\n{text[-tail:]}"
