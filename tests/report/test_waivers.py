"""``rtgate expectations update``: the shipped expectations files round-trip (a run failing
exactly what a file lists adds nothing and leaves its bytes; a file written from nothing by
those runs lists the same failures), and a strict run refuses a waiver still to be explained."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.aggregate import build_report
from harness.report.expectations import ExpectationSet
from harness.report.expectations import load_expectations
from harness.report.model import Report
from harness.report.model import TestResult
from harness.report.waivers import TO_FILL_IN
from harness.report.waivers import plan_update
from harness.report.waivers import render_update
from harness.spec.tables import PROFILES
from tests.report._samples import RUN
from tests.report._samples import Info

SHIPPED = sorted((Path(__file__).resolve().parents[2] / "expectations").glob("*.toml"))
VERSIONS = {"runc": "runc version 1.1.5", "crun": "crun version 1.8.1"}


def _failing(shipped: ExpectationSet, profile: str) -> Report:
    """A run of ``profile`` that fails exactly what ``shipped`` lists for it."""
    ids = [e.requirement for e in shipped.entries if not e.profiles or profile in e.profiles]
    run = dataclasses.replace(
        RUN, subject=f"oci:{shipped.subject}", profile=profile,
        subject_version=VERSIONS[shipped.subject],
    )  # fmt: skip
    tests = [TestResult(f"t.py::test_{i}", "fail", 0.1, (rid,), message=f"{rid} broke")
             for i, rid in enumerate(ids)]  # fmt: skip
    return build_report(run, [Info(rid) for rid in dict.fromkeys(ids)], tests)


def _pairs(found: ExpectationSet) -> set[tuple[str, str]]:
    return {(e.requirement, p) for e in found.entries for p in (e.profiles or PROFILES)}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_run_failing_what_the_file_lists_leaves_it_as_it_is(path: Path) -> None:
    shipped = load_expectations(str(path))
    text = path.read_text(encoding="utf-8")
    for profile in PROFILES:
        report = _failing(shipped, profile)
        update = plan_update(report, shipped)
        assert update.added == (), [r.id for r in update.added]
        assert render_update(report, update, text) == text


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_file_written_from_those_runs_lists_the_same_failures(path: Path, tmp_path: Path) -> None:
    shipped = load_expectations(str(path))
    written = tmp_path / path.name
    for profile in PROFILES:
        report = _failing(shipped, profile)
        existing = load_expectations(str(written)) if written.exists() else None
        before = written.read_text(encoding="utf-8") if written.exists() else None
        written.write_text(render_update(report, plan_update(report, existing), before))
    again = load_expectations(str(written))
    assert (again.subject, again.versions) == (shipped.subject, shipped.versions)
    assert _pairs(again) == _pairs(shipped)
    assert all(e.reason.startswith(TO_FILL_IN) for e in again.entries)


def test_update_then_a_strict_run_refuses_the_unexplained_waiver(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subject = "python:tests.broken.precedence_reversed:new_factory"
    rule = "LC-DESTROY-FIRST-ERROR-CGROUP"
    run = ["run", "--subject", subject, "--requirement", rule]
    assert main([*run, "--report-dir", str(tmp_path / "r")]) == 1
    waivers = tmp_path / "waivers.toml"
    assert main(["expectations", "update", str(tmp_path / "r"), "--into", str(waivers)]) == 0
    assert capsys.readouterr().out.endswith(
        "1 entry added, each with a reason and link to fill in\n"
    )
    assert main([*run, "--expectations", str(waivers), "--report-dir", str(tmp_path / "x")]) == 0
    assert main(["expectations", "update", str(tmp_path / "x")]) == 0  # the file the run used
    assert "0 entries added" in capsys.readouterr().out
    assert main([*run, "--expectations", str(waivers), "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{rule}'s reason or link is still '{TO_FILL_IN}'" in err
