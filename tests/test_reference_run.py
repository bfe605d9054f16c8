"""The reference passes the whole suite on the simulated host, serially and under xdist, and
both runs write the same report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests._shared_runs import shared_run
from tests.test_broken_variants import rtgate


def _outcomes(report_dir: Path) -> dict[str, str]:
    report = json.loads((report_dir / "compliance.json").read_text())
    return {r["id"]: r["outcome"] for r in report["requirements"]}


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole default run, once per session whichever workers its tests land on."""
    result = shared_run(tmp_path_factory, ())
    assert result.returncode == 0, result.stdout + result.stderr
    return result.report_dir


def test_reference_passes_every_requirement(serial_run: Path) -> None:
    outcomes = _outcomes(serial_run)
    assert len(outcomes) >= 80
    assert {o for o in outcomes.values()} == {"pass"}, {
        k: v for k, v in outcomes.items() if v != "pass"
    }
    assert (serial_run / "junit.xml").is_file()


@pytest.mark.slow  # a second whole run, on two workers
def test_xdist_run_writes_the_same_outcomes(serial_run: Path, tmp_path: Path) -> None:
    result = rtgate("run", "-n", "2", "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert _outcomes(tmp_path) == _outcomes(serial_run)


BASELINE = Path(__file__).parent / "baseline" / "issue-16"


def _tests_per_requirement(report_json: Path) -> dict[str, int]:
    report = json.loads(report_json.read_text())
    return {r["id"]: len(r["tests"]) for r in report["requirements"]}


@pytest.mark.parametrize(
    "profile",
    [
        "seed",  # the serial run above
        # a whole run each, about a minute: make test-all
        pytest.param("runc-1.2", marks=pytest.mark.slow),
        pytest.param("runtime-spec", marks=pytest.mark.slow),
    ],
)
def test_verdicts_match_the_baseline_report(profile: str, serial_run: Path, tmp_path: Path) -> None:
    """No change alters a requirement's outcome, nor how many tests check it, against the
    baseline report of the same command (tests/baseline/README.md says when to rewrite it)."""
    if profile == "seed":
        new = serial_run
    else:
        new = tmp_path
        result = rtgate("run", "--profile", profile, "--report-dir", str(new))
        assert result.returncode == 0, result.stdout + result.stderr
    old = BASELINE / f"{profile}.json"
    diff = rtgate("report", "diff", str(old), str(new), "--format", "json")
    assert diff.returncode == 0, diff.stdout + diff.stderr
    changes = json.loads(diff.stdout)
    assert changes["changes"] == [] and changes["run_differences"] == [], changes
    assert changes["counts"]["unchanged"] == len(_outcomes(new))
    assert _tests_per_requirement(new / "compliance.json") == _tests_per_requirement(old)
