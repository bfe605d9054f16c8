"""``compliance.ktap``: the report in the kernel's KTAP version 1 format."""

from __future__ import annotations

import os
import re
from pathlib import Path

from harness.report._atomic import write_text_atomic
from harness.report.model import Report

__all__ = ["to_ktap", "write_ktap"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/=\[\]\-]")


def to_ktap(report: Report) -> str:
    """The report as KTAP text: one top-level test per requirement."""
    lines = ["KTAP version 1", f"1..{len(report.requirements)}"]
    for number, requirement in enumerate(report.requirements, 1):
        ok = "ok" if requirement.outcome in ("pass", "skip", "xfail") else "not ok"
        name = _UNSAFE.sub("_", requirement.id)
        directive = " # SKIP" if requirement.outcome == "skip" else ""
        lines.append(f"{ok} {number} {name}{directive}")
    return "\n".join(lines) + "\n"


def write_ktap(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write :func:`to_ktap` to ``path`` atomically."""
    return write_text_atomic(path, to_ktap(report))
