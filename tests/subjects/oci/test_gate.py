"""``rtgate run --subject oci:runc --host real``: the CLI scenarios against the real runc, with
and without the shipped expectations; nothing of the run is left on the machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXPECTATIONS = ROOT / "expectations" / "runc-1.1.toml"

pytestmark = [
    pytest.mark.skipif(
        os.geteuid() != 0, reason=f"real containers need root (euid {os.geteuid()})"
    ),
    pytest.mark.skipif(
        shutil.which("runc") is None, reason="no runc: shutil.which('runc') is None"
    ),
]


def _runc_version() -> str:
    out = subprocess.run(["runc", "--version"], capture_output=True, text=True, check=False).stdout
    return out.split()[2] if out.startswith("runc version") else ""


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), f"rtgate-{proc.pid}-"


def _left(prefix: str) -> list[str]:
    found = [f"/run/{n}" for n in os.listdir("/run") if n.startswith(prefix)]
    for root, dirs, _ in os.walk("/sys/fs/cgroup"):
        found += [os.path.join(root, d) for d in dirs if d.startswith(prefix)]
        dirs[:] = [d for d in dirs if not d.startswith(prefix)]
    return found


@pytest.mark.skipif(not _runc_version().startswith("1.1."), reason="runc here is not 1.1.x")
@pytest.mark.parametrize("profile", ["seed", "runc-1.2"])
def test_runc_passes_with_its_expectations_and_fails_without(profile: str, tmp_path: Path) -> None:
    gate = ("run", "--subject", "oci:runc", "--host", "real", "--profile", profile)
    waived, prefix = _run(
        *gate, "--expectations", str(EXPECTATIONS), "--report-dir", str(tmp_path / "w")
    )
    assert waived.returncode == 0, waived.stdout + waived.stderr
    assert _left(prefix) == []
    report = json.loads((tmp_path / "w" / "compliance.json").read_text())
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    assert all(r["scope"] == "cli" for r in report["requirements"]), "an OCI binary has no API"
    assert "xfail" in outcomes.values() and set(outcomes.values()) <= {"pass", "xfail"}
    bare, prefix = _run(*gate, "--report-dir", str(tmp_path / "b"))
    assert bare.returncode == 1, "without its expectations runc's divergences fail the run"
    assert _left(prefix) == []
