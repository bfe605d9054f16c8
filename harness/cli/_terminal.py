"""What ``rtgate run`` prints around pytest's progress, for the person who reads it after a CI
failure: a header that says what ran where, and after the run the failing tests grouped by the
requirement they fail (the first of each, with the last lines of its captured log) before the
verdict block.

pytest's own tracebacks and captured output are left out (``--tb=no``): a broken runtime fails
dozens of tests the same way, and their thousands of lines buried the verdict.  ``rtgate run
-- --tb=long`` brings them back; compliance.json and compliance.html keep every traceback.
"""

from __future__ import annotations

from pathlib import Path

from harness.build_info import full_version
from harness.plugin.options import RunOptions
from harness.report.model import Report
from harness.report.rerun import rerun_command

__all__ = ["failing_tests", "header"]


def header(options: RunOptions, report_dir: Path, width: int = 100) -> list[str]:
    """Two lines: rtgate and the subject; the host, profile (and ``--oci-version``),
    expectations and report."""
    known = options.subject_version not in ("", "unknown")
    version = options.subject_version if known else "version unknown"
    host = options.host
    if host == "simulated":
        host = f"simulated ({options.preset})"
    expectations = options.expectations
    waivers = "none" if expectations is None else _cut(str(expectations.describe().get("path")), 60)
    profile = options.profile
    if options.oci_version:
        profile += f", ociVersion {options.oci_version} (--oci-version: later rules skip)"
    return [
        _cut(f"rtgate {full_version()}: subject {options.subject.name} ({version})", width),
        _cut(
            f"host {host}, profile {profile}, expectations {waivers}, report {report_dir}",
            width * 2,
        ),
    ]


def failing_tests(
    report: Report, logs: dict[str, tuple[str, ...]], width: int = 100, max_lines: int = 40
) -> list[str]:
    """Per failing requirement, how many tests fail it, the first of them, its log's last
    lines and the command that reruns the requirement alone; cut to ``max_lines``.  Empty when
    nothing failed."""
    failing = [r for r in report.requirements if r.outcome in ("fail", "error")]
    if not failing:
        return []
    lines = ["failing tests, by requirement (tracebacks: rtgate run ... -- --tb=long):"]
    for index, requirement in enumerate(failing):
        tests = [
            t.nodeid
            for t in report.tests
            if requirement.id in t.requirements
            and t.outcome_for(requirement.id) in ("fail", "error")
        ]
        entry = [
            _cut(f"  {requirement.id}: {len(tests)} test(s), first {_first(tests)}", width * 2)
        ]
        entry += [_cut(f"      log: {line}", width) for line in logs.get(_first(tests), ())]
        rerun = rerun_command(report.run.command, [requirement.id])
        if rerun:
            entry.append(f"      rerun: {rerun}")
        if len(lines) + len(entry) > max_lines - 1:
            lines.append(f"  ... and {len(failing) - index} more: see compliance.json")
            break
        lines += entry
    return lines


def _first(nodeids: list[str]) -> str:
    return nodeids[0] if nodeids else "(none ran)"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
