"""The faithful runc v1.2.0 model (tests/models/runc_v120.py) passes the ``runc-1.2`` profile:
the profile holds runc 1.2 to nothing runc 1.2 does not do.  That each broken runtime of the
profile still fails it is tests/test_broken_variants.py's parametrization, whose runc-1.2
entries include the model's own departures from the seed (hook texts, ociVersion, cgroup
removal)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.broken import BROKEN
from tests.broken import expectation
from tests.test_broken_variants import rtgate

MODEL = "python:tests.models.runc_v120:new_factory"


@pytest.mark.slow  # a whole run of the profile
def test_runc_v120_model_passes_the_runc_1_2_profile(tmp_path: Path) -> None:
    result = rtgate(
        "run", "--quick", "--profile", "runc-1.2", "--subject", MODEL, "--report-dir", str(tmp_path)
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    report = json.loads((tmp_path / "compliance.json").read_text())
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    failed = sorted(i for i, o in outcomes.items() if o in ("fail", "error"))
    assert failed == [], f"runc v1.2.0 fails {failed}"
    for rule in ("LC-HOOK-ERROR-NAMES-HOOK", "LC-HOOK-STATE-STDIN", "CG-DESTROY-RETRIES-EBUSY"):
        assert outcomes.get(rule) == "pass", f"{rule}: {outcomes.get(rule)}"


def test_the_profile_has_broken_runtimes_for_the_model_rules() -> None:
    """The rules the model was written to settle each have a broken runtime that must fail
    them under runc-1.2 (run by test_broken_variants)."""
    named = {
        rule
        for module in BROKEN
        if expectation(module).profile == "runc-1.2"
        for rule in expectation(module).requirements
    }
    wanted = {"LC-HOOK-ERROR-NAMES-HOOK", "LC-HOOK-STATE-STDIN", "CG-DESTROY-RETRIES-EBUSY"}
    assert wanted <= named, f"no broken runtime of runc-1.2 fails {sorted(wanted - named)}"
