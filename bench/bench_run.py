"""How long a whole `rtgate run` takes on this machine, serial and with two xdist workers, how
many simulated hosts a serial run boots and what share of its time the boots take, and how
long the rerun of one failing requirement takes.

Run with `make bench` (all benchmarks in one table) or `python bench/bench_run.py`.  Each run
is a process of its own, timed from outside; it measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _boots import Boots
from _boots import read
from _host import add_host_option
from _host import real_host_refused
from _table import Row
from _table import Target
from _table import measured
from _table import print_table
from _table import skipped

BENCH = Path(__file__).resolve().parent
#: the rerun of one failing requirement of a broken runtime (issue 17: under 5 s), which exits 1
RERUN_ONE = [
    "--subject", "python:tests.broken.precedence_reversed:new_factory",
    "--requirement", "LC-DESTROY-FIRST-ERROR-CGROUP",
]  # fmt: skip
#: `make run` is `rtgate run -n auto`, one worker per CPU, with the defaults (issue 18: under
#: 15 s on 2 cores)
RUN_TARGET = Target("<", 15, "s")
RERUN_TARGET = Target("<", 5, "s")


def one_run(
    extra: list[str], expected: int = 0, report_dir: str | None = None, boots: str | None = None
) -> float:
    """Seconds one `rtgate run` took (its report into ``report_dir``, else a temporary one;
    its simulated host boots counted into the file ``boots`` when given)."""
    count = f"sys.path.insert(0, {str(BENCH)!r}); import _boots; _boots.install({boots!r}); "
    code = f"import sys; {count if boots else ''}from harness.cli import main; sys.exit(main())"
    with _report_dir(report_dir) as out:
        start = time.perf_counter()
        argv = [sys.executable, "-c", code, "run", "--report-dir", out, *extra]
        result = subprocess.run(argv, capture_output=True, text=True)  # noqa: S603 - rtgate
        elapsed = time.perf_counter() - start
    if result.returncode != expected:
        sys.exit(f"rtgate run exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return elapsed


@contextlib.contextmanager
def _report_dir(keep: str | None) -> Iterator[str]:
    if keep is not None:
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="rtgate-bench-run-") as out:
        yield out


def timed_runs(extra: list[str], runs: int) -> list[float]:
    """Seconds of each of ``runs`` runs of `rtgate run` with ``extra``."""
    return [one_run(extra) for _ in range(runs)]


def serial_rows(runs: int, report_dir: str | None = None) -> tuple[list[Row], float]:
    """The serial run's rows (its time, the hosts it boots, their share) and its median."""
    times: list[float] = []
    boots: list[Boots] = []
    with tempfile.TemporaryDirectory(prefix="rtgate-bench-boots-") as where:
        for i in range(runs):
            into = os.path.join(where, f"{i}.json")
            times.append(one_run([], report_dir=report_dir if i == 0 else None, boots=into))
            boots += [b for b in (read(into),) if b is not None]
    median = statistics.median(times)
    rows = [measured("rtgate run, serial", median, "s", n=runs)]
    if not boots or not boots[-1].count:
        rows.append(skipped("simulated hosts a serial run boots", "the count was not written"))
        return rows, median
    count, seconds = boots[-1].count, sum(b.seconds for b in boots) / len(boots)
    rows += [
        measured("simulated hosts a serial run boots", count, "", digits=0, n=runs),
        measured("a host boot within the run (enter+leave)", seconds / count * 1000, "ms", digits=2,
                 n=f"{count}x{len(boots)}"),
        measured("share of the serial run that is host boots", 100 * seconds / median, "%",
                 n=len(boots)),
    ]  # fmt: skip
    return rows, median


def run_rows(host: str, runs: int = 3, reruns: int = 3, report_dir: str | None = None) -> list[Row]:
    """Every row of this benchmark; the first serial run's report kept in ``report_dir``."""
    times = [one_run(RERUN_ONE, expected=1) for _ in range(reruns)]
    rerun = statistics.median(times)
    figure = "rerun of one failing requirement"
    rows = [measured(figure, rerun, "s", n=reruns, target=RERUN_TARGET)]
    serial_part, serial = serial_rows(runs, report_dir)
    rows += serial_part
    parallel = statistics.median(timed_runs(["-n", "auto"], runs))
    cpus = os.cpu_count() or 1
    rows += [
        measured(f"rtgate run -n auto (make run; {cpus} CPUs)", parallel, "s", n=runs,
                 target=RUN_TARGET),
        measured("rtgate run -n auto gain (serial/-n auto)", serial / parallel, "×", digits=2,
                 n=runs),
    ]  # fmt: skip
    refused = real_host_refused(host)
    if refused is not None:
        return [*rows, skipped("rtgate run --host real (serial, -n 2)", refused)]
    for label, extra in (("", []), (" -n 2", ["-n", "2"])):
        real = statistics.median(timed_runs(["--host", "real", *extra], runs))
        rows.append(measured(f"rtgate run --host real{label}", real, "s", n=runs))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each whole run (median)")
    parser.add_argument("--reruns", type=int, default=3, help="runs of the one-rule rerun")
    add_host_option(parser)
    args = parser.parse_args()
    print_table(run_rows(args.host, args.runs, args.reruns))


if __name__ == "__main__":
    main()
