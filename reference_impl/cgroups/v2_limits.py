"""The cgroup v2 limits of ``linux.resources`` as runc's fs2 writes them, with its v1 to v2
conversions (runc v1.1.5 libcontainer/cgroups/fs2/*.go, cgroups/utils.go:421-467).

Each function takes the manager's ``write`` (one control file of the container's group) and
writes only what the config sets, in runc's order.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable

from reference_impl.cgroups.writer import CgroupError
from reference_impl.configs import CgroupConfig

__all__ = [
    "blkio_to_io_weight",
    "has_domain_controller",
    "set_cpu_max",
    "set_cpuset",
    "set_hugetlb",
    "set_io",
    "set_memory",
    "set_unified",
    "swap_to_v2",
]

#: write ``data`` to the file ``name`` of the container's group
Write = Callable[[str, str], None]

#: the period cpu.max is written with when the config gives a quota alone (v1.1.5
#: fs2/cpu.go:30-39; Documentation/admin-guide/cgroup-v2.rst, cpu.max "max 100000")
DEFAULT_PERIOD_US = 100000
#: a throttle kind -> its io.max key (v1.1.5 fs2/io.go:77-96)
IO_MAX_KEYS = {"read_bps": "rbps", "write_bps": "wbps", "read_iops": "riops", "write_iops": "wiops"}
#: Go's uint64 arithmetic wraps modulo this
_UINT64 = 2**64


def swap_to_v2(swap: int, memory: int) -> int:
    """``ConvertMemorySwapToCgroupV2Value`` (v1.1.5 cgroups/utils.go:433-456): v1 counts
    memory plus swap, v2 swap alone; -1 memory without swap lifts both.

    Raises:
        CgroupError: a swap limit without a memory limit, or below it.
    """
    if memory == -1 and swap == 0:
        return -1
    if swap in (-1, 0):
        return swap
    if memory in (0, -1):
        raise CgroupError("unable to set swap limit without memory limit")
    if memory < 0:
        raise CgroupError(f"invalid memory value: {memory}")
    if swap < memory:
        raise CgroupError("memory+swap limit should be >= memory limit")
    return swap - memory


def blkio_to_io_weight(weight: int) -> int:
    """``ConvertBlkIOToIOWeightValue`` (v1.1.5 cgroups/utils.go:462-467): [10, 1000] onto
    [1, 10000] in Go's uint64, 0 stays 0."""
    if weight == 0:
        return 0
    return 1 + (weight - 10) % _UINT64 * 9999 % _UINT64 // 990


def _num_to_str(value: int) -> str:
    """fs2's ``numToStr`` (v1.1.5 fs2/memory.go:18-33): 0 is nothing, -1 is "max"."""
    if value == 0:
        return ""
    return "max" if value == -1 else str(value)


def set_memory(write: Write, config: CgroupConfig, lift_swap: Callable[[], None]) -> None:
    """``setMemory`` (v1.1.5 fs2/memory.go:39-74): memory.swap.max (converted; "0" when swap
    equals the limit; ``lift_swap`` writes "max", which a group without swap accounting has
    no file for), memory.max, memory.low from the reservation."""
    memory, swap = config.memory_limit, config.memory_swap
    if not (memory or swap or config.memory_reservation):
        return
    converted = swap_to_v2(swap, memory)
    text = _num_to_str(converted)
    if text == "" and converted == 0 and swap > 0:
        text = "0"
    if converted == -1:
        lift_swap()
    elif text:
        write("memory.swap.max", text)
    for name, value in (("memory.max", memory), ("memory.low", config.memory_reservation)):
        if _num_to_str(value):
            write(name, _num_to_str(value))


def set_io(write: Write, directory: str, config: CgroupConfig) -> None:
    """``setIo`` (v1.1.5 fs2/io.go:40-96): the weight as it is to io.bfq.weight where BFQ
    is there, else converted to io.weight; then each throttle as one io.max line,
    "MAJ:MIN <key>=RATE" (ThrottleDevice.StringName, configs/blkio_device.go:64-66)."""
    if config.blkio_weight:
        if os.path.exists(os.path.join(directory, "io.bfq.weight")):
            write("io.bfq.weight", str(config.blkio_weight))
        else:
            write("io.weight", str(blkio_to_io_weight(config.blkio_weight)))
    for kind, major, minor, rate in config.blkio_throttle:
        write("io.max", f"{major}:{minor} {IO_MAX_KEYS[kind]}={rate}")


def set_cpu_max(write: Write, config: CgroupConfig) -> None:
    """``setCpu`` after the weight (v1.1.5 fs2/cpu.go:30-45): "<quota> <period>", "max" for
    no positive quota, the default period for none."""
    if not (config.cpu_quota or config.cpu_period):
        return
    quota = str(config.cpu_quota) if config.cpu_quota > 0 else "max"
    write("cpu.max", f"{quota} {config.cpu_period or DEFAULT_PERIOD_US}")


def set_cpuset(write: Write, config: CgroupConfig) -> None:
    """``setCpuset`` (v1.1.5 fs2/cpuset.go:12-28): cpus, then mems."""
    for name, value in (("cpuset.cpus", config.cpuset_cpus), ("cpuset.mems", config.cpuset_mems)):
        if value:
            write(name, value)


def set_hugetlb(write: Write, config: CgroupConfig) -> None:
    """``setHugeTlb`` (v1.1.5 fs2/hugetlb.go:15-25): each page size's limit."""
    for size, value in config.hugetlb:
        write(f"hugetlb.{size}.max", str(value))


def set_unified(write: Write, config: CgroupConfig, controllers: frozenset[str]) -> None:
    """``setUnified`` (v1.1.5 fs2/fs2.go:204-228): each key a file name of the group, its
    value written as given; a missing file is explained by its controller when that is not
    available."""
    for key, value in (config.unified or {}).items():
        if "/" in key:
            raise CgroupError(f'unified resource "{key}" must be a file name (no slashes)')
        try:
            write(key, value)
        except CgroupError as err:
            raise CgroupError(_unified_error(key, err, controllers)) from err


def _unified_error(key: str, err: CgroupError, controllers: frozenset[str]) -> str:
    """setUnified's words for a failed write: a missing controller named where it is one."""
    cause = err.__cause__
    if getattr(cause, "errno", None) in (errno.EPERM, errno.EACCES, errno.ENOENT):
        controller, dot, _ = key.partition(".")
        if not dot:
            return f'unified resource "{key}" must be in the form CONTROLLER.PARAMETER'
        if controller not in controllers and controller != "cgroup":
            missing = f'controller "{controller}" not available'
            return f'unified resource "{key}" can\'t be set: {missing}'
    return f'unable to set unified resource "{key}": {err}'


def has_domain_controller(config: CgroupConfig) -> bool:
    """``containsDomainController`` (v1.1.5 fs2/create.go:67-69): memory, io, cpu or hugetlb
    limits (v1.2.0 fs2/memory.go:35-37, io.go:17-24 with the per-device weights, cpu.go:16-18,
    hugetlb.go:13-15); the config's cpu shares are no v2 limit (fs2/cpu.go:13-15 asks the
    weight)."""
    memory = config.memory_limit or config.memory_swap or config.memory_reservation
    cpu = config.cpu_weight or config.cpu_quota or config.cpu_period
    io = config.blkio_weight or config.blkio_weight_device or config.blkio_throttle
    return bool(memory or cpu or io or config.hugetlb)
