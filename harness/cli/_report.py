"""``rtgate report render | diff | merge``: work on reports that runs already wrote.

Every input is a report directory or its ``compliance.json``; one that is missing or is not a
report is an :class:`~harness.errors.InputFileError` naming it (exit 2).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

from harness.errors import InputFileError
from harness.errors import RtgateError
from harness.errors import UsageError
from harness.report.diff import diff_reports
from harness.report.diff import render_diff
from harness.report.fleet_model import Fleet
from harness.report.fleet_model import build_fleet
from harness.report.json_writer import read_json
from harness.report.model import Report

__all__ = ["REPORT_JSON", "diff", "merge", "render", "report", "report_file"]

#: the file of a report directory the other formats are rebuilt from
REPORT_JSON = "compliance.json"
#: findings of a fleet's history ``merge`` prints before it sends the reader to fleet.md
MAX_FINDINGS = 10


def report(args: argparse.Namespace) -> int:
    """Run the ``report`` subcommand ``args.report_command`` names; its exit code."""
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "render": render,
        "diff": diff,
        "merge": merge,
    }
    return commands[args.report_command](args)


def report_file(given: str) -> Path:
    """The ``compliance.json`` that ``given`` (a report directory or the file) names.

    Raises:
        InputFileError: there is no such file, or the directory holds no report.
    """
    path = Path(given)
    if path.is_dir():
        path = path / REPORT_JSON
        if not path.is_file():
            raise InputFileError(given, f"not a report directory: it has no {REPORT_JSON}")
    elif not path.exists():
        raise InputFileError(given, "no such file or directory")
    return path


def _load(given: str) -> tuple[Path, Report]:
    path = report_file(given)
    return path, read_json(path)


@contextlib.contextmanager
def _writing_into(out: Path) -> Iterator[None]:
    """A directory that cannot be made or written is the user's to fix: one line, exit 2."""
    try:
        yield
    except OSError as err:
        raise InputFileError(str(out), f"cannot write there: {err.strerror or err}") from err


def render(args: argparse.Namespace) -> int:
    """Rebuild every format of a report from its ``compliance.json``; exit code 0.

    The JSON is written again too: reading and writing it is an exact round trip.
    """
    from harness.report.formats import write_all  # the writers of every format: only here

    path, loaded = _load(args.report)
    out = Path(args.out) if args.out else path.parent
    with _writing_into(out):
        written = write_all(loaded, out)
    for file in written:
        print(file)
    return 0


def diff(args: argparse.Namespace) -> int:
    """Print what changed from OLD to NEW; exit code 1 when anything regressed, else 0."""
    old = _load(args.old)[1]
    new = _load(args.new)[1]
    changes = diff_reports(old, new)
    print(render_diff(changes, args.format), end="")
    return 1 if changes.regressions else 0


def merge(args: argparse.Namespace) -> int:
    """Write a fleet report of two or more reports and print each host's verdict; exit 0.

    Several reports of one host (runs on different dates) are its history: the host's line
    is its latest run.  It is a report, not a gate: failing hosts do not change the exit code.

    Raises:
        UsageError: fewer than two reports.
    """
    if len(args.reports) < 2:
        raise UsageError(f"'merge' needs at least two reports (got {len(args.reports)})")
    from harness.report.fleet_writers import write_fleet  # jinja2: only here

    loaded = [_load(given) for given in args.reports]
    now = datetime.datetime.now(datetime.UTC)
    with _writing_into(Path(args.out or "reports")):
        out = Path(args.out) if args.out else default_fleet_dir(now)
    # the links from the fleet's files to each run's own report are relative to where they go
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    fleet = build_fleet(loaded, created_at=created, links_from=out.absolute())
    with _writing_into(out):
        written = write_fleet(fleet, out)
    print("\n".join(_merge_lines(fleet)))
    for file in written:
        print(file)
    return 0


def _merge_lines(fleet: Fleet) -> list[str]:
    """What ``merge`` prints before the files: each host's verdict, the warnings, and what
    stands out and fails now, the first :data:`MAX_FINDINGS` findings in words."""
    width = max(len(host.label) for host in fleet.hosts)
    lines = []
    for host in fleet.hosts:
        features = " ".join(host.features) or "unknown features"
        runs = f"  ({len(host.runs)} runs)" if len(host.runs) > 1 else ""
        lines.append(f"{host.label:<{width}}  {host.verdict.upper():<4}  {features}{runs}")
    lines += [f"warning: {warning}" for warning in fleet.warnings]
    lines.append(
        f"requirements standing out (failing on some hosts only): {len(fleet.standing_out)}"
    )
    if not fleet.has_history:
        return lines
    findings = [(row.id, f) for row in fleet.changing for f in row.findings]
    lines.append(f"requirements failing now or flapping: {len(fleet.changing)}")
    lines += [f"  {rid} on {f.group}: {f.sentence()}" for rid, f in findings[:MAX_FINDINGS]]
    if len(findings) > MAX_FINDINGS:
        lines.append(f"  ... and {len(findings) - MAX_FINDINGS} more: see fleet.md")
    return lines


def default_fleet_dir(now: datetime.datetime, root: Path | None = None) -> Path:
    """A new ``reports/fleet-<UTC time>/`` under ``root`` (the working directory)."""
    reports = (root or Path.cwd()) / "reports"
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    reports.mkdir(parents=True, exist_ok=True)
    for serial in range(1, 1000):
        target = reports / (f"fleet-{stamp}" if serial == 1 else f"fleet-{stamp}-{serial}")
        try:
            target.mkdir()
        except FileExistsError:
            continue
        return target
    raise RtgateError(f"cannot make a new fleet directory under {reports}")
