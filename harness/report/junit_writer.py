"""``junit.xml``: the report for CI systems, one test case per (requirement, test).

Choices, so that a CI dashboard shows requirements rather than Python functions:

- one ``<testsuite name="rtgate">``; each test case has ``classname`` = the requirement id and
  ``name`` = the pytest node id, so a test that checks three requirements appears three times;
- ``<properties>`` on each case carry ``requirement``, ``level`` and the rtgate ``outcome``;
- fail is ``<failure>``, error is ``<error>``, skip is ``<skipped>``; xfail is ``<skipped
  type="xfail">`` and xpass a passing case (the verdict, not JUnit, decides what they mean);
- an untested requirement is a case named ``(untested)`` with ``<skipped type="untested">``,
  so that it is visible, and counted, instead of silently missing;
- tests that name no requirement of the profile appear under ``classname="(no requirement)"``.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report._atomic import write_text_atomic
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import TestResult

__all__ = ["to_junit", "write_junit"]

UNLINKED = "(no requirement)"
UNTESTED = "(untested)"
# Characters XML 1.0 forbids even when escaped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def to_junit(report: Report) -> str:
    """The report as JUnit XML text."""
    suite = ET.Element("testsuite", name="rtgate", timestamp=report.run.started_at)
    _properties(
        suite,
        [
            ("subject", report.run.subject),
            ("subject_version", report.run.subject_version),
            ("host", report.run.host),
            ("profile", report.run.profile),
            ("rtgate_version", report.run.rtgate_version),
            ("verdict", report.summary.verdict),
        ],
    )
    tests = {t.nodeid: t for t in report.tests}
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for requirement in report.requirements:
        if requirement.outcome == "untested":
            case = _case(suite, requirement.id, UNTESTED, 0.0)
            _properties(case, [("requirement", requirement.id), ("level", requirement.level)])
            ET.SubElement(case, "skipped", type="untested", message="untested")
            counts["tests"] += 1
            counts["skipped"] += 1
            continue
        for nodeid in requirement.tests:
            test = tests[nodeid]
            outcome = test.outcome_for(requirement.id)
            case = _case(suite, requirement.id, nodeid, test.duration_s)
            _properties(
                case,
                [
                    ("requirement", requirement.id),
                    ("level", requirement.level),
                    ("outcome", outcome),
                ],
            )
            _result(case, outcome, test)
            _tally(counts, outcome)
    linked = {nodeid for r in report.requirements for nodeid in r.tests}
    for test in report.tests:
        if test.nodeid not in linked:
            case = _case(suite, UNLINKED, test.nodeid, test.duration_s)
            _result(case, test.outcome, test)
            _tally(counts, test.outcome)
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("time", f"{report.run.duration_s:.3f}")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write :func:`to_junit` to ``path`` atomically."""
    return write_text_atomic(path, to_junit(report))


def _case(suite: ET.Element, classname: str, name: str, seconds: float) -> ET.Element:
    return ET.SubElement(
        suite, "testcase", classname=_clean(classname), name=_clean(name), time=f"{seconds:.3f}"
    )


def _properties(parent: ET.Element, pairs: list[tuple[str, str]]) -> None:
    properties = ET.SubElement(parent, "properties")
    for name, value in pairs:
        ET.SubElement(properties, "property", name=name, value=_clean(value))


def _result(case: ET.Element, outcome: Outcome, test: TestResult) -> None:
    message = _clean(_first_line(test.message or outcome))
    if outcome == "fail":
        element = ET.SubElement(case, "failure", message=message)
        element.text = _clean(test.details or test.message or "")
    elif outcome == "error":
        element = ET.SubElement(case, "error", message=message)
        element.text = _clean(test.details or test.message or "")
    elif outcome == "skip":
        ET.SubElement(case, "skipped", type="skip", message=message)
    elif outcome == "xfail":
        ET.SubElement(case, "skipped", type="xfail", message=message)


def _tally(counts: dict[str, int], outcome: Outcome) -> None:
    counts["tests"] += 1
    if outcome == "fail":
        counts["failures"] += 1
    elif outcome == "error":
        counts["errors"] += 1
    elif outcome in ("skip", "xfail"):
        counts["skipped"] += 1


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _clean(text: str) -> str:
    return _ILLEGAL.sub("\ufffd", text)
