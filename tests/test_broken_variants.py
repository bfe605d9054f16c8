"""Proof that the suite catches defects: every broken runtime in tests/broken makes
``rtgate run`` exit 1, with the requirement it breaks among the failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.broken import BROKEN
from tests.broken import expectation

ROOT = Path(__file__).resolve().parent.parent


def rtgate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the rtgate CLI in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("module", sorted(BROKEN))
def test_suite_catches_broken_runtime(module: str, tmp_path: Path) -> None:
    subject = f"python:tests.broken.{module}:new_factory"
    wanted = expectation(module)
    result = rtgate(
        "run",
        "--quick",
        "--profile",
        wanted.profile,
        "--subject",
        subject,
        "--report-dir",
        str(tmp_path),
    )
    assert result.returncode == 1, (
        f"rtgate run --profile {wanted.profile} must fail on tests/broken/{module}.py\n"
        f"{result.stdout}\n{result.stderr}"
    )
    report = json.loads((tmp_path / "compliance.json").read_text())
    failed = {r["id"] for r in report["requirements"] if r["outcome"] in ("fail", "error")}
    for requirement in wanted.requirements:
        assert requirement in failed, f"{module} must fail {requirement}; failed: {sorted(failed)}"
        assert requirement in result.stdout, "the summary must name the broken requirement"
