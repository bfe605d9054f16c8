"""What the syscall fault engine costs a real runtime command: ``delete`` of a stopped container
by runc (and crun when installed) without the engine, under it with a fault that never fires
(the engine's own overhead: every rmdir and unlinkat goes through its thread), and under it with
rmdir of the container's cgroup directories failing with EBUSY at every attempt (the runtime's
retries are then part of the time).

Run with ``make bench HOST=real`` (or ``python bench/bench_inject.py --host real``) as root.
It prints a row per runtime and case with the median of N deletes (no targets); it measures,
it asserts nothing.
Everything it makes (state roots, bundles, containers, cgroups) is named rtgate-<pid>-bench-*
and removed again, also when it fails half-way.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import glob
import itertools
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from _host import add_host_option
from _host import real_host_refused
from _table import Row
from _table import measured
from _table import print_table
from _table import skipped

from harness.fakes.faults import FaultPlan
from harness.fakes.faults import KernelOp
from harness.hosts.inject import supervised
from harness.hosts.inject import unsupported
from harness.hosts.processes import reap
from harness.hosts.processes import set_child_subreaper
from harness.hosts.processes import zombie_children

_CGROUPFS = "/sys/fs/cgroup"
_BUSYBOX = "/bin/busybox"
#: run-owned names, which ``rtgate cleanup`` recognizes once this process is gone
_PREFIX = f"rtgate-{os.getpid()}-bench"
#: how long a container may take to stop, and any one command to finish
_DEADLINE_S = 30.0
_CASES = ("without engine", "engine idle", "rmdir EBUSY every attempt")


def missing(host: str) -> str | None:
    """Why this machine cannot run the benchmark at all, or None."""
    refused = real_host_refused(host)
    if refused is not None:
        return refused
    reason = unsupported()
    if reason is not None:
        return f"the syscall fault engine cannot run here: {reason}"
    if shutil.which("runc") is None:
        return "runc is not installed"
    if not os.path.isfile(_BUSYBOX):
        return f"needs a statically linked busybox at {_BUSYBOX} for the container's rootfs"
    return None


def config(cgroup: str) -> dict[str, Any]:
    """A minimal OCI config (shaped after ``runc spec``): /bin/true in its own pid, ipc, uts
    and mount namespaces, in cgroup ``cgroup``; the host's network, so no netns to tear down."""
    caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": ["/bin/true"],
            "env": ["PATH=/bin"],
            "cwd": "/",
            "capabilities": {kind: caps for kind in ("bounding", "effective", "permitted")},
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": False},
        "hostname": "rtgate-bench",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]},
        ],
        "linux": {
            "cgroupsPath": cgroup,
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "namespaces": [{"type": kind} for kind in ("pid", "ipc", "uts", "mount")],
        },
    }


def make_rootfs(bundle: Path) -> None:
    """A rootfs of one static busybox, which is also /bin/sh and /bin/true."""
    bin_dir = bundle / "rootfs" / "bin"
    bin_dir.mkdir(parents=True)
    shutil.copy2(_BUSYBOX, bin_dir / "busybox")
    for name in ("sh", "true"):
        (bin_dir / name).symlink_to("busybox")
    for mountpoint in ("proc", "dev"):
        (bundle / "rootfs" / mountpoint).mkdir()


def cgroups(cid: str) -> list[str]:
    """The cgroup directories of container ``cid`` (cgroupsPath /<cid>): one per v1 hierarchy
    that has it, the unified one of a hybrid host, or the root of a pure v2 host."""
    return sorted(glob.glob(f"{_CGROUPFS}/*/{cid}") + glob.glob(f"{_CGROUPFS}/{cid}"))


class Bench:
    """One runtime with its own state root and bundle under ``where``."""

    def __init__(self, runtime: str, where: Path) -> None:
        self.runtime = runtime
        self.root = where / "state"
        self.bundle = where / "bundle"
        make_rootfs(self.bundle)
        self.made: list[str] = []

    def cli(self, *args: str, **popen: Any) -> subprocess.CompletedProcess[str]:
        argv = [self.runtime, "--root", str(self.root), *args]
        popen = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
        return subprocess.run(argv, text=True, timeout=_DEADLINE_S, **popen)

    def create(self, cid: str) -> None:
        """``create`` with files for stdio: the container inherits them, and a pipe would
        stay open (and ``create`` unfinished for us) until the container is over."""
        (self.bundle / "config.json").write_text(json.dumps(config(f"/{cid}")))
        self.made.append(cid)
        with open(self.bundle.parent / "create.err", "w+") as err:
            proc = self.cli(
                "create", "--bundle", str(self.bundle), cid,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
            err.seek(0)
            if proc.returncode != 0:
                raise RuntimeError(f"{self.runtime} create failed: {err.read().strip()}")

    def stopped(self, cid: str) -> None:
        """Create and start container ``cid`` and wait until its /bin/true is over (reaping
        it: as our subreaper's orphan it would stay a zombie otherwise).

        Raises:
            RuntimeError: a command failed or the container did not stop in time.
        """
        self.create(cid)
        proc = self.cli("start", cid)
        if proc.returncode != 0:
            raise RuntimeError(f"{self.runtime} start failed: {proc.stderr.strip()}")
        deadline = time.monotonic() + _DEADLINE_S
        while time.monotonic() < deadline:
            state = self.cli("state", cid)
            if state.returncode == 0 and json.loads(state.stdout)["status"] == "stopped":
                for pid in zombie_children():
                    reap(pid)
                return
            time.sleep(0.005)
        raise RuntimeError(f"{self.runtime}: container {cid} did not stop in {_DEADLINE_S} s")

    def delete(self, cid: str, plan: FaultPlan | None) -> tuple[float, int, int]:
        """Seconds ``delete cid`` took (the engine's setup and teardown included), its exit
        status and how many syscalls the engine failed."""
        log: list[KernelOp] = []
        start = time.perf_counter()
        if plan is None:
            proc = self.cli("delete", cid)
        else:
            with supervised(plan, log) as extra:
                proc = self.cli("delete", cid, **extra)
        elapsed = time.perf_counter() - start
        return elapsed, proc.returncode, sum(op.errno is not None for op in log)

    def tidy(self) -> None:
        """Remove what is left of our containers: a state the runtime kept, the cgroup
        directories a faulted delete left (the faults are long cleared by now)."""
        for cid in self.made:
            if self.cli("state", cid).returncode == 0:
                self.cli("delete", "--force", cid)
            for path in cgroups(cid):
                with contextlib.suppress(FileNotFoundError):
                    os.rmdir(path)
        self.made.clear()


def plan_for(case: str, bench: Bench, cid: str) -> FaultPlan | None:
    """The plan of ``case``: none, rmdir of a path no delete touches, or EBUSY for every rmdir
    of the container's cgroup directories."""
    if case == _CASES[0]:
        return None
    plan = FaultPlan()
    if case == _CASES[1]:
        plan.fail("rmdir", f"{bench.root.parent}/never-removed", errno.EBUSY, count=None)
    else:
        for path in cgroups(cid):
            plan.fail("rmdir", path, errno.EBUSY, count=None)
    return plan


def measure(bench: Bench, runs: int, serial: itertools.count[int]) -> list[Row]:
    """``runs`` rounds of the three cases, interleaved so that drift hits them alike."""
    times: dict[str, list[float]] = {case: [] for case in _CASES}
    statuses: set[int] = set()
    failed: list[int] = []
    for _ in range(runs):
        for case in _CASES:
            cid = f"{_PREFIX}-{next(serial)}"
            bench.stopped(cid)
            elapsed, status, fired = bench.delete(cid, plan_for(case, bench, cid))
            times[case].append(elapsed * 1000)
            if case == _CASES[2]:
                statuses.add(status)
                failed.append(fired)
            bench.tidy()
    name = f"{bench.runtime} delete of a stopped container"
    rows = [
        measured(f"{name}, {case}", statistics.median(ms), "ms", digits=0, n=runs)
        for case, ms in times.items()
    ]
    figure = f"{name}, rmdirs the engine failed (exit {sorted(statuses)})"
    return [*rows, measured(figure, statistics.median(failed), "", digits=0, n=runs)]


def inject_rows(host: str, runs: int = 10) -> list[Row]:
    """Every row of this benchmark, or one saying why it did not run."""
    reason = missing(host)
    if reason is not None:
        return [skipped("fault engine: runtime delete under faults", reason)]
    rows: list[Row] = []
    serial = itertools.count(1)
    set_child_subreaper(True)
    try:
        for runtime in (name for name in ("runc", "crun") if shutil.which(name)):
            with tempfile.TemporaryDirectory(prefix=f"{_PREFIX}-{runtime}-") as where:
                bench = Bench(runtime, Path(where))
                try:
                    rows += measure(bench, runs, serial)
                except (RuntimeError, subprocess.TimeoutExpired) as err:
                    rows.append(skipped(f"{runtime} delete under faults", f"not measured, {err}"))
                finally:
                    bench.tidy()
    finally:
        set_child_subreaper(False)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--runs", type=int, default=10)
    add_host_option(parser)
    args = parser.parse_args()
    print_table(inject_rows(args.host, args.runs))


if __name__ == "__main__":
    main()
