"""Small hand-made reports for the writer tests."""

from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from harness.report.aggregate import build_report
from harness.report.aggregate import summarize
from harness.report.model import CommandResult
from harness.report.model import ExpectedFailure
from harness.report.model import HypothesisFailure
from harness.report.model import Report
from harness.report.model import RunInfo
from harness.report.model import TestResult

RUN = RunInfo(
    subject="reference",
    subject_version="0.1.0",
    host="simulated",
    profile="seed",
    rtgate_version="0.1.0",
    started_at="2025-01-31T12:00:00Z",
    duration_s=1.25,
    host_probe={"cgroup": "v1", "resctrl": True},
)


@dataclasses.dataclass(frozen=True, slots=True)
class Info:
    """A catalog entry, as far as the report needs one."""

    id: str
    level: str = "MUST"
    title: str = "a rule"
    source: str = "somewhere"
    url: str | None = None
    scope: str = "api"
    area: str = "a"
    spec_version: str | None = None
    host_features: tuple[str, ...] = ()


def sample_report() -> Report:
    infos = [
        Info("A-PASS"),
        Info("A-FAIL", title="fails <badly> & \x01loudly"),
        Info("A-SKIP", level="SHOULD"),
        Info("A-UNTESTED", url="https://example.invalid/x"),
        Info("A-ERROR", level="MUST NOT"),
    ]
    tests = [
        TestResult("t.py::test_pass", "pass", 0.5, requirements=("A-FAIL", "A-PASS")),
        TestResult(
            "t.py::test_fail",
            "fail",
            0.25,
            requirements=("A-FAIL",),
            message="AssertionError: 1 != 2\nmore",
            details="Traceback\n\x1b[31mred\x1b[0m \x00 end",
            commands=(
                CommandResult(("runc", "create", "c1"), 0, 0.125),
                CommandResult(("runc", "delete", "c1"), 1, 0.5, "container <c1> is running\n"),
            ),
            commands_omitted=3,
            hypothesis=HypothesisFailure(
                steps=("state = Machine()", "state.create(cid='a')", "state.teardown()"),
                reproduce="@reproduce_failure('6.1', b'AXic')",
            ),
        ),
        TestResult("t.py::test_skip", "skip", 0.0, ("A-SKIP",), message="no resctrl"),
        TestResult(
            "t.py::test_error",
            "error",
            0.125,
            ("A-ERROR",),
            message="error in setup: RuntimeError: x",
        ),
        TestResult("t.py::test_free", "pass", 0.0),
    ]
    return build_report(RUN, infos, tests)


def with_expectation(report: Report) -> Report:
    """``report`` with A-FAIL held by an expectation (xfail)."""
    expectation = ExpectedFailure("known bug", "https://example.invalid/bug/1", "2099-01-01")
    requirements = tuple(
        dataclasses.replace(r, outcome="xfail", expectation=expectation) if r.id == "A-FAIL" else r
        for r in report.requirements
    )
    summary = summarize(requirements, report.tests, strict=report.run.strict)
    return dataclasses.replace(report, requirements=requirements, summary=summary)


def xpassed(report: Report) -> Report:
    """``report`` with A-PASS passing against an expectation (xpass)."""
    expectation = ExpectedFailure("was broken", "https://example.invalid/2")
    requirements = tuple(
        dataclasses.replace(r, outcome="xpass", expectation=expectation) if r.id == "A-PASS" else r
        for r in report.requirements
    )
    return dataclasses.replace(report, requirements=requirements)


def incomplete(report: Report) -> Report:
    """``report`` of an interrupted run."""
    return dataclasses.replace(report, run=dataclasses.replace(report.run, complete=False))


_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.sampled_from(["```", "|", "<b>x</b>", "\x1b[31m", "# SKIP", "not ok 1 x", "\n\n", "]]>"]),
)
_OUTCOMES = st.sampled_from(["pass", "fail", "skip", "xfail", "xpass", "error"])


@st.composite
def any_reports(draw: st.DrawFn) -> Report:
    """Small reports whose every text field is arbitrary."""
    ids = draw(st.lists(_TEXT.filter(str.strip), min_size=1, max_size=4, unique=True))
    infos = [
        Info(
            i,
            level=draw(st.sampled_from(["MUST", "SHOULD", "MAY"])),
            title=draw(_TEXT),
            area=draw(_TEXT),
            url=draw(st.none() | _TEXT),
        )  # fmt: skip
        for i in ids
    ]
    tests = []
    for index in range(draw(st.integers(0, 5))):
        argv = tuple(draw(st.lists(_TEXT, max_size=3)))
        killed = tuple(draw(st.lists(_TEXT, max_size=2)))
        command = CommandResult(argv, draw(st.integers(-9, 255)), 0.1, draw(_TEXT),
                                timed_out=bool(killed) or draw(st.booleans()), killed=killed,
                                survived=killed[:draw(st.integers(0, len(killed)))])  # fmt: skip
        tests.append(
            TestResult(
                f"t{index}::{draw(_TEXT)}",
                draw(_OUTCOMES),
                0.0,
                tuple(draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))),
                message=draw(st.none() | _TEXT),
                commands=(command,),
            )
        )
    return build_report(dataclasses.replace(RUN, subject=draw(_TEXT)), infos, tests)
