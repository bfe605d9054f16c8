"""The expectations of ``linux.resources`` through the command line (issue 19): where each
resource lands and what it reads back, with runc's v1 to v2 conversions worked out by hand in
``resources.toml``.

Pure data and pure functions, as :mod:`harness.spec.resource_tables`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from harness.spec.resource_tables import resources

__all__ = [
    "MemorySwapRow",
    "ThrottleRow",
    "blkio_throttles",
    "blkio_weight_device",
    "blkio_to_io_weight",
    "blkio_weight_files",
    "cgroup_file",
    "cpu_max",
    "io_max_line",
    "io_weight_reads",
    "memory_swap_v2",
    "more_limits",
    "network_limits",
    "oom_kill_disabled",
    "refused_cpus",
    "update_memory_swap",
]


@dataclasses.dataclass(frozen=True)
class MemorySwapRow:
    """A config's memory and memory+swap limits, and memory.swap.max on cgroup v2."""

    memory: int
    swap: int
    v2: str


def cgroup_file(kind: str, limit: str) -> tuple[str, str]:
    """(hierarchy, file) ``limit`` lands in on a host of ``kind``: a v1 hierarchy, or
    "unified" for cgroup v2."""
    if kind == "v2":
        return "unified", str(resources()["v2_files"][limit])
    hierarchy, name = resources()["v1_files"][limit]
    return str(hierarchy), str(name)


def cpu_max(quota: int, period: int) -> str:
    """What cgroup v2's cpu.max reads for a config's cfs quota and period (0: not given)."""
    default = int(resources()["cpu_max"]["default_period"])
    return f"{quota if quota > 0 else 'max'} {period or default}"


def blkio_weight_files(kind: str) -> tuple[str, ...]:
    """The files a block IO weight lands in on a host of ``kind``: the first the group has."""
    table = resources()["blkio_weight"]
    return tuple(str(name) for name in table["v2" if kind == "v2" else "v1"])


def io_weight_reads(name: str, weight: int) -> str:
    """What the weight file ``name`` reads after a config's blkio ``weight`` (v2's io.weight
    holds runc's conversion, as "default N")."""
    table = resources()["blkio_weight"]
    if name != table["converted"]:
        return str(weight)
    return str(table["converted_format"]).format(weight=blkio_to_io_weight()[weight])


def blkio_to_io_weight() -> dict[int, int]:
    """blkio weight -> the io.weight runc writes for it."""
    return {int(row["blkio"]): int(row["io"]) for row in resources()["blkio_to_io_weight"]}


def memory_swap_v2() -> tuple[MemorySwapRow, ...]:
    """Memory and memory+swap limits with the memory.swap.max runc gives them on cgroup v2."""
    rows: list[dict[str, Any]] = resources()["memory_swap_v2"]
    return tuple(MemorySwapRow(int(r["memory"]), int(r["swap"]), str(r["v2"])) for r in rows)


def refused_cpus() -> str:
    """A cpuset list naming a CPU no host has: the kernel refuses it."""
    return str(resources()["refused_cpus"]["cpus"])


def update_memory_swap() -> MemorySwapRow:
    """The memory and memory+swap limits ``update`` raises a container's to, with v2's swap."""
    row = resources()["update_memory_swap"]
    return MemorySwapRow(int(row["memory"]), int(row["swap"]), str(row["v2"]))


@dataclasses.dataclass(frozen=True)
class ThrottleRow:
    """One of blockIO's throttle lists: its key, the rate given, the v1 file, the io.max key."""

    key: str
    rate: int
    v1: str
    v2: str


def blkio_throttles() -> tuple[ThrottleRow, ...]:
    """The four throttle lists, in io.max's order of its keys."""
    rows: list[dict[str, Any]] = resources()["blkio_throttle"]
    return tuple(
        ThrottleRow(str(r["key"]), int(r["rate"]), str(r["v1"]), str(r["v2"])) for r in rows
    )


def io_max_line(device: str) -> str:
    """What cgroup v2's io.max shows for ``device`` ("MAJ:MIN") once every throttle is set."""
    return " ".join([device, *(f"{row.v2}={row.rate}" for row in blkio_throttles())])


def blkio_weight_device() -> tuple[int, tuple[str, ...]]:
    """The per-device weight the rule gives the disk, and the v1 files it may land in."""
    row = resources()["blkio_weight_device"]
    return int(row["weight"]), tuple(str(name) for name in row["v1"])


def network_limits() -> tuple[int, str, int]:
    """(class id, interface, priority) the network rule writes."""
    row = resources()["network"]
    return int(row["class_id"]), str(row["interface"]), int(row["priority"])


def more_limits() -> dict[str, int]:
    """The swappiness, kernel TCP limit and realtime runtime and period the rules write."""
    return {str(k): int(v) for k, v in resources()["more_limits"].items()}


def oom_kill_disabled() -> str:
    """The line memory.oom_control shows for a group whose OOM killer is off (cgroup v1)."""
    return str(resources()["oom_control"]["disabled"])
