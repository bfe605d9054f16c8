"""Proof that the rules about a schema write catch a broken runtime in every form a host makes
them write (harness/scenarios/_support/rdt_schema.py): L3CODE and L3DATA lines where the
seed runs on a host mounted with cdp, an MB line where runc has no info/L3 but MBA."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.broken import expectation
from tests.test_broken_variants import rtgate


@pytest.mark.parametrize(
    ("module", "preset"),
    [
        pytest.param("rdt_set_resets_without_schema", "xeon-cdp", id="l3cdp-set-untouched"),
        pytest.param("rdt_group_left_on_refused_schema", "xeon-cdp", id="l3cdp-refused"),
        pytest.param("rdt_set_takes_config", "ice-lake-cdp", id="mb-set-closid"),
        pytest.param("set_keeps_limits_after_rdt_failure", "ice-lake-cdp", id="mb-set-restored"),
    ],
)
def test_broken_runtime_is_caught_with_the_schema_the_host_takes(
    module: str, preset: str, tmp_path: Path
) -> None:
    wanted = expectation(module)
    args = ["--quick", "--preset", preset, "--profile", wanted.profile]
    subject = f"python:tests.broken.{module}:new_factory"
    result = rtgate(
        "run", *args, "--requirement", ",".join(wanted.requirements), "--subject", subject,
        "--report-dir", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads((tmp_path / "compliance.json").read_text())
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    for requirement in wanted.requirements:
        assert outcomes.get(requirement) == "fail", f"{module} on {preset}: {outcomes}"
