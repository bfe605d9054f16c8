"""Rerunning exactly what failed: ``rtgate run --failed REPORT`` (the report's own command for
its failures) and ``rtgate run -- --lf`` (pytest's last failed, with the run then a selection
of their requirements)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main

BROKEN = "python:tests.broken.precedence_reversed:new_factory"
RULE = "LC-DESTROY-FIRST-ERROR-CGROUP"


def _report(path: Path) -> dict:
    return json.loads((path / "compliance.json").read_text())


def test_failed_reruns_the_reports_failures_with_its_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first"
    assert (
        main(["run", "--subject", BROKEN, "--requirement", RULE, "--report-dir", str(first)]) == 1
    )
    again = tmp_path / "again"
    assert main(["run", "--failed", str(first), "--report-dir", str(again)]) == 1
    rerun = _report(again)
    assert rerun["run"]["subject"] == BROKEN and rerun["run"]["selected"] == [RULE]
    assert rerun["run"]["command"].startswith(f"rtgate run --subject {BROKEN} --requirement {RULE}")
    fixed = tmp_path / "fixed"  # another subject for the same failures: options given win
    code = main(
        ["run", "--failed", str(first), "--subject", "reference", "--report-dir", str(fixed)]
    )
    assert code == 0 and _report(fixed)["run"]["subject"] == "reference"
    capsys.readouterr()
    assert main(["run", "--failed", str(fixed)]) == 0
    assert (
        capsys.readouterr().out
        == f"rtgate: nothing failed in {fixed / 'compliance.json'}: nothing to rerun\n"
    )
    assert main(["run", "--failed", str(first), "--requirement", RULE]) == 2
    assert main(["run", "--failed", str(tmp_path / "none")]) == 2


def test_last_failed_reruns_those_tests_as_a_selection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = tmp_path / "first"
    assert (
        main(
            ["run", "--subject", BROKEN, "-k", "test_error_precedence", "--report-dir", str(first)]
        )
        == 1
    )
    failed = [t["nodeid"] for t in _report(first)["tests"] if t["outcome"] == "fail"]
    assert failed
    last = tmp_path / "last"
    assert main(["run", "--subject", BROKEN, "--report-dir", str(last), "--", "--lf"]) == 1
    rerun = _report(last)
    assert sorted(t["nodeid"] for t in rerun["tests"]) == sorted(failed)
    declared = {r for t in rerun["tests"] for r in t["requirements"]}
    assert rerun["run"]["selected"] == sorted(declared)
    listed = {r["id"] for r in rerun["requirements"]}  # those of the profile
    assert listed and listed <= declared and "LC-DESTROY-FIRST-ERROR-CGROUP" in listed
