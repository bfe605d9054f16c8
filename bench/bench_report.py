"""How long writing a report takes, per format, and how big each file is.

Reads a ``compliance.json`` (default: ``reports/latest``, the last ``make run``; ``make bench``
gives it the report of the run it has just timed) and renders every format of
:data:`harness.report.formats.FORMATS` from it several times.  Run with ``make bench`` or
``python bench/bench_report.py [PATH]``.  It prints a row per format (no targets) and asserts
nothing: the numbers are for people to compare between commits.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _table import Row
from _table import measured
from _table import print_table
from _table import skipped

from harness.errors import RtgateError
from harness.report.formats import FORMATS
from harness.report.json_writer import read_json

DEFAULT_REPORT = "reports/latest/compliance.json"


def report_rows(path: str = DEFAULT_REPORT, repeats: int = 5) -> list[Row]:
    """A row per format: the median time to render it from the report at ``path``, and the
    file's size; one row saying why when the report cannot be read."""
    try:
        start = time.perf_counter()
        report = read_json(path)
        read_s = time.perf_counter() - start
    except RtgateError as err:
        return [skipped("report rendering", f"{err} (run `make run` first)")]
    sizes = f"{len(report.requirements)} requirements, {len(report.tests)} tests"
    rows = [measured(f"report read ({sizes})", read_s * 1000, "ms", n=1)]
    for name, writer in FORMATS.items():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            text = writer(report)
            times.append(time.perf_counter() - start)
        kib = len(text.encode("utf-8")) / 1024
        figure = f"report {name} ({kib:,.0f} KiB)"
        rows.append(measured(figure, statistics.median(times) * 1000, "ms", n=repeats))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default=DEFAULT_REPORT)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = report_rows(args.report, args.repeats)
    print_table(rows)
    return 0 if rows[0].number is not None else 2


if __name__ == "__main__":
    sys.exit(main())
