"""junit.xml: well-formed, one case per (requirement, test), untested visible."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report.junit_writer import to_junit
from harness.report.junit_writer import write_junit
from tests.report._samples import sample_report


def _suite() -> ET.Element:
    root = ET.fromstring(to_junit(sample_report()))
    assert root.tag == "testsuites"
    (suite,) = root
    return suite


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    for case in suite.iter("testcase"):
        if (case.get("classname"), case.get("name")) == (classname, name):
            return case
    raise AssertionError(f"no case {classname} {name}")


def test_suite_counts() -> None:
    suite = _suite()
    assert suite.get("name") == "rtgate"
    # A-PASS, A-FAIL x2, A-SKIP, A-ERROR, A-UNTESTED, and the unlinked test
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("7", "1", "1")
    assert suite.get("skipped") == "2"
    assert suite.get("timestamp") == "2025-01-31T12:00:00Z"


def test_cases_carry_requirement_and_level() -> None:
    case = _case(_suite(), "A-ERROR", "t.py::test_error")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props == {"requirement": "A-ERROR", "level": "MUST NOT", "outcome": "error"}
    error = case.find("error")
    assert error is not None and error.get("message") == "error in setup: RuntimeError: x"


def test_a_test_with_two_requirements_is_two_cases() -> None:
    suite = _suite()
    failure = _case(suite, "A-FAIL", "t.py::test_fail").find("failure")
    assert failure is not None
    assert failure.get("message") == "AssertionError: 1 != 2"
    assert failure.text is not None and "\ufffd" in failure.text  # control characters cleaned
    assert list(_case(suite, "A-FAIL", "t.py::test_pass").iter("failure")) == []


def test_untested_and_skipped_and_unlinked() -> None:
    suite = _suite()
    untested = _case(suite, "A-UNTESTED", "(untested)").find("skipped")
    assert untested is not None and untested.get("message") == "untested"
    skipped = _case(suite, "A-SKIP", "t.py::test_skip").find("skipped")
    assert skipped is not None and skipped.get("message") == "no resctrl"
    free = _case(suite, "(no requirement)", "t.py::test_free")
    assert list(free) == []


def test_write_junit(tmp_path: Path) -> None:
    path = write_junit(sample_report(), tmp_path / "junit.xml")
    ET.parse(path)
