"""Hooks rtgate adds to pytest, for plugins that want the finished report.

Registered by :func:`harness.plugin.pytest_addhooks`.  A plugin implements them like any pytest
hook, e.g. a Markdown writer::

    def pytest_rtgate_report(report, report_dir, config): ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from harness.report.model import Report

__all__ = ["pytest_rtgate_report"]


@pytest.hookspec
def pytest_rtgate_report(report: Report, report_dir: str | None, config: pytest.Config) -> None:
    """Called once per run, on the controller, after the report is built and written.

    Args:
        report: the whole run's result model.
        report_dir: where ``compliance.json`` and ``junit.xml`` were written, or ``None`` when
            the run writes no report.
        config: the pytest config of the run.
    """
