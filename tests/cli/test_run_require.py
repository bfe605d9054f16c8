"""``rtgate run --require FEATURES``: a gate that demands what its host must have.

The host is a simulated preset, so what it has is known: ``v1-cat`` has resctrl and L3 CAT and
no MBA.  The suite is a fake one whose catalog gives its rules host features.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness.cli import main
from tests._real import real_host_off
from tests.cli.test_cli import _one_line
from tests.cli.test_cli import _run_cli

#: one rule checked, one that skips for want of a host feature
SKIPPING = """
import pytest

@pytest.mark.requirement("T-ONE-A")
def test_one(verify):
    verify("T-ONE-A", True, "one")

@pytest.mark.requirement("T-ONE-B")
def test_two(verify):
    pytest.skip("missing host feature [L3 CAT]: the probe says so")
"""
#: the rules :data:`SKIPPING` checks
ONE = "T-ONE-A,T-ONE-B"


@pytest.fixture
def featured(catalog: Path) -> Path:
    """The sample catalog, its T-ONE-B a rule of hosts with resctrl and L3 CAT."""
    text = catalog.read_text()
    anchor = 'id = "T-ONE-B"'
    catalog.write_text(text.replace(anchor, f'{anchor}\nhost_features = ["resctrl", "cat-l3"]'))
    return catalog


def test_a_host_without_a_required_feature_fails_in_one_line_before_any_test(
    tmp_path: Path, featured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got, out = _run_cli(tmp_path, featured, SKIPPING, "--preset", "v1-cat", "--require", "mba")
    assert got == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("rtgate: verdict FAIL: "), line
    assert "lacks required host feature(s) mba" in line
    assert "cat-l3, cgroup-v1, resctrl" in line, "the line says what the host has"
    assert not (out / "compliance.json").exists(), "no test ran"


def test_an_unknown_feature_is_a_usage_error(
    tmp_path: Path, featured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got, _ = _run_cli(tmp_path, featured, SKIPPING, "--require", "resctrl,warp-drive")
    assert got == 2
    line = _one_line(capsys.readouterr().err)
    assert "'--require' names unknown host feature(s) warp-drive; known: " in line


@pytest.mark.parametrize(
    ("required", "code"),
    [(("resctrl,cat-l3",), 1), (("resctrl", "cat-l3"), 1), (("resctrl",), 0), ((), 0)],
    ids=["both-at-once", "repeated", "only-one-of-its-features", "none"],
)
def test_a_skipped_rule_of_required_features_fails_the_verdict(
    tmp_path: Path, featured: Path, required: tuple[str, ...], code: int
) -> None:
    flags = [arg for value in required for arg in ("--require", value)]
    got, out = _run_cli(
        tmp_path, featured, SKIPPING, "--preset", "v1-cat", "--requirement", ONE, *flags
    )
    assert got == code
    report = json.loads((out / "compliance.json").read_text())
    wanted = [name for value in required for name in value.split(",")]
    assert report["run"]["required"] == wanted
    notes = report["summary"]["verdict_notes"]
    if code:
        (note,) = notes
        assert note.startswith("--require resctrl,cat-l3: 1 requirement(s)"), note
        assert "T-ONE-B (missing host feature [L3 CAT]: the probe says so)" in note
    else:
        assert notes == []


def test_the_expectations_file_can_require_features(
    tmp_path: Path, featured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = tmp_path / "exp.toml"
    exp.write_text('subject = "reference"\nrequire = ["resctrl", "mba"]\n')
    got, _ = _run_cli(tmp_path, featured, SKIPPING, "--expectations", str(exp))
    assert got == 1
    assert "lacks required host feature(s) mba" in _one_line(capsys.readouterr().err)


def test_a_bad_require_in_the_expectations_file_names_its_line(
    tmp_path: Path, featured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = tmp_path / "exp.toml"
    exp.write_text('subject = "reference"\n\nrequire = ["cdp", "flux"]\n')
    got, _ = _run_cli(tmp_path, featured, SKIPPING, "--expectations", str(exp))
    assert got == 2
    line = _one_line(capsys.readouterr().err)
    assert f"{exp}:3: 'require' names unknown host feature(s) flux" in line


def _resctrl_mounted() -> bool:
    with open("/proc/self/mountinfo", encoding="ascii", errors="replace") as f:
        return any(" - resctrl " in line for line in f)


@pytest.mark.skipif(real_host_off() is not None, reason=f"real host: {real_host_off()}")
@pytest.mark.skipif(_resctrl_mounted(), reason="this host has resctrl mounted: it has resctrl")
@pytest.mark.skipif(shutil.which("runc") is None, reason="no runc on PATH")
def test_a_real_host_without_resctrl_fails_require_resctrl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    got = main(
        ["run", "--subject", "oci:runc", "--host", "real", "--profile", "runc-1.1",
         "--require", "resctrl", "--report-dir", str(out)]
    )  # fmt: skip
    assert got == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("rtgate: verdict FAIL: host "), line
    assert "lacks required host feature(s) resctrl; it has cgroup-" in line, line
    assert "its probe found no resctrl: /proc/self/mountinfo has no resctrl line" in line, line
    assert not (out / "compliance.json").exists(), "no test ran"
