"""compliance.ktap: KTAP version 1, one test per requirement."""

from __future__ import annotations

from harness.report.ktap_writer import to_ktap
from tests.report._samples import sample_report


def test_version_and_plan() -> None:
    lines = to_ktap(sample_report()).splitlines()
    assert lines[:2] == ["KTAP version 1", "1..5"]
