"""Small hand-made reports for the writer tests."""

from __future__ import annotations

import dataclasses

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


def waived(report: Report) -> Report:
    """``report`` with A-FAIL waived by an expectation (xfail)."""
    expectation = ExpectedFailure("known bug", "https://example.invalid/bug/1", "2099-01-01")
    requirements = tuple(
        dataclasses.replace(r, outcome="xfail", expectation=expectation) if r.id == "A-FAIL" else r
        for r in report.requirements
    )
    summary = summarize(requirements, report.tests, strict=report.run.strict)
    return dataclasses.replace(report, requirements=requirements, summary=summary)
