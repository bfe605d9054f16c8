"""compliance.json: shape, stability, and the way back."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from harness.errors import InputFileError
from harness.report.json_writer import SCHEMA
from harness.report.json_writer import from_json
from harness.report.json_writer import read_json
from harness.report.json_writer import to_json
from harness.report.json_writer import write_json
from tests.report._samples import sample_report


def test_top_level_shape() -> None:
    data = json.loads(to_json(sample_report()))
    assert list(data) == ["schema", "run", "summary", "requirements", "tests"]
    assert data["schema"] == SCHEMA
    assert data["summary"]["verdict"] == "fail"
    assert data["summary"]["fatal"] == ["A-ERROR", "A-FAIL", "A-UNTESTED"]
    assert [r["id"] for r in data["requirements"]] == sorted(r["id"] for r in data["requirements"])
    assert [t["nodeid"] for t in data["tests"]] == sorted(t["nodeid"] for t in data["tests"])
    assert data["run"]["host_probe"] == {"cgroup": "v1", "resctrl": True}


def test_round_trip() -> None:
    report = sample_report()
    text = to_json(report)
    back = from_json(text)
    assert back == report
    assert to_json(back) == text


def test_runtime_args_round_trip_and_are_empty_in_an_earlier_report() -> None:
    report = sample_report()
    flagged = dataclasses.replace(report, run=dataclasses.replace(report.run, runtime_args=("-d",)))
    assert json.loads(to_json(flagged))["run"]["runtime_args"] == ["-d"]
    assert from_json(to_json(flagged)) == flagged
    earlier = json.loads(to_json(report))
    del earlier["run"]["runtime_args"]
    assert from_json(json.dumps(earlier)).run.runtime_args == ()


def test_oci_version_round_trips_and_is_none_in_an_earlier_report() -> None:
    report = sample_report()
    pinned = dataclasses.replace(report, run=dataclasses.replace(report.run, oci_version="1.1.0"))
    assert json.loads(to_json(pinned))["run"]["oci_version"] == "1.1.0"
    assert json.loads(to_json(report))["run"]["oci_version"] is None
    assert from_json(to_json(pinned)) == pinned
    earlier = json.loads(to_json(report))
    del earlier["run"]["oci_version"]
    assert from_json(json.dumps(earlier)).run.oci_version is None


def test_write_and_read(tmp_path: Path) -> None:
    path = write_json(sample_report(), tmp_path / "compliance.json")
    assert read_json(path) == sample_report()
    assert path.read_text().endswith("}\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ("[]", "'schema' must be 'rtgate-compliance/2' (got 'list')"),
        ('{"schema": "other/2"}', "(got 'other/2')"),
        ('{"schema": "rtgate-compliance/2"}', "malformed report: run is missing"),
    ],
)
def test_bad_input_is_an_input_file_error(text: str, message: str) -> None:
    with pytest.raises(InputFileError) as caught:
        from_json(text, "r.json")
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_unknown_outcome_is_refused() -> None:
    text = to_json(sample_report()).replace('"outcome": "skip"', '"outcome": "maybe"', 1)
    with pytest.raises(InputFileError, match="outcome must be one of"):
        from_json(text)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="cannot read the report"):
        read_json(tmp_path / "nope.json")
