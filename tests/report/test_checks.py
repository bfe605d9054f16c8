"""A requirement judged by its own checks: the rules of one test for one requirement, how they
add up over tests, and how every format shows the counts (issue 14, item 3)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.report.aggregate import build_report
from harness.report.aggregate import requirement_result
from harness.report.diff import diff_reports
from harness.report.fleet_model import build_fleet
from harness.report.html_writer import to_html
from harness.report.json_writer import from_json
from harness.report.json_writer import to_json
from harness.report.junit_writer import to_junit
from harness.report.ktap_writer import to_ktap
from harness.report.markdown_writer import to_markdown
from harness.report.model import CheckTally
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import TestResult
from tests.report._samples import RUN
from tests.report._samples import Info

SEVERAL = ("R-A", "R-B", "R-C")


def several(
    outcome: Outcome, *tallies: CheckTally, violates: tuple[str, ...] = (), message: str = "m"
) -> TestResult:
    return TestResult(
        "t.py::test_several", outcome, 0.1, requirements=SEVERAL, violates=violates,
        message=message, checks=tallies,
    )  # fmt: skip


BROKE_B = several(
    "fail",
    CheckTally("R-A", 2),
    CheckTally("R-B", 1, 1, ("[R-B] broken",)),
    violates=("R-B",),
    message="AssertionError: [R-B] broken",
)


@pytest.mark.parametrize(
    ("test", "req_id", "judged"),
    [
        (BROKE_B, "R-A", ("pass", None)),
        (BROKE_B, "R-B", ("fail", "AssertionError: [R-B] broken")),
        (BROKE_B, "R-C", ("untested", "not reached: t.py::test_several failed on R-B")),
        (
            several("pass", CheckTally("R-A", 1)),
            "R-B",
            ("untested", "no check ran: t.py::test_several passed without checking it"),
        ),
        (
            several("fail", CheckTally("R-A", 1), message="AssertionError: no paused state\nx"),
            "R-B",
            ("error", "setup failed: AssertionError: no paused state"),
        ),
        (
            several("error", message="error in setup: OSError: gone"),
            "R-A",
            ("error", "setup failed: OSError: gone"),
        ),
        (
            several("error", CheckTally("R-A", 1), message="error in teardown: x"),
            "R-A",
            ("error", "error in teardown: x"),
        ),
        (several("skip", message="no resctrl"), "R-A", ("skip", "no resctrl")),
    ],
)
def test_one_test_for_one_requirement(
    test: TestResult, req_id: str, judged: tuple[Outcome, str | None]
) -> None:
    assert test.judge(req_id) == judged


def test_a_report_without_counts_keeps_the_older_rule() -> None:
    old = TestResult("t.py::t", "fail", 0.0, requirements=SEVERAL, violates=("R-B",))
    assert [old.outcome_for(r) for r in SEVERAL] == ["pass", "fail", "pass"]
    assert old.tally("R-A") is None


def test_another_test_that_checked_it_decides() -> None:
    other = TestResult("t.py::test_c", "pass", 0.0, requirements=("R-C",),
                       checks=(CheckTally("R-C", 3),))  # fmt: skip
    result = requirement_result(Info("R-C"), [BROKE_B, other])
    assert (result.outcome, result.checks) == ("pass", CheckTally("R-C", 3))
    alone = requirement_result(Info("R-C"), [BROKE_B])
    assert (alone.outcome, alone.tests) == ("untested", ("t.py::test_several",))
    assert alone.message == "not reached: t.py::test_several failed on R-B"
    assert alone.fatal


def test_counts_add_up_over_tests() -> None:
    again = TestResult("t.py::test_b", "fail", 0.0, requirements=("R-B",), violates=("R-B",),
                       checks=(CheckTally("R-B", 4, 1, ("[R-B] again",)),))  # fmt: skip
    result = requirement_result(Info("R-B"), [BROKE_B, again])
    # in node id order: t.py::test_b first
    assert result.checks == CheckTally("R-B", 5, 2, ("[R-B] again", "[R-B] broken"))
    assert result.checks.summary == "5 checks ran, 2 failed"


def _report() -> Report:
    return build_report(RUN, [Info(r) for r in SEVERAL], [BROKE_B])


def test_json_round_trips_the_counts() -> None:
    report = _report()
    text = to_json(report)
    assert from_json(text) == report
    data = json.loads(text)
    assert data["requirements"][1]["checks"] == {
        "requirement": "R-B", "ran": 1, "failed": 1, "messages": ["[R-B] broken"]
    }  # fmt: skip
    assert [c["requirement"] for c in data["tests"][0]["checks"]] == ["R-A", "R-B"]


def test_a_report_of_an_older_rtgate_reads_without_counts() -> None:
    back = _older(_report())
    assert back.requirements[0].checks is None
    assert back.tests[0].checks is None


def test_every_format_shows_the_counts() -> None:
    report = _report()
    assert "Checks: 1 check ran, 1 failed." in to_markdown(report)
    assert "not reached: t.py::test_several failed on R-B" in to_markdown(report)
    assert "# checks: 2 checks ran, 0 failed" in to_ktap(report)
    assert "not reached: t.py::test_several failed on R-B" in to_ktap(report)
    page = to_html(report)
    assert "1 check ran, 1 failed" in page and "not reached: t.py::test_several" in page
    root = ET.fromstring(to_junit(report))
    cases = {c.get("classname"): c for c in root.iter("testcase")}
    properties = {p.get("name"): p.get("value") for p in cases["R-A"].iter("property")}
    assert (properties["checks_ran"], properties["checks_failed"]) == ("2", "0")
    failure = cases["R-C"].find("failure")
    assert failure is not None and failure.get("type") == "untested"
    assert failure.get("message") == "not reached: t.py::test_several failed on R-B"


def _older(report: Report) -> Report:
    """``report`` as an rtgate before checks were counted wrote it, read back."""
    data = json.loads(to_json(report))
    for entry in data["requirements"] + data["tests"]:
        del entry["checks"]
    return from_json(json.dumps(data))


def test_diff_and_fleet_take_a_report_without_counts() -> None:
    old_test = TestResult("t.py::test_several", "fail", 0.1, requirements=SEVERAL,
                          violates=("R-B",))  # fmt: skip
    old = _older(build_report(RUN, [Info(r) for r in SEVERAL], [old_test]))
    assert old.requirement("R-C").outcome == "pass"  # the older rule passed it unchecked
    diff = diff_reports(old, _report())
    changes = {c.id: (c.old, c.new, c.kind) for c in diff.changes}
    assert changes == {"R-C": ("pass", "untested", "regression")}
    fleet = build_fleet([(Path("old"), old), (Path("new"), _report())], "2025-01-31T12:00:00Z")
    assert [row.id for row in fleet.rows] == list(SEVERAL)


def test_a_message_of_several_failed_rules_gives_each_its_own() -> None:
    """verify.each raises one error that lists every failed rule, the first first: each
    requirement's message is its own check's, not the one that happened to lead."""
    both = several(
        "fail",
        CheckTally("R-A", 1, 1, ("[R-A] exited 1",)),
        CheckTally("R-B", 2, 1, ("[R-B] the hooks never ran",)),
        violates=("R-A", "R-B"),
        message="AssertionError: [R-A] exited 1\n[R-B] the hooks never ran",
    )
    assert both.judge("R-A") == ("fail", "[R-A] exited 1")
    assert both.judge("R-B") == ("fail", "[R-B] the hooks never ran")
    assert BROKE_B.judge("R-B") == ("fail", "AssertionError: [R-B] broken")
