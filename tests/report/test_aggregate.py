"""The rules from test outcomes to requirement outcomes and the verdict."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.report.aggregate import build_report
from harness.report.aggregate import requirement_result
from harness.report.model import Outcome
from harness.report.model import TestResult
from tests.report._samples import RUN
from tests.report._samples import Info

TEST_OUTCOMES: tuple[Outcome, ...] = ("pass", "fail", "skip", "xfail", "xpass", "error")


def _tests(*outcomes: Outcome, req: str = "R-X") -> list[TestResult]:
    return [
        TestResult(f"t.py::test_{i}", o, 0.0, requirements=(req,), message=f"m{i}")
        for i, o in enumerate(outcomes)
    ]


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ((), "untested"),
        (("pass",), "pass"),
        (("pass", "skip"), "pass"),
        (("skip", "skip"), "skip"),
        (("pass", "fail", "skip"), "fail"),
        (("fail", "error", "pass"), "error"),
        (("pass", "xfail"), "xfail"),
        (("xfail", "xpass"), "xpass"),
        (("xpass", "fail"), "fail"),
        (("skip", "xfail"), "xfail"),
    ],
)
def test_worst_outcome_wins(outcomes: tuple[Outcome, ...], expected: Outcome) -> None:
    assert requirement_result(Info("R-X"), _tests(*outcomes)).outcome == expected


@given(st.lists(st.sampled_from(TEST_OUTCOMES), max_size=6), st.randoms())
def test_order_of_tests_does_not_matter(outcomes: list[Outcome], rnd: object) -> None:
    tests = _tests(*outcomes)
    shuffled = list(tests)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert requirement_result(Info("R-X"), tests) == requirement_result(Info("R-X"), shuffled)


@given(st.lists(st.sampled_from(TEST_OUTCOMES), min_size=1, max_size=6))
def test_untested_only_without_tests_and_pass_never_hides_a_failure(
    outcomes: list[Outcome],
) -> None:
    result = requirement_result(Info("R-X"), _tests(*outcomes))
    assert result.outcome != "untested"
    if result.outcome == "pass":
        assert set(outcomes) <= {"pass", "skip"}


def test_skip_message_collects_reasons() -> None:
    tests = _tests("skip", "skip", "skip")
    assert requirement_result(Info("R-X"), tests).message == "m0; m1; m2"


def test_message_is_the_first_test_with_the_requirements_outcome() -> None:
    result = requirement_result(Info("R-X"), _tests("pass", "fail", "fail"))
    assert result.message == "m1"
    assert result.tests == ("t.py::test_0", "t.py::test_1", "t.py::test_2")


def test_a_violation_is_a_failing_test_of_that_requirement() -> None:
    test = TestResult(
        "t.py::test_m", "fail", 0.0, requirements=("R-A",), violates=("R-B",), message="boom"
    )
    result = requirement_result(Info("R-B"), [test])
    assert (result.outcome, result.tests, result.message) == ("fail", ("t.py::test_m",), "boom")
    passed = TestResult("t.py::test_p", "pass", 0.0, violates=("R-B",))
    assert requirement_result(Info("R-B"), [passed]).outcome == "fail"
    erred = TestResult("t.py::test_e", "error", 0.0, violates=("R-B",))
    assert requirement_result(Info("R-B"), [erred]).outcome == "error"


def test_a_failure_that_names_its_violations_blames_only_those() -> None:
    test = TestResult(
        "t.py::test_m", "fail", 0.0, requirements=("R-A", "R-B"), violates=("R-B",), message="x"
    )
    assert requirement_result(Info("R-A"), [test]).outcome == "pass"
    assert requirement_result(Info("R-B"), [test]).outcome == "fail"
    anonymous = TestResult("t.py::test_n", "fail", 0.0, requirements=("R-A",), message="x")
    assert requirement_result(Info("R-A"), [anonymous]).outcome == "fail"


@pytest.mark.parametrize(
    ("level", "outcome", "verdict"),
    [
        ("MUST", "fail", "fail"),
        ("MUST", "error", "fail"),
        ("MUST NOT", "fail", "fail"),
        ("SHOULD", "fail", "pass"),
        ("SHOULD NOT", "error", "pass"),
        ("MAY", "fail", "pass"),
        ("MUST", "skip", "pass"),
        ("MUST", "xfail", "pass"),
        ("MUST", "xpass", "pass"),
    ],
)
def test_verdict_rules(level: str, outcome: Outcome, verdict: str) -> None:
    # R-OK passes, so the run checked something: only R-X's own outcome decides
    # (a run that checks nothing: tests/report/test_unchecked.py).
    tests = _tests(outcome) + _tests("pass", req="R-OK")
    report = build_report(RUN, [Info("R-X", level=level), Info("R-OK")], tests)
    assert report.summary.verdict == verdict
    assert report.summary.fatal == (("R-X",) if verdict == "fail" else ())


@pytest.mark.parametrize("level", ["MUST", "SHOULD", "MAY"])
def test_any_untested_requirement_fails_the_verdict(level: str) -> None:
    report = build_report(RUN, [Info("R-X"), Info("R-Y", level=level)], _tests("pass"))
    assert report.requirement("R-Y").outcome == "untested"
    assert report.summary.verdict == "fail"
    assert report.summary.fatal == ("R-Y",)


def test_counts_include_every_outcome_and_reports_are_sorted() -> None:
    report = build_report(
        RUN,
        [Info("R-Z"), Info("R-A")],
        _tests("pass", req="R-Z")[::-1] + _tests("fail", req="R-A"),
    )
    assert [r.id for r in report.requirements] == ["R-A", "R-Z"]
    assert report.summary.counts == {
        "pass": 1,
        "fail": 1,
        "skip": 0,
        "xfail": 0,
        "xpass": 0,
        "error": 0,
        "untested": 0,
    }
    assert sum(report.summary.test_counts.values()) == 2
    with pytest.raises(KeyError):
        report.requirement("R-NOPE")


def test_the_message_of_a_requirement_names_it_when_a_test_does() -> None:
    machine = TestResult(
        "a.py::test_machine", "fail", 1.0, ("R-1", "R-2"), ("R-1", "R-2"), "[R-2] broke"
    )
    single = TestResult("b.py::test_r1", "fail", 1.0, ("R-1",), message="[R-1] broke")
    result = requirement_result(Info("R-1"), [machine, single])
    assert result.message == "[R-1] broke", "not the machine's message, which is about R-2"
    assert requirement_result(Info("R-2"), [machine, single]).message == "[R-2] broke"
