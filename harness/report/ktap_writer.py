"""``compliance.ktap``: the report in KTAP version 1, the kernel's test output format.

KTAP (Documentation/dev-tools/ktap.rst) is what KUnit and kselftest print and what kernel CI
systems (KernelCI, LKFT) already parse, so a runtime's conformance can sit beside the kernel's
own tests there.  The layout:

- a ``KTAP version 1`` line, the plan ``1..N``, then ``# `` diagnostic lines with the run: rtgate
  version, verdict, ``INCOMPLETE`` when the run did not finish, subject, host, profile, mode and
  expectations;
- one top-level test per requirement, its description the requirement id; before its result
  line come its subtests and ``# `` diagnostics with the id, level, title and message;
- the subtests are the pytest tests of the requirement, in a nested block (two more spaces of
  indentation, its own version line and plan) that precedes the requirement's result line; their
  description is the node id with every character outside ``[A-Za-z0-9_.:/=+,[]-]`` replaced by
  ``_`` (the spec forbids ``#`` in a description; spaces would split it for some parsers);
- a ``# Totals:`` line at the end, as kselftest prints one.

Outcomes map to result lines as follows; ``ok`` and ``not ok`` say whether the requirement is
met, whatever its level, and the verdict (which only MUST and MUST NOT failures decide) is in the
diagnostics:

============  ===========================================  ====================================
outcome       result line                                  why
============  ===========================================  ====================================
pass          ``ok n ID``
fail          ``not ok n ID`` (subtest: ``# TIMEOUT`` when  the spec's TIMEOUT is for a test
              a command timed out)                         that ran out of time
error         ``not ok n ID # ERROR <message>``            ERROR: the test could not run
skip          ``ok n ID # SKIP <reason>``                  as the spec shows skips
xfail         ``ok n ID # XFAIL <reason>``                 as kselftest prints an expected
                                                           failure (``ksft_test_result_xfail``):
                                                           it happened as expected, so it does
                                                           not count as a failure
xpass         ``ok n ID`` and a ``# XPASS`` diagnostic;    it passed; only ``--strict`` makes a
              ``not ok n ID # ERROR stale expectation``    stale expectation fail the verdict
              in strict mode
untested      ``not ok n ID # ERROR untested``             no test checks it, or none reached a
              (subtest: ``not ok n TEST``, its reason      check of it, which is never a pass
              "not reached: ..." as a diagnostic)          (SKIP would read as ``ok``)
============  ===========================================  ====================================

A requirement's ``# checks: 3 checks ran, 1 failed`` diagnostic counts its checks over all its
tests (reports that did not count checks have none).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from harness.report._atomic import write_text_atomic
from harness.report._text import clean_text
from harness.report.model import OUTCOMES
from harness.report.model import CommandResult
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import RequirementResult
from harness.report.model import RunInfo
from harness.report.model import TestResult
from harness.report.rerun import REPLAY_NOTE
from harness.report.rerun import replay_command

__all__ = ["safe_description", "to_ktap", "write_ktap"]

VERSION_LINE = "KTAP version 1"
INDENT = "  "
#: message lines per test, characters per diagnostic line and per directive reason
MESSAGE_LINES = 10
LINE_CHARS = 200
REASON_CHARS = 120
#: commands and Hypothesis steps shown per failing test
COMMANDS_SHOWN = 3
STEPS_SHOWN = 30

_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/=+,\[\]\-]")


def to_ktap(report: Report) -> str:
    """The report as KTAP version 1 text, ending in a newline."""
    strict = report.run.strict or report.run.certify
    tests = {t.nodeid: t for t in report.tests}
    lines = [VERSION_LINE, f"1..{len(report.requirements)}", *_run_lines(report)]
    for number, requirement in enumerate(report.requirements, 1):
        lines += _requirement_lines(number, requirement, tests, strict)
    counts = " ".join(f"{o}:{report.summary.counts.get(o, 0)}" for o in OUTCOMES)
    lines.append(_diagnostic(f"Totals: {counts}"))
    return "\n".join(lines) + "\n"


def write_ktap(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write :func:`to_ktap` to ``path`` atomically."""
    return write_text_atomic(path, to_ktap(report))


def safe_description(text: str) -> str:
    """``text`` as a KTAP description: no ``#``, no spaces, nothing a parser could misread."""
    return _UNSAFE.sub("_", clean_text(text)) or "_"


def _run_lines(report: Report) -> list[str]:
    run, summary = report.run, report.summary
    lines = [f"rtgate {run.rtgate_version}: verdict {summary.verdict.upper()}"]
    if not run.complete:
        lines.append(f"INCOMPLETE: {run.unfinished}; only the tests")
        lines.append("that had finished are reported, and the verdict is not a gate's answer")
    lines += [
        f"subject: {run.subject}, version {run.subject_version or 'unknown'}",
        f"host: {_host(run)}",
        f"profile: {run.profile}; strict: {_yes(run.strict)}; certify: {_yes(run.certify)}",
        f"expectations: {_expectations(run)}",
        f"started: {run.started_at}; duration: {run.duration_s:.1f} s",
    ]
    if run.host_probe.get("runtime_probe"):
        lines.append(f"runtime probe: {run.host_probe['runtime_probe']}")
    if summary.fatal:
        lines.append(f"failing the verdict ({len(summary.fatal)}): {', '.join(summary.fatal)}")
    lines += [f"verdict failed: {note}" for note in summary.verdict_notes]
    return [_diagnostic(line) for line in lines]


def _host(run: RunInfo) -> str:
    probe = run.host_probe
    if probe.get("preset"):
        host = f"{run.host} (preset {probe['preset']})"
    elif probe.get("kernel"):
        host = f"{run.host} (kernel {probe['kernel']}, cgroups {probe.get('cgroup_mode', '?')})"
    else:
        host = run.host
    return host + (f"; features: {', '.join(run.host_features)}" if run.host_features else "")


def _expectations(run: RunInfo) -> str:
    if not run.expectations:
        return "none"
    digest = str(run.expectations.get("sha256", ""))[:12]
    return f"{run.expectations.get('path', '?')} (sha256 {digest})"


def _requirement_lines(
    number: int, requirement: RequirementResult, tests: dict[str, TestResult], strict: bool
) -> list[str]:
    mine = [tests[n] for n in requirement.tests if n in tests]
    lines: list[str] = []
    if mine:
        lines += [INDENT + line for line in _subtest_block(requirement.id, mine)]
    head = f"{requirement.id}: {requirement.level} {requirement.title} ({requirement.outcome})"
    lines.append(_diagnostic(head))
    if requirement.expectation is not None:
        expectation = requirement.expectation
        lines.append(_diagnostic(f"expectation: {expectation.reason} <{expectation.link}>"))
    if requirement.outcome == "xpass":
        lines.append(_diagnostic("XPASS: expected to fail, but passed"))
    if requirement.checks is not None:
        lines.append(_diagnostic(f"checks: {requirement.checks.summary}"))
    if requirement.message and not mine:  # else its tests' diagnostics say it
        lines += _diagnostics(requirement.message)
    ok, directive = _requirement_result(requirement, strict)
    lines.append(_result_line(ok, number, safe_description(requirement.id), directive))
    return lines


def _requirement_result(requirement: RequirementResult, strict: bool) -> tuple[bool, str]:
    """(ok, directive) of a requirement; see the table in the module docstring."""
    if requirement.outcome == "untested":
        return False, "ERROR untested"
    if requirement.outcome == "xpass" and strict:
        return False, "ERROR stale expectation: passed in strict mode"
    reason = requirement.message or ""
    if requirement.expectation is not None:
        reason = requirement.expectation.reason
    return _result_of(requirement.outcome, reason)


def _result_of(outcome: Outcome, reason: str, timed_out: bool = False) -> tuple[bool, str]:
    if outcome in ("pass", "xpass"):
        return True, ""
    if outcome == "skip":
        return True, _directive("SKIP", reason)
    if outcome == "xfail":
        return True, _directive("XFAIL", reason)
    if outcome == "error":
        return False, _directive("ERROR", reason)
    return False, "TIMEOUT" if timed_out else ""


def _subtest_block(req_id: str, tests: list[TestResult]) -> list[str]:
    lines = [VERSION_LINE, f"1..{len(tests)}"]
    for number, test in enumerate(tests, 1):
        outcome, why = test.judge(req_id)
        failed = outcome in ("fail", "error", "untested")
        if failed or outcome in ("skip", "xfail"):
            lines += _diagnostics(why or test.message or "")
        if failed:
            lines += _command_lines(test.commands, test.commands_omitted)
            lines += _hypothesis_lines(test)
        timed_out = any(c.timed_out for c in test.commands)
        ok, directive = _result_of(outcome, test.message or "", timed_out)
        lines.append(_result_line(ok, number, safe_description(test.nodeid), directive))
    return lines


def _command_lines(commands: tuple[CommandResult, ...], omitted: int) -> list[str]:
    shown = commands[-COMMANDS_SHOWN:]
    earlier = omitted + len(commands) - len(shown)
    lines = [f"... {earlier} earlier command(s)"] if earlier else []
    for command in shown:
        status = command.status
        lines.append(f"$ {' '.join(command.argv)}  [{status}]")
        stderr = [line for line in clean_text(command.stderr_tail).splitlines() if line.strip()]
        if stderr:
            lines.append(f"  stderr: {stderr[-1]}")
    return [_diagnostic(line) for line in lines]


def _hypothesis_lines(test: TestResult) -> list[str]:
    """The failing sequence, one step a line, and the line that replays it, as far as known."""
    if test.hypothesis is None:
        return []
    steps = [f"  {step}" for step in test.hypothesis.steps[:STEPS_SHOWN]]
    if len(test.hypothesis.steps) > STEPS_SHOWN:
        steps.append(f"  ... {len(test.hypothesis.steps) - STEPS_SHOWN} more steps")
    lines = ["Hypothesis steps:", *steps] if steps else []
    replay = replay_command(test)
    if replay:
        lines.append(f"replay: {replay} ({REPLAY_NOTE})")
    return [_diagnostic(line) for line in lines]


def _result_line(ok: bool, number: int, description: str, directive: str) -> str:
    line = f"{'ok' if ok else 'not ok'} {number} {description}"
    return f"{line} # {directive}" if directive else line


def _directive(name: str, reason: str) -> str:
    first = next((line for line in clean_text(reason).splitlines() if line.strip()), "")
    flat = " ".join(first.split())
    if len(flat) > REASON_CHARS:
        flat = flat[: REASON_CHARS - 3] + "..."
    return f"{name} {flat}" if flat else name


def _diagnostics(text: str) -> list[str]:
    """A message as ``# `` lines: blank lines dropped, at most :data:`MESSAGE_LINES`."""
    lines = [line for line in clean_text(text).splitlines() if line.strip()]
    shown = [_diagnostic(line) for line in lines[:MESSAGE_LINES]]
    if len(lines) > MESSAGE_LINES:
        shown.append(_diagnostic(f"... {len(lines) - MESSAGE_LINES} more line(s)"))
    return shown


def _diagnostic(text: str) -> str:
    """One ``# `` line: one line of text, bounded, that no parser reads as a test header."""
    flat = " ".join(clean_text(text).replace("\t", " ").splitlines()).rstrip()
    if len(flat) > LINE_CHARS:
        flat = flat[: LINE_CHARS - 3] + "..."
    if flat.lstrip().startswith("Subtest:"):
        flat = "(" + flat.lstrip() + ")"  # KUnit's parser reads "# Subtest:" as a header
    return f"# {flat}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
