"""``rtgate expectations update REPORT [--into FILE]``: the run's failures as waivers.

FILE is the expectations file to update (made when missing); without ``--into``, the file the
run itself used, else the new file goes to stdout.  What the update leaves alone (a failure
already listed, an entry gone stale) is said on stderr, one line each.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli._report import report_file
from harness.errors import InputFileError
from harness.errors import UsageError
from harness.report.expectations import load_expectations
from harness.report.json_writer import read_json
from harness.report.waivers import plan_update
from harness.report.waivers import render_update

__all__ = ["expectations"]


def expectations(args: argparse.Namespace) -> int:
    """Run ``rtgate expectations update``; exit code 0.

    Raises:
        InputFileError: REPORT or FILE cannot be read, or FILE cannot be written.
        UsageError: FILE is for another subject or version than the run.
    """
    report = read_json(report_file(args.report))
    target = args.into or report.run.expectations.get("path")
    existing = text = None
    if target and Path(target).exists():
        existing = load_expectations(target)
        mismatch = existing.matches(report.run.subject, report.run.subject_version)
        if mismatch is not None:
            raise UsageError(mismatch)
        text = Path(target).read_text(encoding="utf-8")
    update = plan_update(report, existing)
    for note in update.notes:
        print(f"rtgate: {note}", file=sys.stderr)
    written = render_update(report, update, text)
    if not target:
        sys.stdout.write(written)
        return 0
    if written != text:
        try:
            Path(target).write_text(written, encoding="utf-8")
        except OSError as err:
            raise InputFileError(target, f"cannot write there: {err.strerror or err}") from err
    print(
        f"rtgate: {target}: {len(update.added)} entr{'y' if len(update.added) == 1 else 'ies'}"
        " added" + (", each with a reason and link to fill in" if update.added else "")
    )
    return 0
