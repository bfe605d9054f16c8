"""``compliance.md``: the report as a CI job summary (GitHub step summary, GitLab)."""

from __future__ import annotations

import os
from pathlib import Path

from harness.report._atomic import write_text_atomic
from harness.report.model import OUTCOMES
from harness.report.model import Report

__all__ = ["to_markdown", "write_markdown"]


def to_markdown(report: Report, max_bytes: int = 60_000) -> str:
    """The report as Markdown, at most ``max_bytes`` bytes of UTF-8."""
    run, summary = report.run, report.summary
    lines = [f"## rtgate: {summary.verdict.upper()} — {run.subject} {run.subject_version}"]
    if not run.complete:
        lines.append("> **INCOMPLETE**: the run did not finish.")
    lines.append("")
    lines.append("| | " + " | ".join(OUTCOMES) + " |")
    lines.append("|---" * (len(OUTCOMES) + 1) + "|")
    lines.append(
        "| requirements | " + " | ".join(str(summary.counts.get(o, 0)) for o in OUTCOMES) + " |"
    )
    return "\n".join(lines)[:max_bytes] + "\n"


def write_markdown(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write :func:`to_markdown` to ``path`` atomically."""
    return write_text_atomic(path, to_markdown(report))
