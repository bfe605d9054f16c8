"""junit.xml: valid against the classic JUnit schema, one case per (requirement, test)."""

from __future__ import annotations

import dataclasses
import functools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema
from hypothesis import given
from hypothesis import settings

from harness.report.aggregate import build_report
from harness.report.junit_writer import to_junit
from harness.report.junit_writer import write_junit
from harness.report.model import CommandResult
from harness.report.model import HypothesisFailure
from harness.report.model import Report
from harness.report.model import TestResult
from harness.report.rerun import REPLAY_NOTE
from tests.report._samples import RUN
from tests.report._samples import Info
from tests.report._samples import any_reports
from tests.report._samples import incomplete
from tests.report._samples import sample_report
from tests.report._samples import with_expectation
from tests.report._samples import xpassed

XSD = Path(__file__).with_name("junit.xsd")


@functools.cache
def junit_schema() -> xmlschema.XMLSchema:
    """The JUnit schema of tests/report/junit.xsd, loaded once."""
    return xmlschema.XMLSchema(XSD)


def _suite(report: Report | None = None) -> ET.Element:
    root = ET.fromstring(to_junit(report or sample_report()))
    assert root.tag == "testsuites"
    (suite,) = root
    return suite


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    for case in suite.iter("testcase"):
        if (case.get("classname"), case.get("name")) == (classname, name):
            return case
    raise AssertionError(f"no case {classname} {name}")


def _props(element: ET.Element) -> dict[str | None, str | None]:
    properties = element.find("properties")
    assert properties is not None
    return {p.get("name"): p.get("value") for p in properties.iter("property")}


def _hostile() -> Report:
    run = dataclasses.replace(RUN, started_at="not a time", host="", duration_s=0.0)
    tests = [
        TestResult(
            "t.py::test_h[\x1b[1m<&>\ud800]",
            "error",
            0.0,
            ("H-1",),
            message="\x00\x1f]]>\uffff",
            commands=(CommandResult(("runc", "<x>"), -9, 1.0, "\x07bell\n", timed_out=True),),
        )
    ]
    return build_report(run, [Info("H-1", spec_version="1.0.2")], tests)


SAMPLES = {
    "sample": sample_report,
    "expected": lambda: with_expectation(sample_report()),
    "incomplete": lambda: incomplete(sample_report()),
    "xpass": lambda: xpassed(sample_report()),
    "hostile": _hostile,
    "empty": lambda: build_report(RUN, [], []),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_are_valid_junit(name: str) -> None:
    text = to_junit(SAMPLES[name]())
    junit_schema().validate(text)
    suite = ET.fromstring(text)[0]
    cases = suite.findall("testcase")
    assert int(suite.get("tests", -1)) == len(cases)
    for tag, count in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        assert int(suite.get(count, -1)) == sum(len(c.findall(tag)) for c in cases), tag


def test_suite_counts() -> None:
    suite = _suite()
    assert suite.get("name") == "rtgate"
    # A-PASS, A-FAIL x2, A-SKIP, A-ERROR, A-UNTESTED, and the unlinked test
    # failures: A-FAIL's failing case and the untested A-UNTESTED; skipped: A-SKIP
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("7", "2", "1")
    assert suite.get("skipped") == "1"
    assert suite.get("timestamp") == "2025-01-31T12:00:00"  # UTC, no zone: the classic shape
    assert suite.get("hostname") == "simulated"


def test_suite_properties_say_the_run_and_whether_it_is_complete() -> None:
    props = _props(_suite())
    assert props["verdict"] == "fail" and props["complete"] == "true"
    assert props["started_at"] == "2025-01-31T12:00:00Z"
    assert _props(_suite(incomplete(sample_report())))["complete"] == "false"


def test_cases_carry_requirement_and_level() -> None:
    case = _case(_suite(), "A-ERROR", "t.py::test_error")
    assert _props(case) == {"requirement": "A-ERROR", "level": "MUST NOT", "outcome": "error"}
    error = case.find("error")
    assert error is not None and error.get("message") == "error in setup: RuntimeError: x"


def test_a_test_with_two_requirements_is_two_cases() -> None:
    suite = _suite()
    failure = _case(suite, "A-FAIL", "t.py::test_fail").find("failure")
    assert failure is not None
    assert failure.get("message") == "AssertionError: 1 != 2"
    assert failure.text == "Traceback\nred  end"  # ANSI escapes and control characters gone
    assert list(_case(suite, "A-FAIL", "t.py::test_pass").iter("failure")) == []


def test_failing_case_shows_commands_and_hypothesis_steps() -> None:
    output = _case(_suite(), "A-FAIL", "t.py::test_fail").findtext("system-out")
    assert output is not None
    assert output.splitlines() == [
        "(3 earlier command(s) left out)",
        "$ runc create c1",
        "  exit 0 after 0.125 s",
        "$ runc delete c1",
        "  exit 1 after 0.500 s",
        "  stderr: container <c1> is running",
        "Hypothesis found this failing sequence:",
        "  state = Machine()",
        "  state.create(cid='a')",
        "  state.teardown()",
        f"Replay it: rtgate replay REPORT --requirement A-FAIL ({REPLAY_NOTE})",
    ]
    assert _case(_suite(), "A-FAIL", "t.py::test_pass").find("system-out") is None


def test_xfail_and_xpass_carry_the_expectation() -> None:
    case = _case(_suite(with_expectation(sample_report())), "A-FAIL", "t.py::test_fail")
    props = _props(case)
    assert props["expectation_reason"] == "known bug"
    assert props["expectation_link"] == "https://example.invalid/bug/1"
    assert props["expectation_expires"] == "2099-01-01"
    xpass = _props(_case(_suite(xpassed(sample_report())), "A-PASS", "t.py::test_pass"))
    assert (xpass["outcome"], xpass["expectation_reason"]) == ("pass", "was broken")
    assert "expectation_reason" not in _props(_case(_suite(), "A-PASS", "t.py::test_pass"))


def test_hostile_text_is_cleaned_and_spec_version_kept() -> None:
    suite = _suite(_hostile())
    (case,) = suite.findall("testcase")
    assert case.get("name") == "t.py::test_h[<&>\ufffd]"
    assert _props(case)["spec_version"] == "1.0.2"
    assert "timestamp" not in suite.attrib and "hostname" not in suite.attrib
    output = case.findtext("system-out")
    assert output is not None and "timed out after 1.000 s" in output and "\x07" not in output


def test_untested_and_skipped_and_unlinked() -> None:
    suite = _suite()
    untested = _case(suite, "A-UNTESTED", "(untested)")
    assert _props(untested)["outcome"] == "untested"
    failure = untested.find("failure")
    assert failure is not None and str(failure.get("message")).startswith("untested")
    assert failure.get("type") == "untested", "it fails the verdict: CI must see a failure"
    skipped = _case(suite, "A-SKIP", "t.py::test_skip").find("skipped")
    assert skipped is not None and skipped.get("message") == "no resctrl"
    free = _case(suite, "(no requirement)", "t.py::test_free")
    assert list(free) == []


def _valid_document() -> ET.Element:
    return ET.fromstring(to_junit(sample_report()))


def _drop_name(root: ET.Element) -> None:
    del root[0].find("testcase").attrib["name"]  # type: ignore[union-attr]


def _two_failures(root: ET.Element) -> None:
    case = root[0].find("testcase[@name='t.py::test_fail']")
    assert case is not None
    ET.SubElement(case, "failure", message="again")


def _failure_after_output(root: ET.Element) -> None:
    case = root[0].find("testcase[@name='t.py::test_fail']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    case.remove(failure)
    case.append(failure)


def _skipped_with_type(root: ET.Element) -> None:
    case = root[0].find("testcase[@name='t.py::test_skip']")
    assert case is not None
    skipped = case.find("skipped")
    assert skipped is not None
    skipped.set("type", "xfail")


def _zoned_timestamp(root: ET.Element) -> None:
    root[0].set("timestamp", "2025-01-31T12:00:00Z")


def _count_not_a_number(root: ET.Element) -> None:
    root[0].set("tests", "seven")


def _unknown_element(root: ET.Element) -> None:
    ET.SubElement(root[0], "testcase-ish")


@pytest.mark.parametrize(
    "break_it",
    [
        _drop_name,
        _two_failures,
        _failure_after_output,
        _skipped_with_type,
        _zoned_timestamp,
        _count_not_a_number,
        _unknown_element,
    ],
)
def test_the_schema_rejects_broken_documents(break_it: Callable[[ET.Element], None]) -> None:
    root = _valid_document()
    junit_schema().validate(ET.tostring(root, encoding="unicode"))  # valid before
    break_it(root)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit_schema().validate(ET.tostring(root, encoding="unicode"))


def test_a_single_testsuite_root_is_valid_too() -> None:
    junit_schema().validate(ET.tostring(_valid_document()[0], encoding="unicode"))


def test_write_junit(tmp_path: Path) -> None:
    path = write_junit(sample_report(), tmp_path / "junit.xml")
    junit_schema().validate(str(path))


def test_reproduce_without_steps() -> None:
    hypothesis = HypothesisFailure(steps=(), reproduce="@reproduce_failure('6', b'A')")
    test = TestResult("t::m", "fail", 0.0, ("M",), message="boom", hypothesis=hypothesis)
    (case,) = _suite(build_report(RUN, [Info("M")], [test])).findall("testcase")
    replay = f"Replay it: rtgate replay REPORT --requirement M ({REPLAY_NOTE})"
    assert case.findtext("system-out") == replay


def test_a_long_message_is_cut_in_the_attribute_only() -> None:
    test = TestResult("t::m", "fail", 0.0, ("M",), message="x" * 2000)
    (case,) = _suite(build_report(RUN, [Info("M")], [test])).findall("testcase")
    failure = case.find("failure")
    assert failure is not None and len(str(failure.get("message"))) == 500
    assert failure.text == "x" * 2000


@settings(max_examples=60, deadline=None)
@given(any_reports())
def test_any_report_is_valid_junit(report: Report) -> None:
    text = to_junit(report)
    text.encode("utf-8")  # it can be written
    junit_schema().validate(text)


def test_an_expected_requirement_s_failing_case_is_skipped_as_the_verdict_counts_it() -> None:
    root = ET.fromstring(to_junit(with_expectation(sample_report())))
    cases = [c for c in root.iter("testcase") if c.get("classname") == "A-FAIL"]
    failing = [c for c in cases if c.get("name") == "t.py::test_fail"]
    assert failing and failing[0].find("failure") is None
    assert failing[0].find("skipped") is not None
