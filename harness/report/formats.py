"""Every file format of a report, by file name, and writing them all into a report directory.

One table, so that ``rtgate run`` and ``rtgate report render`` write exactly the same files.
Each writer is a pure ``Report -> str`` function; this module writes each file atomically and
``compliance.json`` last, so that a reader who finds the JSON finds the other formats of the
same report beside it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from harness.report._atomic import write_text_atomic
from harness.report.html_writer import to_html
from harness.report.json_writer import to_json
from harness.report.junit_writer import to_junit
from harness.report.ktap_writer import to_ktap
from harness.report.markdown_writer import to_markdown
from harness.report.model import Report

__all__ = ["FORMATS", "JSON_NAME", "write_all"]

JSON_NAME = "compliance.json"

#: file name -> writer; the JSON is written last (see the module docstring)
FORMATS: dict[str, Callable[[Report], str]] = {
    "compliance.md": to_markdown,
    "compliance.html": to_html,
    "junit.xml": to_junit,
    "compliance.ktap": to_ktap,
    JSON_NAME: to_json,
}


def write_all(report: Report, report_dir: str | os.PathLike[str]) -> list[Path]:
    """Write every format into ``report_dir`` (made if missing); the paths written, in order."""
    directory = Path(report_dir)
    directory.mkdir(parents=True, exist_ok=True)
    return [write_text_atomic(directory / name, writer(report)) for name, writer in FORMATS.items()]
