"""Writes to resctrl ``cpus`` and ``cpus_list`` (reference §1.11): which group each CPU
belongs to.  Added CPUs leave their previous group, dropped ones go to the default group (a MON
group's to its parent); the masks are parsed by :mod:`harness.fakes.resctrl.cpus`.
"""

from __future__ import annotations

import errno

from harness.fakes.resctrl.cpus import BadCpus
from harness.fakes.resctrl.cpus import parse_cpulist
from harness.fakes.resctrl.cpus import parse_cpumask
from harness.fakes.resctrl.fs import ResctrlFs

__all__ = ["write_cpus"]


def write_cpus(fs: ResctrlFs, path: str, payload: bytes, *, as_list: bool) -> None:
    """``cpus``/``cpus_list``: added CPUs leave their previous group, dropped ones go to the
    default group (a MON group's to its parent).

    Raises:
        KernelErrno: EINVAL "Pseudo-locking in progress", "Bad CPU list/mask", "Can only
            assign online CPUs", "Can't drop CPUs from default group", "Can only add CPUs to
            mongroup that belong to parent".
    """
    group = fs.group(path)
    fs.last_cmd = ""
    if group.mode in ("pseudo-locksetup", "pseudo-locked"):
        raise fs.fail(errno.EINVAL, "locking_in_progress")
    try:
        new = parse_cpulist(payload) if as_list else parse_cpumask(payload)
    except BadCpus:
        raise fs.fail(errno.EINVAL, "bad_cpus") from None
    if new >> fs.num_cpus:
        raise fs.fail(errno.EINVAL, "offline_cpus")
    if group.kind == "mon":
        parent = fs.groups[group.parent]
        if new & ~parent.cpus:
            raise fs.fail(errno.EINVAL, "mon_cpus")
        for sibling in fs.mon_groups_of(parent.path):
            if sibling is not group:
                sibling.cpus &= ~new
        group.cpus = new
        return
    dropped = group.cpus & ~new
    if dropped and group.path == "/":
        raise fs.fail(errno.EINVAL, "drop_default_cpus")
    fs.groups["/"].cpus |= dropped
    added = new & ~group.cpus
    for other in fs.groups.values():
        if other.kind == "ctrl" and other is not group:
            other.cpus &= ~added
        elif other.kind == "mon" and other.parent != group.path:
            other.cpus &= ~added
    group.cpus = new
    for mon in fs.mon_groups_of(group.path):
        mon.cpus = 0
