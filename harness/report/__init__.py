"""One result model and the writers that read it: JSON, JUnit and a text summary.

This package sees only the result model: the plugin builds a :class:`Report`, these functions
turn it into files and text.
"""

from __future__ import annotations

from harness.report.aggregate import build_report
from harness.report.aggregate import requirement_result
from harness.report.aggregate import summarize
from harness.report.json_writer import from_json
from harness.report.json_writer import read_json
from harness.report.json_writer import to_json
from harness.report.json_writer import write_json
from harness.report.junit_writer import to_junit
from harness.report.junit_writer import write_junit
from harness.report.model import OUTCOMES
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import RequirementResult
from harness.report.model import RunInfo
from harness.report.model import Summary
from harness.report.model import TestResult
from harness.report.model import Verdict
from harness.report.summary import render_summary

__all__ = [
    "OUTCOMES",
    "Outcome",
    "Report",
    "RequirementResult",
    "RunInfo",
    "Summary",
    "TestResult",
    "Verdict",
    "build_report",
    "from_json",
    "read_json",
    "render_summary",
    "requirement_result",
    "summarize",
    "to_json",
    "to_junit",
    "write_json",
    "write_junit",
]
