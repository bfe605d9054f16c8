"""Processes and CPUs as /proc shows them: ``/proc/<pid>/stat`` and ``/proc/cpuinfo``.

Read through ``open`` at the real paths, so the same code reads the real kernel's files and the
ones the simulated kernel renders under pyfakefs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "CPUINFO",
    "EXITED_STATES",
    "RDT_FLAGS",
    "ProcStat",
    "cpu_count",
    "cpu_flags",
    "cpu_vendor",
    "child_stats",
    "parse_stat",
    "proc_stats",
    "read_stat",
    "stat_or_none",
]

CPUINFO = "/proc/cpuinfo"
#: the /proc/cpuinfo flags of Intel RDT (allocation and monitoring) and AMD's equivalents
RDT_FLAGS = ("rdt_a", "cat_l3", "cat_l2", "cdp_l3", "cdp_l2", "mba", "cqm", "cqm_llc",
             "cqm_occup_llc", "cqm_mbm_total", "cqm_mbm_local", "smba", "bmec")  # fmt: skip
#: states of a task that has exited (a zombie, or dead and about to vanish)
EXITED_STATES = frozenset("ZXx")


@dataclass(frozen=True, slots=True)
class ProcStat:
    """The fields of /proc/<pid>/stat the harness looks at (proc(5))."""

    pid: int
    #: the command name, between the first "(" and the last ")" (it may hold either)
    comm: str
    #: R, S, D (a frozen task shows D), Z, X, ...
    state: str
    ppid: int
    #: field 22: clock ticks after boot when the process started
    start_time: int
    #: field 5: its process group (0 when the text has no such field)
    pgrp: int = 0

    @property
    def exited(self) -> bool:
        """True for a zombie or a dead task: it runs no more."""
        return self.state in EXITED_STATES


def parse_stat(text: str) -> ProcStat:
    """The fields of one /proc/<pid>/stat text.

    Raises:
        ValueError: the text is not a stat line.
    """
    close = text.rfind(")")
    pid, _, comm = text[:close].partition(" (")
    fields = text[close + 2 :].split()
    if close < 0 or not fields:
        raise ValueError(f"not a /proc/<pid>/stat line: {text[:80]!r}")
    return ProcStat(
        pid=int(pid),
        comm=comm,
        state=fields[0],
        ppid=int(fields[1]) if len(fields) > 1 else 0,
        start_time=int(fields[19]) if len(fields) > 19 else 0,
        pgrp=int(fields[2]) if len(fields) > 2 else 0,
    )


def read_stat(pid: int | str) -> ProcStat:
    """/proc/<pid>/stat of ``pid``.

    Raises:
        OSError: the process is gone (or its file cannot be read).
    """
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as file:
        return parse_stat(file.read())


def stat_or_none(pid: int | str) -> ProcStat | None:
    """/proc/<pid>/stat of ``pid``, or None when it is gone."""
    try:
        return read_stat(pid)
    except OSError:
        return None


def proc_stats() -> Iterator[ProcStat]:
    """The stat of every process /proc lists (one that ends while being read is left out)."""
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = stat_or_none(name)
            if stat is not None:
                yield stat


def cpu_flags(cpuinfo: str = CPUINFO) -> tuple[str, ...]:
    """The flags of the first CPU in /proc/cpuinfo (what a runtime such as runc looks at).

    Raises:
        OSError: /proc/cpuinfo cannot be read.
    """
    with open(cpuinfo, encoding="utf-8", errors="replace") as file:
        for line in file:
            key, _, value = line.partition(":")
            if key.strip() == "flags":
                return tuple(value.split())
    return ()


def cpu_vendor(cpuinfo: str = CPUINFO) -> str:
    """The first CPU's ``vendor_id`` (``GenuineIntel``, ``AuthenticAMD``); empty if unknown."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as file:
            for line in file:
                key, _, value = line.partition(":")
                if key.strip() == "vendor_id":
                    return value.strip()
    except OSError:
        pass
    return ""


def cpu_count(cpuinfo: str = CPUINFO) -> int:
    """Online CPUs as /proc/cpuinfo lists them (1 when it cannot be read)."""
    try:
        with open(cpuinfo, encoding="utf-8") as file:
            return max(1, sum(1 for line in file if line.startswith("processor")))
    except OSError:
        return 1


def child_stats(pid: int | None = None) -> list[ProcStat]:
    """The stats of the children of ``pid`` (this process by default), zombies included.

    The kernel lists each thread's children in /proc/<pid>/task/<tid>/children
    (CONFIG_PROC_CHILDREN; an orphan that came to a subreaper is listed under the thread that
    took it), so only those few stat files are read, not one per process of the machine: a
    real-host run asks after every command.  A kernel without those files gets the scan of
    every process.
    """
    owner = os.getpid() if pid is None else pid
    if not os.path.exists(f"/proc/{owner}/task/{owner}/children"):
        return [stat for stat in proc_stats() if stat.ppid == owner]
    pids: list[str] = []
    for tid in os.listdir(f"/proc/{owner}/task"):
        try:
            with open(f"/proc/{owner}/task/{tid}/children", encoding="ascii") as file:
                pids += file.read().split()
        except FileNotFoundError:  # the thread ended; its children went to another one
            continue
    stats = (stat_or_none(child) for child in pids)
    return [stat for stat in stats if stat is not None and stat.ppid == owner]
