"""How fast the simulated kernel is: control-file operations per second next to the same
operations on plain files of a real tmpfs (/dev/shm), booting a host and making and removing a
container's cgroups per preset, and whole simulated container lifecycles.

Run with ``make bench`` (or ``python bench/bench_fakes.py``).  It prints one row per
measurement and asserts nothing: a slow simulation is a number to look at, not a test failure.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import tempfile
import time
from collections.abc import Callable

from _table import Row
from _table import Target
from _table import measured
from _table import print_table

from harness.fakes import Topology
from harness.fakes import booted_kernel as kernel_host
from harness.hosts import simulated_host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from reference_impl import new_factory
from reference_impl.cgroups.manager import new_manager
from reference_impl.configs import CgroupConfig
from reference_impl.profiles import RUNC_1_2

Op = Callable[[int], None]
#: issue 18: a control file's write and read on the simulated kernel within 10 times tmpfs
FILE_TARGET = Target("≤", 10, "×")
PRESETS = ("v1-cat", "v2-cat", "hybrid-cat")


def rate(op: Op, count: int, repeats: int) -> float:
    """Operations per second: the median of ``repeats`` timed batches of ``count`` calls."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(count):
            op(i)
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _read(path: str) -> str:
    with open(path) as file:
        return file.read()


def file_ops(base: str, state: str, procs: str, pid: int) -> dict[str, Op]:
    """The measured operations, as functions of the iteration number."""

    def freeze_cycle(i: int) -> None:
        _write(state, "FROZEN" if i % 2 == 0 else "THAWED")
        _read(state)

    def attach(i: int) -> None:
        _write(procs, str(pid))
        _read(procs)

    def mkdir_rmdir(i: int) -> None:
        path = os.path.join(base, f"bench-{i}")
        os.mkdir(path)
        os.rmdir(path)

    return {
        "write+read freezer.state": freeze_cycle,
        "write+read cgroup.procs": attach,
        "mkdir+rmdir group": mkdir_rmdir,
    }


def simulated_rates(count: int, repeats: int) -> dict[str, float]:
    """Each operation on a simulated v1 host (one kernel for all of them)."""
    with kernel_host(Topology(resctrl=None)) as kernel:
        freezer = "/sys/fs/cgroup/freezer"
        group = os.path.join(freezer, "bench")
        os.mkdir(group)
        pid = kernel.spawn_process("sleep")
        ops = file_ops(
            freezer,
            os.path.join(group, "freezer.state"),
            os.path.join(group, "cgroup.procs"),
            pid,
        )
        return {name: rate(op, count, repeats) for name, op in ops.items()}


def tmpfs_rates(count: int, repeats: int) -> dict[str, float]:
    """The same operations on plain files in a temporary directory under /dev/shm."""
    where = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(prefix="rtgate-bench-", dir=where) as base:
        state = os.path.join(base, "freezer.state")
        procs = os.path.join(base, "cgroup.procs")
        ops = file_ops(base, state, procs, os.getpid())
        return {name: rate(op, count, repeats) for name, op in ops.items()}


def boot_rate(count: int, repeats: int, preset: str) -> float:
    """Simulated hosts per second booted from ``preset`` (entered and left, nothing done)."""

    def boot(i: int) -> None:
        with simulated_host(preset):
            pass

    return rate(boot, count, repeats)


def cgroup_tree_rate(count: int, repeats: int, preset: str) -> float:
    """Container cgroups per second made in every mounted hierarchy (``apply`` of the reference
    manager runc 1.2's profile uses) and removed again (its ``destroy``), on one host booted from
    ``preset``."""
    with simulated_host(preset) as host:

        def apply_destroy(i: int) -> None:
            pid = host.kernel.spawn_process("bench")
            config = CgroupConfig(path=f"/bench-{i}")
            manager = new_manager(config, host.system, RUNC_1_2)
            manager.apply(pid)
            host.kernel.exit_process(pid)
            manager.destroy()

        serial = iter(range(10**9))
        return rate(lambda _: apply_destroy(next(serial)), count, repeats)


def lifecycle_rate(count: int, repeats: int, *, fresh_host: bool) -> float:
    """Containers per second through create, run, pause, resume, SIGKILL, destroy with the
    reference runtime; ``fresh_host`` boots a new simulated host for each container."""

    def one(host: object, i: int) -> None:
        factory = new_factory(host.state_root, host.system)  # type: ignore[attr-defined]
        cid = f"bench-{i}"
        container = factory.create(cid, config_for(cid))
        container.run(INIT)
        container.pause()
        container.resume()
        container.signal(signal.SIGKILL)
        container.destroy()

    if fresh_host:

        def booted(i: int) -> None:
            with simulated_host() as host:
                one(host, i)

        return rate(booted, count, repeats)
    with simulated_host() as host:
        serial = iter(range(10**9))
        return rate(lambda _: one(host, next(serial)), count, repeats)


def file_rows(count: int, repeats: int) -> list[Row]:
    """Each file operation's time on the simulated kernel and on tmpfs, and their ratio; the
    control-file writes and reads have a target (issue 18: at most 10 times tmpfs)."""
    simulated = simulated_rates(count, repeats)
    tmpfs = tmpfs_rates(count, repeats)
    n = f"{repeats}x{count}"
    rows: list[Row] = []
    for name, sim_rate in simulated.items():
        target = FILE_TARGET if name.startswith("write+read") else None
        rows += [
            measured(f"{name}, simulated", 1e6 / sim_rate, "µs", n=n),
            measured(f"{name}, tmpfs", 1e6 / tmpfs[name], "µs", n=n),
            measured(f"{name}, simulated/tmpfs", tmpfs[name] / sim_rate, "×", n=n, target=target),
        ]
    return rows


def host_rows(count: int, repeats: int) -> list[Row]:
    """Per preset, a host's boot and a container's cgroups; then whole container lifecycles
    on one host and on a host each."""
    n = f"{repeats}x{count}"
    rows: list[Row] = []
    for preset in PRESETS:
        boots = boot_rate(count, repeats, preset)
        trees = cgroup_tree_rate(count, repeats, preset)
        rows += [
            measured(f"simulated host boot, {preset}", 1000 / boots, "ms", digits=2, n=n),
            measured(f"cgroup apply+destroy, {preset}", 1000 / trees, "ms", digits=2, n=n),
        ]
    shared = lifecycle_rate(count, repeats, fresh_host=False)
    fresh = lifecycle_rate(count, repeats, fresh_host=True)
    for label, value in (("one host", shared), ("a host per container", fresh)):
        figure = f"simulated container lifecycle, {label}"
        rows.append(measured(figure, 1000 / value, "ms", digits=2, n=n))
    return rows


def fake_rows(count: int = 300, repeats: int = 5) -> list[Row]:
    """Every row of this benchmark: ``count`` file operations per batch, a tenth as many
    (at least 10) hosts and containers, ``repeats`` batches each (the median is shown)."""
    return file_rows(count, repeats) + host_rows(max(10, count // 10), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300, help="operations per batch")
    parser.add_argument("--repeats", type=int, default=5, help="batches (the median is shown)")
    args = parser.parse_args()
    print_table(fake_rows(args.count, args.repeats))


if __name__ == "__main__":
    main()
