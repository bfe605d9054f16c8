"""``rtgate run --strict`` and ``--certify`` as a user types them, on a fake suite."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.report.json_writer import read_json
from tests.cli.test_cli import PASSING
from tests.cli.test_cli import _one_line
from tests.cli.test_cli import _run_cli

STALE = """
subject = "reference"

[[expected]]
requirement = "T-TWO-A"
reason = "was broken once"
link = "https://example.invalid/bug/2"
"""


@pytest.mark.parametrize(("flags", "code"), [((), 0), (("--strict",), 1)])
def test_a_stale_expectation_fails_only_a_strict_run(
    tmp_path: Path,
    catalog: Path,
    flags: tuple[str, ...],
    code: int,
) -> None:
    exp = tmp_path / "exp.toml"
    exp.write_text(STALE)
    got, out = _run_cli(tmp_path, catalog, PASSING, "--expectations", str(exp), *flags)
    assert got == code
    report = json.loads((out / "compliance.json").read_text())
    (stale,) = [r for r in report["requirements"] if r["id"] == "T-TWO-A"]
    assert stale["outcome"] == "xpass"
    assert report["run"]["strict"] is bool(flags)
    assert report["summary"]["fatal"] == (["T-TWO-A"] if flags else [])


def test_certify_with_expectations_is_a_one_line_usage_error(
    tmp_path: Path,
    catalog: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    exp = tmp_path / "exp.toml"
    exp.write_text(STALE)
    got, out = _run_cli(tmp_path, catalog, PASSING, "--certify", "--expectations", str(exp))
    assert got == 2
    assert "'--certify' takes no '--expectations'" in _one_line(capsys.readouterr().err)
    assert not out.exists(), "refused before any test ran"


def test_certify_alone_runs_strict_and_says_so(tmp_path: Path, catalog: Path) -> None:
    got, out = _run_cli(tmp_path, catalog, PASSING, "--certify")
    assert got == 0
    run = json.loads((out / "compliance.json").read_text())["run"]
    assert run["certify"] is True and run["strict"] is True
    assert "--certify" in run["command"]


BLOCKING = """
import pathlib, time
import pytest

@pytest.mark.requirement("T-ONE-A", "T-ONE-B")
def test_one():
    pass

@pytest.mark.requirement("T-TWO-A", "T-THREE-A")
def test_blocks_until_killed():
    here = pathlib.Path(__file__).parent
    (here / "started").write_text("")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (here / "release").exists():
        time.sleep(0.05)
"""


def test_a_killed_run_leaves_a_whole_report_marked_incomplete(
    tmp_path: Path,
    catalog: Path,
) -> None:
    suite = tmp_path / "scenarios"
    suite.mkdir()
    (suite / "test_blocking.py").write_text(BLOCKING)
    out = tmp_path / "out"
    main = "import sys; from harness.cli import main; sys.exit(main())"
    argv = [sys.executable, "-c", main, "run", "--scenarios", str(suite),
            "--catalog", str(catalog), "--report-dir", str(out)]  # fmt: skip
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (suite / "started").exists():
            assert child.poll() is None and time.monotonic() < deadline, "the run never started"
            time.sleep(0.02)
        child.kill()  # SIGKILL: no handler runs, no report is finished
    finally:
        (suite / "release").write_text("")
        child.wait(timeout=30)
    report = read_json(out / "compliance.json")  # parses: never a truncated file
    assert report.run.complete is False
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [], "no temp files"
    assert "INCOMPLETE" in (out / "compliance.md").read_text()


def test_a_run_of_some_requirements_runs_their_tests_and_judges_them_alone(
    tmp_path: Path, catalog: Path
) -> None:
    body = PASSING.replace('("T-ONE-A", True, "one")', '("T-ONE-A", False, "bad")')
    got, out = _run_cli(tmp_path, catalog, body, "--requirement", "T-TWO-A")
    assert got == 0, "test_one (failing T-ONE-A) must not run"
    report = json.loads((out / "compliance.json").read_text())
    assert [r["id"] for r in report["requirements"]] == ["T-TWO-A"]
    assert [t["requirements"] for t in report["tests"]] == [["T-THREE-A", "T-TWO-A"]]
    got, out = _run_cli(tmp_path, catalog, body, "--requirement", "T-ONE-A, T-ONE-B")
    outcomes = {
        r["id"]: r["outcome"]
        for r in json.loads(out.joinpath("compliance.json").read_text())["requirements"]
    }
    assert (got, outcomes) == (1, {"T-ONE-A": "fail", "T-ONE-B": "pass"})


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("T-NOPE", "'--requirement' names 'T-NOPE', which the catalog does not have"),
        ("T-RUNC-ONLY", "'--requirement' names 'T-RUNC-ONLY', which profile 'seed' does not "
         "check on this subject (its profiles: runc-1.2; its scope: api)"),
        (" , ", "'--requirement' must name at least one requirement id (got ' , ')"),
    ],
)  # fmt: skip
def test_a_requirement_the_run_cannot_check_is_a_one_line_usage_error(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str], given: str, said: str
) -> None:
    got, out = _run_cli(tmp_path, catalog, PASSING, "--requirement", given)
    assert got == 2
    assert _one_line(capsys.readouterr().err) == f"rtgate: error: {said}"
    assert not out.exists(), "refused before any test ran"
