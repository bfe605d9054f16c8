"""Tests whose failure an expectation covers end as pytest ``xfail``, not as failures.

The report already turns a requirement an expectation holds into ``xfail``; doing the same for
the test keeps pytest's own output in line with it: no traceback printed for a known failure,
and test counts that say ``xfailed`` where the requirement says xfail.  A test is converted
only when an expectation holds every requirement it blames (those it recorded violating, else
all it declares); one requirement without an expectation keeps the whole test a failure.  The
failure itself stays in the report: pytest keeps it in the report's ``longrepr`` and the
message says what it was.
"""

from __future__ import annotations

from collections.abc import Generator
from collections.abc import Mapping
from typing import Any

import pytest

from harness.report.expectations import Expectation

__all__ = ["XfailByExpectation"]


class XfailByExpectation:
    """Plugin object, on every process (xdist workers make their own reports)."""

    def __init__(self, holding: Mapping[str, Expectation]) -> None:
        self.holding = dict(holding)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.when != "call" or not report.failed or hasattr(report, "wasxfail"):
            return report
        blamed = _blamed(item.user_properties)
        if blamed and all(req_id in self.holding for req_id in blamed):
            crash = getattr(report.longrepr, "reprcrash", None)
            got = crash.message.splitlines()[0] if crash is not None and crash.message else ""
            report.outcome = "skipped"
            report.wasxfail = f"expectation ({', '.join(blamed)}): {got}".rstrip(": ")
        return report


def _blamed(properties: list[tuple[str, Any]]) -> list[str]:
    violated = [value for name, value in properties if name == "violates"]
    if violated:
        return sorted(set(violated))
    return sorted({value for name, value in properties if name == "requirement"})
