"""The v1 control files the model keeps only as stored tunables or zero statistics.

A real v1 group has many files a runtime never acts on (``cpu.stat``, ``memory.kmem.*``,
``blkio.throttle.*``, ...).  They must still exist with the kernel's names and modes, read in
the kernel's formats and refuse bad writes, or a runtime that lists, reads or resets them sees a
different kernel.  Nothing here is charged: statistics read as zeros, tunables read back what
was written.  Which files a group has follows cgroup v1 as this kernel (6.18) shows it.
"""

from __future__ import annotations

import errno
from collections.abc import Callable

from harness.fakes._parse import PAGE_COUNTER_MAX_BYTES
from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoll
from harness.fakes._parse import page_counter_memparse
from harness.fakes._parse import strim
from harness.fakes.cgroup.block import parse_device
from harness.fakes.cgroup.block import throttle_file
from harness.fakes.kernfs import ControlFile

__all__ = ["stat_defaults", "stat_files"]

Values = dict[str, str]

#: ``memory.stat`` keys before the limits, each repeated with ``total_`` after them
_MEMORY_STAT = (
    "cache rss rss_huge shmem mapped_file dirty writeback workingset_refault_anon "
    "workingset_refault_file swap swapcached pgpgin pgpgout pgfault pgmajfault inactive_anon "
    "active_anon inactive_file active_file unevictable"
).split()
_NUMA_STAT = ("total", "file", "anon", "unevictable")
_IO_STATS = (
    "io_service_bytes",
    "io_service_bytes_recursive",
    "io_serviced",
    "io_serviced_recursive",
)
_THROTTLES = ("read_bps_device", "read_iops_device", "write_bps_device", "write_iops_device")
#: the interfaces of the host's network namespace net_prio.ifpriomap lists: its loopback
_INTERFACES = ("lo",)


def stat_defaults(controller: str, root: bool) -> Values:
    """The stored tunables of a new group (root values where the kernel's root differs)."""
    defaults: dict[str, Values] = {
        "cpu": {
            "cpu.cfs_burst_us": "0",
            "cpu.idle": "0",
            "cpu.rt_period_us": "1000000",
            "cpu.rt_runtime_us": "950000" if root else "0",
        },
        "cpuset": {
            "cpuset.cpu_exclusive": "1" if root else "0",
            "cpuset.mem_exclusive": "1" if root else "0",
            "cpuset.mem_hardwall": "0",
            "cpuset.memory_migrate": "0",
            "cpuset.memory_spread_page": "0",
            "cpuset.memory_spread_slab": "0",
            "cpuset.sched_load_balance": "1",
            "cpuset.sched_relax_domain_level": "-1",
            "cpuset.memory_pressure_enabled": "0",
        },
        "memory": {
            "memory.memsw.limit_in_bytes": "9223372036854771712",
            "memory.kmem.tcp.limit_in_bytes": "9223372036854771712",
            "memory.soft_limit_in_bytes": "9223372036854771712",
            "memory.move_charge_at_immigrate": "0",
            "memory.oom_control": "0",
            "memory.shown_ram_in_bytes": "0",
            "memory.swappiness": "60",
        },
        "blkio": {"blkio.bfq.weight": "100"},
        "net_cls": {"net_cls.classid": "0"},
        "net_prio": {f"net_prio.ifpriomap.{name}": "0" for name in _INTERFACES},
    }
    return defaults.get(controller, {})


def _number(payload: bytes) -> int:
    """``kstrtoll`` of a stripped write: EINVAL for garbage, ERANGE on overflow."""
    return kstrtoll(strim(payload.decode("utf-8", "replace")), 0)


def _const(name: str, text: str) -> ControlFile:
    return ControlFile(name, lambda: text)


def _tunable(values: Values, name: str, low: int, high: int) -> ControlFile:
    """A number the kernel keeps; outside ``low..high`` is EINVAL."""

    def store(payload: bytes) -> None:
        value = _number(payload)
        if not low <= value <= high:
            raise KernelErrno(errno.EINVAL)
        values[name] = str(value)

    return ControlFile(name, lambda: values[name] + "\n", store)


#: memory+swap's limit, which the kernel keeps at or above memory.limit_in_bytes
_MEMSW = "memory.memsw.limit_in_bytes"


def _page_limit(values: Values, name: str, refused: bool) -> ControlFile:
    """A v1 memory limit the kernel keeps in pages (``mem_cgroup_write``): "-1" or a size,
    rounded down to pages and capped at ``PAGE_COUNTER_MAX``, so "-1" reads back as
    9223372036854771712; ``refused``: a limit the root group has none of (EINVAL); memsw's
    below the memory limit is EINVAL too (``mem_cgroup_resize_max``)."""

    def store(payload: bytes) -> None:
        if refused:
            raise KernelErrno(errno.EINVAL)
        limit = page_counter_memparse(strim(payload.decode("utf-8", "replace")), "-1")
        value = PAGE_COUNTER_MAX_BYTES if limit is None else limit
        if name == _MEMSW and value < int(values["memory.limit_in_bytes"]):
            raise KernelErrno(errno.EINVAL)  # mem_cgroup_resize_max: memsw below memory
        values[name] = str(value)

    return ControlFile(name, lambda: values[name] + "\n", store)


def _counter(name: str) -> ControlFile:
    """A zero statistic that any write resets (``mem_cgroup_reset``)."""
    return ControlFile(name, lambda: "0\n", lambda payload: None)


def _ignored(name: str, show: str) -> ControlFile:
    """A deprecated tunable (``memory.kmem.limit_in_bytes``): a number is accepted, nothing
    changes."""

    def store(payload: bytes) -> None:
        _number(payload)  # garbage is still EINVAL

    return ControlFile(name, lambda: show, store)


def _cpu(values: Values, root: bool, num_cpus: int) -> list[ControlFile]:
    stat = "nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0\n"
    return [
        _tunable(values, "cpu.cfs_burst_us", 0, 2**44),
        _tunable(values, "cpu.idle", 0, 1),
        _tunable(values, "cpu.rt_period_us", 1, 2**31 - 1),
        _tunable(values, "cpu.rt_runtime_us", -1, 2**31 - 1),
        _const("cpu.stat", stat),
        _const("cpu.stat.local", "throttled_time 0\n"),
    ]


def _cpuacct(values: Values, root: bool, num_cpus: int) -> list[ControlFile]:
    percpu = "0 " * num_cpus + "\n"
    table = "cpu user system\n" + "".join(f"{cpu} 0 0\n" for cpu in range(num_cpus))
    return [
        _const("cpuacct.usage_all", table),
        _const("cpuacct.usage_percpu", percpu),
        _const("cpuacct.usage_percpu_sys", percpu),
        _const("cpuacct.usage_percpu_user", percpu),
        _const("cpuacct.usage_sys", "0\n"),
        _const("cpuacct.usage_user", "0\n"),
    ]


def _cpuset(values: Values, root: bool, num_cpus: int) -> list[ControlFile]:
    files = [
        ControlFile("cpuset.effective_cpus", lambda: values["cpuset.cpus"] + "\n"),
        ControlFile("cpuset.effective_mems", lambda: values["cpuset.mems"] + "\n"),
        _const("cpuset.memory_pressure", "0\n"),
        _tunable(values, "cpuset.sched_relax_domain_level", -1, 5),
    ]
    flags = ["cpu_exclusive", "mem_exclusive", "mem_hardwall", "memory_migrate"]
    flags += ["memory_spread_page", "memory_spread_slab", "sched_load_balance"]
    if root:
        flags.append("memory_pressure_enabled")
    return files + [_tunable(values, f"cpuset.{flag}", 0, 1) for flag in flags]


def _memory_stat(values: Values, swap: bool) -> str:
    """``memcg1_stat_format``: without swap accounting neither the swap counts nor the memsw
    limit are shown (``do_memsw_account()``)."""
    keys = [key for key in _MEMORY_STAT if swap or key != "swap"]
    lines = [f"{key} 0" for key in keys]
    lines += [f"hierarchical_memory_limit {values['memory.limit_in_bytes']}"]
    if swap:
        lines += [f"hierarchical_memsw_limit {values['memory.memsw.limit_in_bytes']}"]
    lines += [f"total_{key} 0" for key in keys]
    return "\n".join(lines) + "\n"


def _oom_control(values: Values, root: bool) -> ControlFile:
    """``oom_kill_disable`` 0 or 1; the root refuses it (EINVAL)."""

    def store(payload: bytes) -> None:
        value = _number(payload)
        if root or value not in (0, 1):
            raise KernelErrno(errno.EINVAL)
        values["memory.oom_control"] = str(value)

    def show() -> str:
        return f"oom_kill_disable {values['memory.oom_control']}\nunder_oom 0\noom_kill 0\n"

    return ControlFile("memory.oom_control", show, store)


def _event_control(payload: bytes) -> None:
    """``<event_fd> <target_fd> [args]``: the simulation has no eventfds to notify, and the
    real kernel answers EINVAL to descriptors that are not an eventfd and a control file."""
    raise KernelErrno(errno.EINVAL)


def _memory(values: Values, root: bool, swap: bool) -> list[ControlFile]:
    unlimited = 2**63 - 1
    numa = "".join(f"{key}=0 N0=0\n" for key in _NUMA_STAT)
    numa += "".join(f"hierarchical_{key}=0 N0=0\n" for key in _NUMA_STAT)
    files = [
        ControlFile("cgroup.event_control", None, _event_control),
        ControlFile("memory.force_empty", None, lambda payload: None),
        ControlFile("memory.pressure_level", None, None, mode=0o444),
        ControlFile("memory.stat", lambda: _memory_stat(values, swap)),
        _const("memory.numa_stat", numa),
        _const("memory.kmem.slabinfo", ""),
        _oom_control(values, root),
        _ignored("memory.kmem.limit_in_bytes", "9223372036854771712\n"),
        # mem_cgroup_swap_init adds the memsw files only where swap is accounted
        *([_page_limit(values, "memory.memsw.limit_in_bytes", root)] if swap else []),
        _page_limit(values, "memory.kmem.tcp.limit_in_bytes", root),
        _page_limit(values, "memory.soft_limit_in_bytes", False),
        # charge moving is gone: only 0 (off) is still accepted
        _tunable(values, "memory.move_charge_at_immigrate", 0, 0),
        _tunable(values, "memory.swappiness", 0, 200),
        ControlFile("memory.use_hierarchy", lambda: "1\n", _use_hierarchy),
    ]
    prefixes = ("memory.", "memory.kmem.", "memory.kmem.tcp.", "memory.memsw.")
    for prefix in prefixes if swap else prefixes[:-1]:
        files += [_counter(f"{prefix}failcnt")]
        if prefix != "memory.":
            files += [_const(f"{prefix}usage_in_bytes", "0\n")]
        files += [_counter(f"{prefix}max_usage_in_bytes")]
    if not root:
        files.append(_tunable(values, "memory.shown_ram_in_bytes", 0, unlimited))
    return files


def _use_hierarchy(payload: bytes) -> None:
    """Hierarchy is always on since 5.x: 1 is accepted, 0 is EINVAL."""
    if _number(payload) != 1:
        raise KernelErrno(errno.EINVAL)


def _blkio(values: Values, root: bool, num_cpus: int) -> list[ControlFile]:
    files = [ControlFile("blkio.reset_stats", None, lambda payload: None)]
    for kind in ("bfq", "throttle"):
        files += [_const(f"blkio.{kind}.{stat}", "Total 0\n") for stat in _IO_STATS]
    files += [throttle_file(f"blkio.throttle.{rule}", values) for rule in _THROTTLES]
    if not root:
        files += [
            _tunable(values, "blkio.bfq.weight", 1, 1000),
            ControlFile(
                "blkio.bfq.weight_device",
                lambda: _show_weight_device(values),
                lambda payload: _weight_device(values, payload),
            ),
        ]
    return files


#: where a per-device BFQ weight is kept: this prefix and the device's "MAJ:MIN"
_DEVICE_WEIGHT = "blkio.bfq.weight_device."


def _show_weight_device(values: Values) -> str:
    """The group's weight, then one "MAJ:MIN WEIGHT" line per device given its own."""
    devices = [
        (k[len(_DEVICE_WEIGHT) :], v) for k, v in values.items() if k.startswith(_DEVICE_WEIGHT)
    ]
    return f"default {values['blkio.bfq.weight']}\n" + "".join(f"{d} {v}\n" for d, v in devices)


def _weight_device(values: Values, payload: bytes) -> None:
    """``default N`` (or ``N``) sets the group's weight; "MAJ:MIN N" the disk's own, 0 drops
    it (bfq_io_set_device_weight); another device is ENODEV."""
    fields = strim(payload.decode("utf-8", "replace")).split()
    if len(fields) == 2 and fields[0] != "default":
        device = parse_device(fields[0])
        value = _number(fields[1].encode())
        if value == 0:
            values.pop(_DEVICE_WEIGHT + device, None)
            return
        if not 1 <= value <= 1000:
            raise KernelErrno(errno.EINVAL)
        values[_DEVICE_WEIGHT + device] = str(value)
        return
    if len(fields) == 2 and fields[0] == "default":
        value = _number(fields[1].encode())
        if not 1 <= value <= 1000:
            raise KernelErrno(errno.EINVAL)
        values["blkio.bfq.weight"] = str(value)
        return
    if len(fields) == 1:
        value = _number(fields[0].encode())
        if not 1 <= value <= 1000:
            raise KernelErrno(errno.EINVAL)
        values["blkio.bfq.weight"] = str(value)
        return
    raise KernelErrno(errno.EINVAL)


def _net_cls(values: Values, root: bool, num_cpus: int) -> list[ControlFile]:
    """``net_cls.classid``: a u64 write kept as the u32 classid (net_cls's write_classid)."""

    def store(payload: bytes) -> None:
        values["net_cls.classid"] = str(_number(payload) & 0xFFFFFFFF)

    return [ControlFile("net_cls.classid", lambda: values["net_cls.classid"] + "\n", store)]


def _net_prio(values: Values, root: bool, num_cpus: int) -> list[ControlFile]:
    """``net_prio.ifpriomap``: "<interface> <priority>" per interface of the writer's network
    namespace; an unknown interface is ENODEV, anything but two fields EINVAL (write_priomap).
    The group's id the fake does not number, so ``net_prio.prioidx`` is left out."""

    def store(payload: bytes) -> None:
        fields = strim(payload.decode("utf-8", "replace")).split()
        if len(fields) != 2 or not fields[1].isdigit():
            raise KernelErrno(errno.EINVAL)
        if fields[0] not in _INTERFACES:
            raise KernelErrno(errno.ENODEV)
        values[f"net_prio.ifpriomap.{fields[0]}"] = str(int(fields[1]))

    def show() -> str:
        return "".join(f"{n} {values[f'net_prio.ifpriomap.{n}']}\n" for n in _INTERFACES)

    return [ControlFile("net_prio.ifpriomap", show, store)]


def _pids(values: Values, root: bool, num_cpus: int) -> list[ControlFile]:
    return [] if root else [ControlFile("pids.peak", lambda: values.get("pids.peak", "0") + "\n")]


_BUILDERS: dict[str, Callable[[Values, bool, int], list[ControlFile]]] = {
    "cpu": _cpu,
    "cpuacct": _cpuacct,
    "cpuset": _cpuset,
    "blkio": _blkio,
    "pids": _pids,
    "net_cls": _net_cls,
    "net_prio": _net_prio,
}


def stat_files(
    controller: str, values: Values, root: bool, num_cpus: int, *, swap: bool = True
) -> list[ControlFile]:
    """The stored-tunable and statistics files ``controller`` adds to a group; ``swap``: the
    kernel accounts swap, which gives memory groups their memory.memsw.* files."""
    if controller == "memory":
        return _memory(values, root, swap)
    builder = _BUILDERS.get(controller)
    return [] if builder is None else builder(values, root, num_cpus)
