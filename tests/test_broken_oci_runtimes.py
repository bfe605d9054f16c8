"""Proof that the suite catches a broken OCI runtime binary: each wrapper in tests/broken/oci is
runc with one rule broken, and ``rtgate run --subject oci:<wrapper> --host real`` must exit 1
with that rule among the failures, named in the summary.  runc itself passes these rules
(tests/subjects/oci/test_gate.py), so the failure is the wrapper's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WRAPPERS = ROOT / "tests" / "broken" / "oci"
#: wrapper -> the rule it breaks
BROKEN_OCI = {
    "paused_deletable.py": "CLI-DELETE-PAUSED",
    "poststop_dropped.py": "CLI-DELETE-RUNS-POSTSTOP",
    "running_restartable.py": "CLI-START-RUNNING",
    "netns_joined_deleted.py": "CLI-NETNS-JOINED-KEPT",
}

pytestmark = [
    pytest.mark.skipif(
        os.geteuid() != 0, reason=f"real containers need root (euid {os.geteuid()})"
    ),
    pytest.mark.skipif(
        shutil.which("runc") is None, reason="no runc: shutil.which('runc') is None"
    ),
]


def test_every_wrapper_is_listed() -> None:
    found = {p.name for p in WRAPPERS.glob("*.py") if not p.name.startswith("_")}
    assert found == set(BROKEN_OCI)


@pytest.mark.parametrize("wrapper", sorted(BROKEN_OCI))
def test_suite_catches_broken_oci_runtime(wrapper: str, tmp_path: Path) -> None:
    rule = BROKEN_OCI[wrapper]
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())",
         "run", "--subject", f"oci:{WRAPPERS / wrapper}", "--host", "real",
         "--report-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 1, f"{wrapper} must fail the gate\n{result.stdout}\n{result.stderr}"
    report = json.loads((tmp_path / "compliance.json").read_text())
    failed = {r["id"] for r in report["requirements"] if r["outcome"] in ("fail", "error")}
    assert rule in failed, f"{wrapper} must fail {rule}; failed: {sorted(failed)}"
    assert rule in result.stdout, "the summary must name the broken rule"
