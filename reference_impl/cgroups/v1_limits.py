"""The cgroup v1 limits beyond memory, cpu shares and pids: what each subsystem's ``Set``
writes for the rest of ``linux.resources`` (runc v1.1.5 libcontainer/cgroups/fs/*.go).

Each function takes the manager's ``limit`` (write one file of a subsystem's cgroup, or fail
without one) and writes only what the config sets, in runc's order.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable

from reference_impl.cgroups.writer import CgroupError
from reference_impl.configs import CgroupConfig

__all__ = [
    "CPUSET_FILES",
    "UNIFIED_ON_V1",
    "set_blkio",
    "set_blkio_throttle",
    "set_cfs",
    "set_cpuset",
    "set_devices",
    "set_hugetlb",
    "set_memory_tunables",
    "set_network",
    "set_rt_sched",
    "wanted_cpuset",
]

#: write ``value`` to the file ``name`` of the cgroup of ``subsystem``
Limit = Callable[[str, str, str], None]

#: the files a cpuset cgroup needs before it takes a task, in the order they are written
CPUSET_FILES = ("cpuset.cpus", "cpuset.mems")
#: a config with ``unified`` on a v1 host: runc refuses it when it makes the manager and when
#: it sets (v1.1.5 libcontainer/cgroups/fs/fs.go:68-70, 174-176; cgroups/v1_utils.go:27)
UNIFIED_ON_V1 = "invalid configuration: cannot use unified on cgroup v1"


def wanted_cpuset(config: CgroupConfig | None) -> dict[str, str]:
    """The cpuset files the config sets: written before the group takes init, the rest
    copied from the parent (v1.1.5 fs/cpuset.go:27-40 Set, 240-246 ensureCpusAndMems; the
    seed's ApplyDir does the same, 692f6e1 fs/cpuset.go:32-45)."""
    if config is None:
        return {}
    values = dict(zip(CPUSET_FILES, (config.cpuset_cpus, config.cpuset_mems), strict=True))
    return {name: value for name, value in values.items() if value}


def set_cpuset(limit: Limit, config: CgroupConfig) -> None:
    """``CpusetGroup.Set``: cpus, then mems."""
    for name, value in wanted_cpuset(config).items():
        limit("cpuset", name, value)


def set_devices(limit: Limit, config: CgroupConfig) -> None:
    """The config's device rules in order, each to devices.allow or devices.deny.  runc
    writes the transition its emulator computes from devices.list to the rules (v1.1.5
    fs/devices.go:55-92); from a group that allows everything to a config that starts by
    denying everything, as specconv's do, those are the same writes."""
    for rule in config.devices:
        limit("devices", "devices.allow" if rule.allow else "devices.deny", rule.cgroup_text())


def set_cfs(limit: Limit, config: CgroupConfig, seed: bool) -> None:
    """``CpuGroup.Set`` after the shares: the period, then the quota.  runc (v1.1.5
    fs/cpu.go:70-97) lets a period the kernel refuses with EINVAL wait until the quota is
    written when there is one, then writes it again; the seed writes each once (692f6e1
    fs/cpu.go:76-85)."""
    period = str(config.cpu_period) if config.cpu_period else ""
    if period:
        try:
            limit("cpu", "cpu.cfs_period_us", period)
            period = ""
        except CgroupError as err:
            refused = getattr(err.__cause__, "errno", None) == errno.EINVAL
            if seed or not refused or not config.cpu_quota:
                raise
    if config.cpu_quota:
        limit("cpu", "cpu.cfs_quota_us", str(config.cpu_quota))
        if period:
            limit("cpu", "cpu.cfs_period_us", period)


def set_blkio(limit: Limit, directory: str, config: CgroupConfig, seed: bool) -> None:
    """``BlkioGroup.Set``: the weight to blkio.weight where the group has it (CFQ), else to
    blkio.bfq.weight, then each device's weight to blkio.weight_device or
    blkio.bfq.weight_device (v1.1.5 fs/blkio.go:27-51, 299-311 detectWeightFilenames); the
    seed knows the CFQ files alone (692f6e1 fs/blkio.go:32-51).  Leaf weights (CFQ's, gone
    with it in Linux 5.0) are not modelled beyond the seed's write of one."""
    cfq = seed or os.path.exists(os.path.join(directory, "blkio.weight"))
    if config.blkio_weight:
        limit("blkio", "blkio.weight" if cfq else "blkio.bfq.weight", str(config.blkio_weight))
    # each device's weight, to the weight file's per-device twin (v1.1.5 fs/blkio.go:40-51);
    # the seed writes it and the leaf weight whatever they are (692f6e1 fs/blkio.go:44-51)
    for major, minor, weight in config.blkio_weight_device:
        if weight or seed:
            name = "blkio.weight_device" if cfq else "blkio.bfq.weight_device"
            limit("blkio", name, f"{major}:{minor} {weight}")
        if seed:
            limit("blkio", "blkio.leaf_weight_device", f"{major}:{minor} 0")


def set_hugetlb(limit: Limit, config: CgroupConfig) -> None:
    """``HugetlbGroup.Set``: each page size's limit in bytes (v1.1.5 fs/hugetlb.go:21-27)."""
    for size, value in config.hugetlb:
        limit("hugetlb", f"hugetlb.{size}.limit_in_bytes", str(value))


def set_rt_sched(limit: Limit, config: CgroupConfig) -> None:
    """``CpuGroup.SetRtSched``: the realtime period, then the runtime.  runc writes them when
    it makes the group, before init joins it (a SCHED_RR task cannot join a group without
    realtime bandwidth), and again at the end of Set (692f6e1 fs/cpu.go:32-68; v1.1.5
    fs/cpu.go:22-49, 97)."""
    if config.cpu_rt_period:
        limit("cpu", "cpu.rt_period_us", str(config.cpu_rt_period))
    if config.cpu_rt_runtime:
        limit("cpu", "cpu.rt_runtime_us", str(config.cpu_rt_runtime))


def set_memory_tunables(limit: Limit, config: CgroupConfig, kernel_tcp: bool, seed: bool) -> None:
    """``MemoryGroup.Set`` after the limits: the kernel TCP limit where ``kernel_tcp`` (the
    seed writes it, runc >= 1.0 ignores it: 692f6e1 fs/memory.go:177-181; v1.1.5
    fs/memory.go:116); then the swappiness, refused above 100 in each era's words (692f6e1
    fs/memory.go:187-195; v1.2.0 fs/memory.go:129-137, since v1.1.0-rc.1)."""
    if kernel_tcp and config.kernel_tcp:
        limit("memory", "memory.kmem.tcp.limit_in_bytes", str(config.kernel_tcp))
    swappiness = config.memory_swappiness
    if swappiness == -1:
        return
    if not 0 <= swappiness <= 100:
        if seed:
            raise CgroupError(f"invalid value:{swappiness}. valid memory swappiness range is 0-100")
        raise CgroupError(f"invalid memory swappiness value: {swappiness} (valid range is 0-100)")
    limit("memory", "memory.swappiness", str(swappiness))


def set_blkio_throttle(limit: Limit, config: CgroupConfig) -> None:
    """``BlkioGroup.Set`` after the weights: each throttle as "MAJ:MIN RATE" to its
    blkio.throttle.<kind>_device (v1.1.5 fs/blkio.go:52-71; 692f6e1 fs/blkio.go:52-71)."""
    for kind, major, minor, rate in config.blkio_throttle:
        limit("blkio", f"blkio.throttle.{kind}_device", f"{major}:{minor} {rate}")


def set_network(limit: Limit, config: CgroupConfig) -> None:
    """``NetClsGroup.Set`` then ``NetPrioGroup.Set``: the classid, then each priority as
    "<interface> <priority>" (v1.1.5 fs/net_cls.go:20-28, fs/net_prio.go:18-26,
    configs/interface_priority_map.go:12-14 CgroupString)."""
    if config.net_cls_classid:
        limit("net_cls", "net_cls.classid", str(config.net_cls_classid))
    for name, priority in config.net_prio_ifpriomap:
        limit("net_prio", "net_prio.ifpriomap", f"{name} {priority}")
