"""``rtgate run --strict`` and ``--certify`` as a user types them, on a fake suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import PASSING
from tests.cli.test_cli import _one_line
from tests.cli.test_cli import _restore_hypothesis_profile  # noqa: F401 - autouse fixture
from tests.cli.test_cli import _run_cli
from tests.cli.test_cli import catalog  # noqa: F401 - fixture

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
    code: int,  # noqa: F811
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
    catalog: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    exp = tmp_path / "exp.toml"
    exp.write_text(STALE)
    got, out = _run_cli(tmp_path, catalog, PASSING, "--certify", "--expectations", str(exp))
    assert got == 2
    assert "'--certify' takes no '--expectations'" in _one_line(capsys.readouterr().err)
    assert not out.exists(), "refused before any test ran"


def test_certify_alone_runs_strict_and_says_so(tmp_path: Path, catalog: Path) -> None:  # noqa: F811
    got, out = _run_cli(tmp_path, catalog, PASSING, "--certify")
    assert got == 0
    run = json.loads((out / "compliance.json").read_text())["run"]
    assert run["certify"] is True and run["strict"] is True
    assert "--certify" in run["command"]
