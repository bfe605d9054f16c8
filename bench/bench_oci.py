"""Real runtimes at their own speed: what rtgate adds to the time of runc's and crun's own
commands (issue 18, item 4).

For each runtime installed (runc, crun), side by side in one run and interleaved so that drift
and the other users of the machine hit every case alike:

(a) the raw floor: N containers through ``create``, ``start``, ``kill KILL``, ``state`` until
    stopped and ``delete``, each command a process waited for without polling, not through
    rtgate;
(b) the same lifecycle through rtgate's :class:`~harness.subjects.oci.OciRuntime` driver;
(c) the runtime's whole gate, ``rtgate run --subject oci:X --host real --profile P``, whose
    tests' time is set against the durations its report records for their commands; its
    start-up and finish (the wall time its tests do not account for) in a row of its own.

It prints a table with two ratios: harness overhead (rtgate's time over the runtime's own
command times; target at most 1.3) and rtgate's time per container over the raw floor's
(target at most 2).  It measures; it asserts nothing.

It runs real containers as root, so it does so only when asked with ``--host real``
(``make bench HOST=real``); otherwise it prints one
row saying that it skipped the real host and why.  Everything it makes is named
``rtgate-<pid>-bench-...`` (its directory in /run, its containers and their cgroups), which
``rtgate cleanup`` recognizes once this process is gone, and it is removed on every way out of
the benchmark, SIGTERM and Ctrl-C included.
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _host import add_host_option
from _host import real_host_refused
from _table import Row
from _table import Target
from _table import measured
from _table import print_table
from _table import skipped

from harness.hosts.preparation import host_prepared
from harness.hosts.preparation import unified_controllers
from harness.hosts.processes import reap
from harness.hosts.processes import set_child_subreaper
from harness.hosts.processes import zombie_children
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import OciRuntime
from harness.subjects.oci import find_busybox
from harness.subjects.oci import make_bundle
from harness.subjects.oci.bundle import BusyboxUnavailable

ROOT = Path(__file__).resolve().parent.parent
PREFIX = f"rtgate-{os.getpid()}-bench"
#: everything this run makes outside cgroupfs: state roots and bundles
WORK = f"/run/{PREFIX}"
CGROUPFS = "/sys/fs/cgroup"
#: how long any one command may take, and a container to stop
DEADLINE_S = 30.0
#: the gate runs: each runtime's whole gate under the profile .ci/run judges it by (runc is
#: Debian's 1.1.5; crun by the runtime-spec, an oci: subject's default)
GATE_PROFILES = {"runc": "runc-1.1", "crun": "runtime-spec"}
#: issue 18: what rtgate adds to a runtime's own command times, and its time per container
OVERHEAD = Target("≤", 1.3, "×")
FLOOR = Target("≤", 2, "×")
#: the figure of the one row of a benchmark that did not run
SKIPPED = "real runc/crun container lifecycle and overhead"


class BenchError(Exception):
    """A command of the benchmark failed: the numbers would mean nothing."""


@dataclasses.dataclass
class Sample:
    """The lifecycles of one case: wall time of each, and its commands' own times."""

    walls: list[float] = dataclasses.field(default_factory=list)
    command_s: float = 0.0
    commands: int = 0

    def add(self, wall: float, command_times: list[float]) -> None:
        self.walls.append(wall)
        self.command_s += sum(command_times)
        self.commands += len(command_times)


def missing(host: str) -> str | None:
    """Why this benchmark does not run here, or None."""
    refused = real_host_refused(host)
    if refused is not None:
        return refused
    if not any(shutil.which(name) for name in ("runc", "crun")):
        return "neither runc nor crun is installed"
    try:
        find_busybox()
    except BusyboxUnavailable as err:
        return str(err)
    return None


def timed(argv: list[str], capture: bool = False) -> tuple[float, int, str]:
    """Seconds ``argv`` took, its exit status and (``capture``) its stdout: a blocking wait,
    a timer thread killing it at :data:`DEADLINE_S`."""
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - a runtime's command, never a shell
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    timer = threading.Timer(DEADLINE_S, proc.kill)
    timer.start()
    try:
        out = proc.communicate()[0] if capture else ""
        proc.wait()
    finally:
        timer.cancel()
    return time.perf_counter() - start, proc.returncode, out or ""


def raw_lifecycle(runtime: str, root: str, bundle: str, cid: str) -> tuple[float, list[float]]:
    """One container's lifecycle by the runtime alone: its wall time and each command's."""
    base = [runtime, "--root", root]
    times: list[float] = []
    start = time.perf_counter()
    for args in (["create", "--bundle", bundle, cid], ["start", cid], ["kill", cid, "KILL"]):
        took, code, _ = timed([*base, *args])
        times.append(took)
        if code != 0:
            raise BenchError(f"{runtime} {args[0]} {cid} exited {code}")
    end = time.monotonic() + DEADLINE_S
    while True:
        took, code, out = timed([*base, "state", cid], capture=True)
        times.append(took)
        if code == 0 and json.loads(out).get("status") == "stopped":
            break
        if time.monotonic() > end:
            raise BenchError(f"{runtime}: {cid} not stopped within {DEADLINE_S} s")
    took, code, _ = timed([*base, "delete", cid])
    times.append(took)
    wall = time.perf_counter() - start
    if code != 0:
        raise BenchError(f"{runtime} delete {cid} exited {code}")
    return wall, times


def rtgate_lifecycle(driver: OciRuntime, bundle: str, cid: str) -> tuple[float, list[float]]:
    """The same lifecycle through rtgate's driver: its wall time and each record's duration."""
    first = len(driver.records)
    start = time.perf_counter()
    driver.create(cid, bundle)
    driver.start(cid)
    driver.kill(cid, "KILL")
    driver.wait_for_status(cid, "stopped", deadline=DEADLINE_S)
    driver.delete(cid)
    wall = time.perf_counter() - start
    records = driver.records[first:]
    failed = [r.describe() for r in records if not r.ok and r.argv[-2:] != ("state", cid)]
    if failed:
        raise BenchError(f"through rtgate: {failed[0]}")
    return wall, [r.duration_s for r in records]


class Lab:
    """One runtime's bundle and state roots under :data:`WORK`; its containers counted."""

    def __init__(self, runtime: str) -> None:
        self.runtime = runtime
        self.config = ContainerConfig(args=("sleep", "600"))
        self.bundle = make_bundle(WORK, PREFIX, runtime, self.config)
        self.raw_root = os.path.join(WORK, f"{runtime}-raw")
        self.driver = OciRuntime(runtime, os.path.join(WORK, f"{runtime}-rtgate"))
        self.serial = 0

    def next_id(self, case: str) -> str:
        """A new container id, its cgroup (``/<id>``) written into the bundle's config."""
        self.serial += 1
        cid = f"{PREFIX}-{self.runtime}-{case}-{self.serial}"
        self.bundle.write_config(dataclasses.replace(self.config, cgroups_path=f"/{cid}"))
        return cid

    def raw(self) -> tuple[float, list[float]]:
        cid = self.next_id("raw")
        return raw_lifecycle(self.runtime, self.raw_root, self.bundle.path, cid)

    def through_rtgate(self) -> tuple[float, list[float]]:
        return rtgate_lifecycle(self.driver, self.bundle.path, self.next_id("rtgate"))


def reap_orphans() -> None:
    """Collect the exited container inits that came to this process as their subreaper."""
    for pid in zombie_children():
        reap(pid)


def lifecycles(labs: list[Lab], count: int) -> dict[tuple[str, str], Sample]:
    """``count`` containers of each runtime and case (after one warm-up each, not counted),
    interleaved: runc raw, runc rtgate, crun raw, crun rtgate, runc raw, ..."""
    samples: dict[tuple[str, str], Sample] = {}
    for round_ in range(count + 1):
        for lab in labs:
            for case, run in (("raw", lab.raw), ("rtgate", lab.through_rtgate)):
                wall, times = run()
                reap_orphans()
                if round_:
                    samples.setdefault((lab.runtime, case), Sample()).add(wall, times)
    return samples


@dataclasses.dataclass
class GateRun:
    profile: str
    wall_s: float
    tests: int
    tests_s: float
    command_s: float
    commands: int
    omitted: int
    exit_code: int


def gate(runtime: str) -> GateRun:
    """The runtime's whole gate, ``rtgate run --subject oci:X --host real --profile P``, timed
    from outside, and what its report says of its tests' and their commands' own durations."""
    profile = GATE_PROFILES.get(runtime, "runtime-spec")
    with tempfile.TemporaryDirectory(prefix=f"{PREFIX}-report-") as out:
        argv = [
            sys.executable, "-m", "rtgate", "run", "--subject", f"oci:{runtime}",
            "--host", "real", "--profile", profile, "--report-dir", out,
        ]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - rtgate itself
            argv, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
        )
        wall = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise BenchError(f"rtgate run exited {done.returncode}: {done.stderr[-500:]}")
        report = json.loads((Path(out) / "compliance.json").read_text())
    tests = report["tests"]
    commands = [c for t in tests for c in t.get("commands") or ()]
    return GateRun(
        profile=profile,
        wall_s=wall,
        tests=len(tests),
        tests_s=sum(t["duration_s"] for t in tests),
        command_s=sum(t["commands_s"] for t in tests),
        commands=len(commands),
        omitted=sum(t.get("commands_omitted", 0) for t in tests),
        exit_code=done.returncode,
    )


def runtime_rows(runtime: str, samples: dict[tuple[str, str], Sample]) -> list[Row]:
    """One runtime's containers: the raw floor's and rtgate's time per container, and the two
    ratios with targets (wall over the commands' own time; rtgate's per container over the
    floor's)."""
    floor = statistics.median(samples[runtime, "raw"].walls)
    raw, through = samples[runtime, "raw"], samples[runtime, "rtgate"]
    each = statistics.median(through.walls)
    n = len(through.walls)
    return [
        measured(f"real {runtime} container lifecycle, raw floor", floor * 1000, "ms", n=n),
        measured(f"real {runtime} container lifecycle, rtgate OciRuntime", each * 1000, "ms", n=n),
        measured(f"real {runtime} raw floor: wall/commands", sum(raw.walls) / raw.command_s, "×",
                 digits=2, n=f"{raw.commands} commands"),
        measured(f"real {runtime} harness overhead: wall/commands",
                 sum(through.walls) / through.command_s, "×", digits=2,
                 n=f"{through.commands} commands", target=OVERHEAD),
        measured(f"real {runtime} rtgate per container / raw floor", each / floor, "×", digits=2,
                 n=n, target=FLOOR),
    ]  # fmt: skip


def gate_rows(runtime: str, g: GateRun) -> list[Row]:
    """The gate run's wall time and its start-up and finish (what is not its tests' own time:
    interpreter, collection, the runtime probe, the reports), and the tests' time over the
    commands their report records, the harness overhead a gate of any size pays."""
    name = f"real {runtime} gate ({g.profile}, {g.tests} tests, exit {g.exit_code})"
    kept = f"{g.commands + g.omitted} commands"  # the report's commands_s has them all
    return [
        measured(f"{name}, wall", g.wall_s, "s", n=1),
        measured(f"{name}, start-up and finish", g.wall_s - g.tests_s, "s", n=1),
        measured(f"{name}, tests/commands", g.tests_s / g.command_s, "×", digits=2, n=kept,
                 target=OVERHEAD),
        measured(f"{name}, wall/commands", g.wall_s / g.command_s, "×", digits=2, n=kept),
    ]  # fmt: skip


def tidy(labs: list[Lab]) -> list[str]:
    """Remove every container, cgroup and file of this run; what could not be removed."""
    left: list[str] = []
    for lab in labs:
        for root in (lab.raw_root, lab.driver.root_dir):
            names = os.listdir(root) if os.path.isdir(root) else []
            for cid in (n for n in names if n.startswith(PREFIX)):
                argv = [lab.runtime, "--root", root, "delete", "--force", cid]
                if timed(argv)[1] != 0:
                    left.append(f"container {cid} ({lab.runtime} --root {root})")
    reap_orphans()
    groups = glob.glob(f"{CGROUPFS}/{PREFIX}-*") + glob.glob(f"{CGROUPFS}/*/{PREFIX}-*")
    for group in sorted(groups, key=len, reverse=True):
        try:
            os.rmdir(group)
        except FileNotFoundError:
            pass
        except OSError as err:
            left.append(f"cgroup {group}: {err.strerror}")
    shutil.rmtree(WORK, ignore_errors=True)
    if os.path.exists(WORK):
        left.append(f"dir {WORK}")
    return left


def _hybrid_refusal() -> str | None:
    """What crun 1.8 refuses on a hybrid host (controllers in cgroup2), for rtgate's own
    preparation to cure for the whole benchmark, runc's part included, as a gate run does."""
    held = unified_controllers()
    return f"cgroup2 holds {', '.join(held)}" if held else None


def measure_labs(
    runtimes: list[str], count: int, gate_run: bool, say: Callable[[str], Any]
) -> list[Row]:
    """Make the labs, measure, return the rows; tidy on every way out (what could not be
    tidied is said, and is a row)."""
    labs: list[Lab] = []
    rows: list[Row] = []
    set_child_subreaper(True)
    try:
        with host_prepared(_hybrid_refusal) as prep:
            if prep.describe():
                say(f"bench_oci: {prep.describe()}")
            labs += [Lab(runtime) for runtime in runtimes]
            say(f"bench_oci: {count} containers per runtime and case, {', '.join(runtimes)}")
            samples = lifecycles(labs, count)
            gates = {runtime: gate(runtime) for runtime in runtimes} if gate_run else {}
        for runtime in runtimes:
            rows += runtime_rows(runtime, samples)
            rows += gate_rows(runtime, gates[runtime]) if runtime in gates else []
    finally:
        left = tidy(labs)
        set_child_subreaper(False)
        if left:
            say(f"bench_oci: left behind (run `rtgate cleanup`): {'; '.join(left)}")
            rows.append(Row("real runtimes: left behind (run rtgate cleanup)", "; ".join(left)))
    return rows


def oci_rows(
    host: str, containers: int = 10, runtimes: list[str] | None = None, gate_run: bool = True
) -> list[Row]:
    """Every row of this benchmark, or one saying why it did not run or was not measured.
    Progress goes to stderr."""
    reason = missing(host)
    if reason is not None:
        return [skipped(SKIPPED, reason)]
    names = [r for r in runtimes or ("runc", "crun") if shutil.which(r)]
    # SIGTERM ends the run as Ctrl-C does: through the finally blocks that tidy
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return measure_labs(names, containers, gate_run, lambda line: print(line, file=sys.stderr))
    except (BenchError, subprocess.TimeoutExpired) as err:
        return [skipped(SKIPPED, f"not measured: {err}")]
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_host_option(parser)
    parser.add_argument("-n", "--containers", type=int, default=10)
    parser.add_argument(
        "--runtime",
        action="append",
        choices=("runc", "crun"),
        help="only this runtime (repeatable); default: those installed",
    )
    parser.add_argument("--no-gate", action="store_true", help="leave out the rtgate run (c)")
    args = parser.parse_args(argv)
    rows = oci_rows(args.host, args.containers, args.runtime, not args.no_gate)
    print_table(rows)
    return 1 if any(row.value.startswith("skipped: not measured") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
