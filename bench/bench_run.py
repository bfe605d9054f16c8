"""How long a whole `rtgate run` takes on this machine, serial and with two xdist workers.

Run with `make bench`.  Prints one line per mode with the best and the median of N runs; it
measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

from _host import add_host_option
from _host import real_host_refused

#: the rerun of one failing requirement of a broken runtime (issue 17: under 5 s), which exits 1
RERUN_ONE = [
    "--subject", "python:tests.broken.precedence_reversed:new_factory",
    "--requirement", "LC-DESTROY-FIRST-ERROR-CGROUP",
]  # fmt: skip


def one_run(extra: list[str], expected: int = 0) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from harness.cli import main; sys.exit(main())",
                "run",
                "--report-dir",
                out,
                *extra,
            ],
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
    if result.returncode != expected:
        sys.exit(f"rtgate run exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    add_host_option(parser)
    args = parser.parse_args()
    cases: list[tuple[str, list[str]]] = [("serial", []), ("-n 2", ["-n", "2"])]
    refused = real_host_refused(args.host)
    if refused is not None:
        print(f"bench_run: --host real runs skipped: {refused}")
    else:
        cases += [
            ("--host real", ["--host", "real"]),
            ("--host real -n 2", ["--host", "real", "-n", "2"]),
        ]
    times = [one_run(RERUN_ONE, expected=1) for _ in range(args.runs)]
    print(
        f"rtgate run --requirement (one failing rule of a broken runtime): best"
        f" {min(times):.1f} s, median {statistics.median(times):.1f} s over {args.runs} runs"
    )
    for label, extra in cases:
        times = [one_run(extra) for _ in range(args.runs)]
        print(
            f"rtgate run ({label}): best {min(times):.1f} s, "
            f"median {statistics.median(times):.1f} s over {args.runs} runs"
        )


if __name__ == "__main__":
    main()
