"""What ``rtgate run`` prints for a failing runtime fits on two screens: the header, pytest's
progress, the failing tests by requirement, the verdict block with the command that reruns
what failed (issue 17: it used to be 5,347 lines with the verdict at the very end)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from harness.cli._terminal import header
from harness.plugin.run_check import RunRequest
from harness.plugin.run_check import check_run
from tests._shared_runs import shared_run
from tests.cli.test_report_command import BROKEN
from tests.cli.test_report_command import RUNS

#: two screens of a terminal
MAX_LINES = 120


def test_a_failing_run_fits_on_two_screens(tmp_path_factory: pytest.TempPathFactory) -> None:
    subject = f"python:tests.broken.{BROKEN}:new_factory"
    # the quick run of the broken runtime that the report command's tests read too
    done = shared_run(tmp_path_factory, RUNS["broken"])
    assert subject in RUNS["broken"]
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) <= MAX_LINES, "\n".join(lines)
    assert lines[0].startswith("rtgate 0.1.0") and subject in lines[0], lines[0]
    assert lines[1].startswith("host simulated (v1-cat), profile seed, expectations none"), lines
    text = done.stdout
    assert "Traceback" not in text and "Captured" not in text, "pytest's long output is back"
    groups = lines.index("failing tests, by requirement (tracebacks: rtgate run ... -- --tb=long):")
    verdict = next(i for i, line in enumerate(lines) if line.startswith("rtgate: verdict FAIL"))
    assert groups < verdict, "the failing tests come before the verdict block"
    grouped = lines[groups:verdict]
    rule = "LC-DESTROY-FIRST-ERROR-CGROUP"
    first = next(i for i, line in enumerate(grouped) if line.startswith(f"  {rule}: "))
    own = next(line for line in grouped[first:] if line.startswith("      rerun: "))
    assert own.endswith(f"--subject {subject} --requirement {rule}"), own
    rerun = [line for line in lines[verdict:] if line.startswith("rerun them: ")]
    assert rerun and "--requirement" in rerun[0] and "LC-DESTROY-FIRST-ERROR-CGROUP" in rerun[0]
    report = done.report_dir / "compliance.json"
    assert lines[-1] == f"report: {report} (for people: compliance.html)"


def test_the_header_names_a_pinned_oci_version(tmp_path: Path) -> None:
    options = check_run(RunRequest())
    assert "ociVersion" not in header(options, tmp_path)[1]
    pinned = header(dataclasses.replace(options, oci_version="1.1.0"), tmp_path)[1]
    assert pinned.startswith(
        "host simulated (v1-cat), profile seed, ociVersion 1.1.0 (--oci-version: later rules "
        "skip), expectations none"
    ), pinned
