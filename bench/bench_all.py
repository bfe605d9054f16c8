"""Every benchmark of rtgate measured in one run and printed as one table (issue 18): each figure
next to its target, and a last line counting the targets met and missed.

``make bench`` runs this (``make bench HOST=real`` adds ``--host real``): the simulated
kernel's file operations and hosts (bench_fakes), the real runtimes' floor and rtgate's
overhead over it (bench_oci, real host only), the state machines' steps per second
(bench_machines), whole ``rtgate run``s and the one-rule rerun (bench_run), the report's
formats rendered from the serial run's own report (bench_report), and the fault engine's cost
(bench_inject, real host only).  A part that does not run here is one row saying why.  Each
benchmark also runs alone (``python bench/bench_X.py``) and prints its own rows.

It measures; it asserts nothing.  What it leaves out of its defaults to stay within a few
minutes on a 2-core machine (one whole run per mode; the state machines' rtgate-deep profile)
is said in the rows' N and in bench_machines.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable

from _host import add_host_option
from _table import Row
from _table import print_table
from bench_fakes import fake_rows
from bench_inject import inject_rows
from bench_machines import machine_rows
from bench_oci import oci_rows
from bench_report import report_rows
from bench_run import run_rows


def _part(name: str, measure: Callable[[], list[Row]]) -> list[Row]:
    """One benchmark's rows, with a line on stderr saying what is measured and how long it
    took (the whole takes minutes)."""
    print(f"bench: {name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    rows = measure()
    print(f"bench: {name}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return rows


def all_rows(args: argparse.Namespace) -> list[Row]:
    """Every benchmark's rows in the table's order: the simulated container next to the real
    ones, the whole runs before the report read from the serial one."""
    with tempfile.TemporaryDirectory(prefix="rtgate-bench-report-") as reports:
        report = os.path.join(reports, "compliance.json")
        return [
            *_part("simulated kernel (bench_fakes)", lambda: fake_rows(args.count, args.repeats)),
            *_part("real runtimes (bench_oci)", lambda: oci_rows(args.host, args.containers)),
            *_part("state machines (bench_machines)", machine_rows),
            *_part(
                "whole runs (bench_run)",
                lambda: run_rows(args.host, args.runs, args.reruns, report_dir=reports),
            ),
            *_part("report formats (bench_report)", lambda: report_rows(report, args.repeats)),
            *_part("fault engine (bench_inject)", lambda: inject_rows(args.host, args.deletes)),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_host_option(parser)
    parser.add_argument("--runs", type=int, default=1, help="whole rtgate runs per mode")
    parser.add_argument("--reruns", type=int, default=3, help="runs of the one-rule rerun")
    parser.add_argument("--count", type=int, default=300, help="file operations per batch")
    parser.add_argument("--repeats", type=int, default=5, help="batches and report renders")
    parser.add_argument("--containers", type=int, default=10, help="real containers per case")
    parser.add_argument("--deletes", type=int, default=10, help="faulted deletes per case")
    print_table(all_rows(parser.parse_args()))


if __name__ == "__main__":
    main()
