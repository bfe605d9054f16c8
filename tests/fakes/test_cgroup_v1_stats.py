"""The v1 statistics and stored tunables: names, modes and formats as kernel 6.18 shows them."""

from __future__ import annotations

import errno
import os
import stat

from harness.fakes import SimulatedKernel
from harness.fakes import Topology
from harness.fakes import booted_kernel
from tests.fakes._io import errno_of
from tests.fakes._io import read
from tests.fakes._io import write

CG = "/sys/fs/cgroup"


def _mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_cpu_statistics_and_rt_tunables(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/cpu/a")
    assert read(f"{CG}/cpu/a/cpu.stat").splitlines()[0] == "nr_periods 0"
    assert read(f"{CG}/cpu/a/cpu.rt_runtime_us") == "0\n"
    assert read(f"{CG}/cpu/cpu.rt_runtime_us") == "950000\n"
    write(f"{CG}/cpu/a/cpu.idle", "1")
    assert read(f"{CG}/cpu/a/cpu.idle") == "1\n"
    assert errno_of(lambda: write(f"{CG}/cpu/a/cpu.idle", "2")) == errno.EINVAL
    assert errno_of(lambda: write(f"{CG}/cpu/a/cpu.stat", "0")) == errno.EINVAL


def test_memory_files_follow_the_kernel(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/memory/a")
    group = f"{CG}/memory/a"
    assert _mode(f"{group}/cgroup.event_control") == 0o200
    assert _mode(f"{group}/memory.pressure_level") == 0o444
    assert errno_of(lambda: read(f"{group}/memory.pressure_level")) == errno.EINVAL
    write(f"{group}/memory.limit_in_bytes", "1048576")
    assert "hierarchical_memory_limit 1048576\n" in read(f"{group}/memory.stat")
    write(f"{group}/memory.failcnt", "0")
    assert errno_of(lambda: write(f"{group}/memory.use_hierarchy", "0")) == errno.EINVAL
    assert errno_of(lambda: write(f"{CG}/memory/memory.oom_control", "1")) == errno.EINVAL
    assert not os.path.exists(f"{CG}/memory/memory.shown_ram_in_bytes")


def test_blkio_has_bfq_and_throttle_files_but_no_weight(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/blkio/a")
    entries = set(os.listdir(f"{CG}/blkio/a"))
    assert "blkio.weight" not in entries
    assert {"blkio.bfq.weight", "blkio.reset_stats", "blkio.throttle.read_bps_device"} <= entries
    rule = lambda: write(f"{CG}/blkio/a/blkio.throttle.read_bps_device", "8:0 1048576")  # noqa: E731
    assert errno_of(rule) == errno.ENODEV  # no such block device on the simulated host
    write(f"{CG}/blkio/a/blkio.bfq.weight_device", "default 200")
    assert read(f"{CG}/blkio/a/blkio.bfq.weight") == "200\n"
    assert "blkio.bfq.weight" not in os.listdir(f"{CG}/blkio")


def test_bfq_weight_device_keeps_the_disks_own_weight(kernel: SimulatedKernel) -> None:
    """ "MAJ:MIN N" for the simulated disk is listed after the default; 0 drops it; another
    device is ENODEV."""
    os.mkdir(f"{CG}/blkio/a")
    path = f"{CG}/blkio/a/blkio.bfq.weight_device"
    write(path, "254:0 300")
    assert read(path) == "default 100\n254:0 300\n"
    write(path, "254:0 0")
    assert read(path) == "default 100\n"
    assert errno_of(lambda: write(path, "8:0 300")) == errno.ENODEV
    assert errno_of(lambda: write(path, "254:0 1001")) == errno.EINVAL


def test_without_bfq_blkio_shows_the_throttle_files_alone() -> None:
    with booted_kernel(Topology(bfq=False)) as kernel:
        os.mkdir(f"{CG}/blkio/a")
        entries = set(os.listdir(f"{CG}/blkio/a"))
        assert not {e for e in entries if e.startswith("blkio.bfq.")}, kernel.topology
        assert {"blkio.reset_stats", "blkio.throttle.read_bps_device"} <= entries
        assert not any(e.startswith("blkio.bfq.") for e in os.listdir(f"{CG}/blkio"))


def test_without_swap_accounting_memory_has_no_memsw_files() -> None:
    # mem_cgroup_swap_init adds memsw_files (and v2's swap_files) only where swap is accounted;
    # memory.stat then shows neither the swap counts nor the memsw limit
    with booted_kernel(Topology(swap_accounting=False)) as kernel:
        os.mkdir(f"{CG}/memory/a")
        for group in (f"{CG}/memory", f"{CG}/memory/a"):
            entries = set(os.listdir(group))
            assert not {e for e in entries if e.startswith("memory.memsw.")}, kernel.topology
            assert {"memory.limit_in_bytes", "memory.kmem.tcp.limit_in_bytes"} <= entries
        names = {line.split()[0] for line in read(f"{CG}/memory/a/memory.stat").splitlines()}
        assert not names & {"swap", "total_swap", "hierarchical_memsw_limit"}, names
        assert {"swapcached", "total_swapcached", "hierarchical_memory_limit"} <= names
        write(f"{CG}/memory/a/memory.limit_in_bytes", "-1")
        assert read(f"{CG}/memory/a/memory.limit_in_bytes") == "9223372036854771712\n"


def test_with_swap_accounting_memory_has_the_memsw_files(kernel: SimulatedKernel) -> None:
    os.mkdir(f"{CG}/memory/a")
    entries = set(os.listdir(f"{CG}/memory/a"))
    memsw = {"limit_in_bytes", "usage_in_bytes", "max_usage_in_bytes", "failcnt"}
    assert {f"memory.memsw.{name}" for name in memsw} <= entries
    names = {line.split()[0] for line in read(f"{CG}/memory/a/memory.stat").splitlines()}
    assert {"swap", "total_swap", "hierarchical_memsw_limit"} <= names
