"""cgroup v2 controller interface files (``memory.max``, ``pids.max``, ``cpu.weight``, ...).

A child cgroup has them for each controller its parent enabled in ``cgroup.subtree_control``;
none are on the root.  Each parses what it is written as the kernel's handler does and keeps
the value in the cgroup's ``values``.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable

from harness.fakes._parse import PAGE_COUNTER_MAX_BYTES
from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoul
from harness.fakes._parse import page_counter_memparse
from harness.fakes._parse import strim
from harness.fakes.cgroup.block import io_max_file
from harness.fakes.cgroup.limits import HUGE_PAGE
from harness.fakes.cgroup.limits import parse_pids_max
from harness.fakes.cgroup.v1 import format_cpulist
from harness.fakes.cgroup.v1 import parse_cpulist
from harness.fakes.kernfs import ControlFile

__all__ = ["controller_files", "default_values"]

#: cfs period/quota bounds in microseconds (``tg_set_cfs_bandwidth``)
_MIN_US = 1000
_MAX_PERIOD_US = 1_000_000
_MAX_QUOTA_US = (1 << 44) - 1
_MEMORY_LIMITS = ("memory.max", "memory.high", "memory.low", "memory.min", "memory.swap.max")
_HUGE_MAX = PAGE_COUNTER_MAX_BYTES // HUGE_PAGE * HUGE_PAGE

Values = dict[str, str]
Lookup = Callable[[str], str]


def default_values() -> Values:
    """What a new cgroup's interface files read before anything is written."""
    return {
        "cpu.weight": "100",
        "cpu.max": "max 100000",
        "memory.max": "max",
        "memory.high": "max",
        "memory.low": "0",
        "memory.min": "0",
        "memory.swap.max": "max",
        "pids.max": "max",
        "cpuset.cpus": "",
        "cpuset.mems": "",
        "hugetlb.2MB.max": "max",
        "io.weight": "100",
    }


def _text(payload: bytes) -> str:
    return payload.decode("utf-8", "replace")


def _value(values: Values, name: str, store: Callable[[str], str]) -> ControlFile:
    """A file showing ``values[name]``; ``store`` parses the text into the new value."""

    def write(payload: bytes) -> None:
        values[name] = store(_text(payload))

    return ControlFile(name, lambda: values[name] + "\n", write)


def _weight(text: str) -> str:
    """``cpu.weight`` (a write_u64 file): ``kstrtoull(buf, 0)`` within 1..10000."""
    value = kstrtoul(text, 0)
    if not 1 <= value <= 10000:
        raise KernelErrno(errno.ERANGE)
    return str(value)


def _cpu_max(values: Values) -> Callable[[str], str]:
    """``cpu_max_write``: ``$MAX [$PERIOD]`` in us, ``max`` for no limit."""

    def store(text: str) -> str:
        words = text.split()
        if not words:
            raise KernelErrno(errno.EINVAL)
        period = int(values["cpu.max"].split()[1])
        if len(words) > 1 and (match := re.match(r"\d+", words[1])):
            period = int(match.group())
        match = re.match(r"\d+", words[0])
        if match is None and words[0] != "max":
            raise KernelErrno(errno.EINVAL)
        quota = None if match is None else int(match.group())
        if not _MIN_US <= period <= _MAX_PERIOD_US:
            raise KernelErrno(errno.EINVAL)
        if quota is not None and not _MIN_US <= quota <= _MAX_QUOTA_US:
            raise KernelErrno(errno.EINVAL)
        return f"{'max' if quota is None else quota} {period}"

    return store


def _io_weight(values: Values) -> Callable[[bytes], None]:
    """``ioc_weight_write`` (blk-iocost.c) without a device: "default N" or "N", N within
    1..10000 (CGROUP_WEIGHT_MIN..MAX), else EINVAL; per-device weights name a device the
    simulated host does not have (ENODEV)."""

    def store(payload: bytes) -> None:
        text = strim(_text(payload))
        if ":" in text:
            raise KernelErrno(errno.ENODEV)
        match = re.fullmatch(r"(?:default )?(\d+)", text)
        if match is None or not 1 <= int(match.group(1)) <= 10000:
            raise KernelErrno(errno.EINVAL)
        values["io.weight"] = str(int(match.group(1)))

    return store


def _memory(text: str) -> str:
    """``page_counter_memparse(strstrip(buf), "max")``: shown as ``max`` or bytes."""
    value = page_counter_memparse(strim(text), "max")
    if value is None or value == PAGE_COUNTER_MAX_BYTES:
        return "max"
    return str(value)


def _hugetlb(text: str) -> str:
    value = page_counter_memparse(strim(text), "max")
    if value is None:
        return "max"
    value = value // HUGE_PAGE * HUGE_PAGE
    return "max" if value == _HUGE_MAX else str(value)


def _pids_max(text: str) -> str:
    limit = parse_pids_max(text.encode())
    return "max" if limit is None else str(limit)


def _cpuset(limit: int) -> Callable[[str], str]:
    """v2 ``cpuset.cpus``/``cpuset.mems``: a list within the machine (no subset rule)."""
    return lambda text: format_cpulist(parse_cpulist(text, limit))


def controller_files(
    controller: str, values: Values, effective: Lookup, num_cpus: int, count: Callable[[], int]
) -> list[ControlFile]:
    """The interface files ``controller`` adds to a non-root cgroup.

    ``effective`` finds the nearest set value up the tree (for ``*.effective``), ``count`` the
    live tasks of the subtree (for ``pids.current``).
    """
    if controller == "cpu":
        return [
            _value(values, "cpu.weight", _weight),
            _value(values, "cpu.max", _cpu_max(values)),
        ]
    if controller == "memory":
        return [
            *(_value(values, n, _memory) for n in _MEMORY_LIMITS),
            ControlFile("memory.current", lambda: "0\n"),
            ControlFile("memory.events", lambda: "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"),
        ]
    if controller == "pids":
        return [
            _value(values, "pids.max", _pids_max),
            ControlFile("pids.current", lambda: f"{count()}\n"),
            ControlFile("pids.events", lambda: f"max {values.get('pids.events.max', '0')}\n"),
        ]
    if controller == "cpuset":
        every_cpu = format_cpulist(frozenset(range(num_cpus)))
        return [
            _value(values, "cpuset.cpus", _cpuset(num_cpus)),
            _value(values, "cpuset.mems", _cpuset(1)),
            ControlFile(
                "cpuset.cpus.effective", lambda: (effective("cpuset.cpus") or every_cpu) + "\n"
            ),
            ControlFile("cpuset.mems.effective", lambda: (effective("cpuset.mems") or "0") + "\n"),
        ]
    if controller == "hugetlb":
        return [
            _value(values, "hugetlb.2MB.max", _hugetlb),
            ControlFile("hugetlb.2MB.current", lambda: "0\n"),
            ControlFile("hugetlb.2MB.events", lambda: "max 0\n"),
        ]
    if controller == "io":
        return [
            ControlFile("io.stat", lambda: ""),
            io_max_file(values),
            ControlFile(
                "io.weight", lambda: f"default {values['io.weight']}\n", _io_weight(values)
            ),
        ]
    return []
