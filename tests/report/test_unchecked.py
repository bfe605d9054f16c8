"""The verdict rules about what a run did not check (harness/report/unchecked.py): a run that
checked nothing never passes, and ``--certify`` fails on a skip no missing host feature
explains."""

from __future__ import annotations

import dataclasses

import pytest

from harness.report.aggregate import build_report
from harness.report.html_writer import to_html
from harness.report.json_writer import from_json
from harness.report.json_writer import to_json
from harness.report.junit_writer import to_junit
from harness.report.ktap_writer import to_ktap
from harness.report.markdown_writer import to_markdown
from harness.report.model import Outcome
from harness.report.model import TestResult
from harness.report.summary import render_summary
from harness.report.unchecked import unexplained_skips
from harness.spec.skip_reasons import explained_by_host
from harness.spec.skip_reasons import missing_host_feature
from tests.report._samples import RUN
from tests.report._samples import Info

CERTIFY = dataclasses.replace(RUN, certify=True, strict=True)
HOST_SKIP = missing_host_feature("L3 CAT", "/proc/cpuinfo has no cat_l3 flag")


def _test(name: str, outcome: Outcome, req: str, message: str | None = None) -> TestResult:
    return TestResult(f"t.py::{name}", outcome, 0.0, requirements=(req,), message=message)


def test_a_run_whose_every_requirement_skipped_fails_and_says_why() -> None:
    tests = [_test("a", "skip", "R-A", HOST_SKIP), _test("b", "skip", "R-B", "no runtime")]
    report = build_report(RUN, [Info("R-A"), Info("R-B")], tests)
    assert report.summary.counts["skip"] == 2
    assert report.summary.verdict == "fail"
    assert report.summary.fatal == ()
    (note,) = report.summary.verdict_notes
    assert note.startswith("nothing was checked: none of the 2 requirement(s) ran a check")
    assert "verdict failed: nothing was checked" in render_summary(report)


@pytest.mark.parametrize("checked", ["pass", "xfail", "xpass"])
def test_one_checked_requirement_is_enough_outside_certify(checked: Outcome) -> None:
    tests = [_test("a", "skip", "R-A", "no reason of the host"), _test("b", checked, "R-B")]
    report = build_report(RUN, [Info("R-A"), Info("R-B")], tests)
    assert report.summary.verdict_notes == ()
    assert report.summary.verdict == ("pass" if checked != "xpass" or not RUN.strict else "fail")


def test_certify_accepts_a_skip_for_a_missing_host_feature() -> None:
    tests = [_test("a", "skip", "R-A", HOST_SKIP), _test("b", "pass", "R-B")]
    report = build_report(CERTIFY, [Info("R-A"), Info("R-B")], tests)
    assert report.summary.verdict == "pass"
    assert report.summary.verdict_notes == ()


def test_certify_fails_on_an_unexplained_skip_and_names_it() -> None:
    tests = [
        _test("a", "skip", "R-A", "the spec names no verdict here"),
        _test("b", "pass", "R-B"),
        _test("c", "skip", "R-B", HOST_SKIP),
    ]
    report = build_report(CERTIFY, [Info("R-A"), Info("R-B")], tests)
    assert report.summary.verdict == "fail"
    (note,) = report.summary.verdict_notes
    assert note == (
        "--certify: 1 skipped test(s) no missing host feature explains: "
        "t.py::a (the spec names no verdict here)"
    )
    # the same run without --certify passes: only certification asks why a test skipped
    assert build_report(RUN, [Info("R-A"), Info("R-B")], tests).summary.verdict == "pass"


def test_certify_names_at_most_five_unexplained_skips() -> None:
    tests = [_test(f"s{i}", "skip", "R-A", "why not") for i in range(7)]
    tests.append(_test("p", "pass", "R-B"))
    (note,) = build_report(CERTIFY, [Info("R-A"), Info("R-B")], tests).summary.verdict_notes
    assert note.startswith("--certify: 7 skipped test(s)")
    assert note.endswith("; and 2 more")


def test_skip_reasons_round_trip_and_nothing_else_counts_as_the_host() -> None:
    assert explained_by_host(HOST_SKIP) == "L3 CAT"
    assert explained_by_host(missing_host_feature("a [v1] machine", "x")) == "a (v1) machine"
    for reason in (None, "", "L3 CAT missing", "missing host feature: L3", "x " + HOST_SKIP):
        assert explained_by_host(reason) is None
    skipped = [_test("a", "skip", "R", HOST_SKIP), _test("b", "skip", "R", "no"),
               _test("c", "pass", "R", "no")]  # fmt: skip
    assert [t.nodeid for t in unexplained_skips(skipped)] == ["t.py::b"]


@pytest.mark.parametrize(
    "write",
    [to_json, to_junit, to_ktap, to_markdown, to_html, render_summary],
    ids=["json", "junit", "ktap", "markdown", "html", "summary"],
)
def test_every_writer_shows_the_runtime_probe_and_why_the_verdict_failed(write) -> None:
    probe = {"kernel": "6.1", "cgroup_mode": "hybrid", "runtime_probe": "oci:x: create exited 1"}
    run = dataclasses.replace(RUN, host="real", host_probe=probe)
    report = build_report(run, [Info("R-A")], [_test("a", "skip", "R-A", "no runtime")])
    text = write(report)
    assert "oci:x: create exited 1" in text
    assert "nothing was checked: none of the 1 requirement(s) ran a check" in text


def test_the_notes_survive_a_round_trip_through_compliance_json() -> None:
    report = build_report(RUN, [Info("R-A")], [_test("a", "skip", "R-A", "no runtime")])
    assert from_json(to_json(report)).summary == report.summary
