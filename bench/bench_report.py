"""How long writing a report takes, per format, and how big each file is.

Reads a ``compliance.json`` (default: ``reports/latest``, the last ``make run``) and renders
every format of :data:`harness.report.formats.FORMATS` from it several times.  Run with
``make bench`` or ``python bench/bench_report.py [PATH]``.  It prints one line per format and
asserts nothing: the numbers are for people to compare between commits.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from harness.errors import RtgateError
from harness.report.formats import FORMATS
from harness.report.json_writer import read_json


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default="reports/latest/compliance.json")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    try:
        report = read_json(args.report)
    except RtgateError as err:
        print(f"bench_report: {err} (run `make run` first)", file=sys.stderr)
        return 2
    sizes = f"{len(report.requirements)} requirements, {len(report.tests)} tests"
    print(f"{Path(args.report)}: {sizes}")
    for name, writer in FORMATS.items():
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            text = writer(report)
            times.append(time.perf_counter() - start)
        size = len(text.encode("utf-8"))
        print(f"  {name:<16} {statistics.median(times) * 1000:8.1f} ms  {size / 1024:8.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
