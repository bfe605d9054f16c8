"""What the linux.resources rules of the command line share: a container created from a bundle
with resources (its create a check of every rule it serves), the control files read back,
and what a real host needs to show a resource at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import control_value
from harness.scenarios._support.machines import Needs
from harness.scenarios._support.machines import cgroups_are
from harness.spec.limit_tables import cgroup_file
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import Resources

__all__ = [
    "all_of",
    "created",
    "group_has",
    "has_disk",
    "new_group_has",
    "host_disk",
    "new_v1_group_has",
    "read_limit",
    "read_named",
    "swap_accounted",
    "v1_controllers_mounted",
]


@contextmanager
def created(
    cli: CommandLine,
    host: Host,
    name: str,
    resources: Resources,
    rules: tuple[str, ...],
    verify: Any,
) -> Iterator[str]:
    """The id of a container created from a bundle with ``resources``, deleted when done; a
    create that fails is a failure of each of ``rules`` (which of them it was, its stderr
    says)."""
    cid = host.container_id(name)
    result = cli("create", "--bundle", cli.bundle(name, resources=resources), cid)
    try:
        verify.each(
            *((rule, result.exit_code == 0, f"create: {result.describe()}") for rule in rules)
        )
        yield cid
    finally:
        cli("delete", "--force", cid)


def read_limit(host: Host, kind: str, cid: str, limit: str) -> str:
    """The control file ``limit`` of ``cid``'s group on a host of ``kind``, as it reads."""
    hierarchy, name = cgroup_file(kind, limit)
    return read_named(host, hierarchy, cid, name)


def read_named(host: Host, hierarchy: str, cid: str, name: str) -> str:
    """The control file ``name`` of ``cid``'s group in ``hierarchy``, as it reads."""
    return control_value(os.path.join(host.cgroup_dir(hierarchy, f"/{cid}"), name))


def all_of(*needs: Needs) -> Needs:
    """A host's ``needs``: every one of ``needs`` (the first reason it does not fit)."""

    def check(host: Host) -> str | None:
        for need in needs:
            reason = need(host)
            if reason is not None:
                return reason
        return None

    return check


def group_has(kind: str, hierarchy: str, names: tuple[str, ...], what: str) -> Needs:
    """A host's ``needs``: cgroups of ``kind`` whose groups in ``hierarchy`` have one of the
    control files ``names``.  A v1 root has a group's files; a v2 root has no controller
    files, so the groups just below it are looked in."""

    def check(host: Host) -> str | None:
        root = host.cgroup_dir(hierarchy, "/")
        places = [root]
        if kind == "v2" and os.path.isdir(root):
            places = [e.path for e in os.scandir(root) if e.is_dir(follow_symlinks=False)]
        if any(os.path.exists(os.path.join(p, n)) for p in places for n in names):
            return None
        return f"no group in {root} has {' or '.join(names)}: the host has no {what}"

    return all_of(cgroups_are(kind), check)


def swap_accounted(kind: str) -> Needs:
    """A host's ``needs``: cgroups of ``kind`` that account swap (their memory+swap file:
    memory.memsw.limit_in_bytes on v1, memory.swap.max on v2)."""
    hierarchy, name = cgroup_file(kind, "memory_swap")
    return group_has(kind, hierarchy, (name,), "swap accounting")


def new_v1_group_has(host: Host, hierarchy: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """Which of the control files ``names`` a new group of the v1 ``hierarchy`` gets (none
    where the hierarchy is not mounted): a probe group of this test's own, made and removed.
    The kernel gives a group files its root lacks (a weight policy's), so the root cannot
    answer."""
    if hierarchy not in host.v1_hierarchies():
        return ()
    probe = host.cgroup_dir(hierarchy, f"/{host.container_id('probe')}")
    os.mkdir(probe)
    try:
        return tuple(n for n in names if os.path.exists(os.path.join(probe, n)))
    finally:
        os.rmdir(probe)


#: /proc/partitions names of devices a throttle cannot be about: loop devices, RAM disks
_NOT_DISKS = ("loop", "ram", "zram")


def host_disk() -> str | None:
    """ "MAJ:MIN" of the host's first disk in /proc/partitions (not a partition, which the
    kernel refuses throttles for, nor a loop device or RAM disk); None when it has none."""
    try:
        with open("/proc/partitions", encoding="utf-8") as listing:
            lines = listing.read().splitlines()[2:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) != 4 or fields[3].startswith(_NOT_DISKS):
            continue
        device = f"{fields[0]}:{fields[1]}"
        if not os.path.exists(f"/sys/dev/block/{device}/partition"):
            return device
    return None


def has_disk(kind: str) -> Needs:
    """A host's ``needs``: cgroups of ``kind`` and a disk to throttle (:func:`host_disk`)."""

    def check(host: Host) -> str | None:
        if host_disk() is None:
            return "no disk in /proc/partitions (only partitions, loop devices or RAM disks)"
        return None

    return all_of(cgroups_are(kind), check)


def v1_controllers_mounted(*controllers: str) -> Needs:
    """A host's ``needs``: v1 hierarchies (alone or co-mounted) for each of ``controllers``
    (a v1 or hybrid host; cgroup v2 has no net_cls or net_prio)."""

    def check(host: Host) -> str | None:
        mounted = {c for h in host.v1_hierarchies() for c in h.split(",")}
        missing = [c for c in controllers if c not in mounted]
        if not missing:
            return None
        found = ", ".join(sorted(host.v1_hierarchies())) or "none"
        return f"no v1 {' or '.join(missing)} hierarchy: the v1 hierarchies here are {found}"

    return check


def new_group_has(kind: str, hierarchy: str, names: tuple[str, ...], what: str) -> Needs:
    """A host's ``needs``: cgroups of ``kind`` whose new groups in the v1 ``hierarchy`` get
    one of the files ``names`` (:func:`new_v1_group_has`: a probe group, made and removed)."""

    def check(host: Host) -> str | None:
        if new_v1_group_has(host, hierarchy, names):
            return None
        return f"a new {hierarchy} group on this host has none of {', '.join(names)}: {what}"

    return all_of(cgroups_are(kind), check)
