"""Which machine a rule needs: the fixtures' types, and the checks a real host must pass
for a rule about one kind of machine (its cgroup mode, its resctrl).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from harness.hosts import Host
from harness.hosts.facts import resctrl_mounts
from harness.subjects.command_line import CommandLine

#: what a scenario needs of a real host: None when this one will do, else why not
Needs = Callable[[Host], "str | None"]


#: the ``on_host`` fixture: ``on_host(machine, needs)`` gives (host, factory)
OnHost = Callable[..., AbstractContextManager[tuple[Host, Any]]]


#: the ``cli_on`` fixture: ``cli_on(machine, needs)`` gives (host, the subject's command line)
CliOnHost = Callable[..., AbstractContextManager[tuple[Host, "CommandLine"]]]


def cgroups_are(kind: str) -> Needs:
    """A host's ``needs``: its cgroups are ``kind`` ("v1", "v2" or "hybrid")."""

    def check(host: Host) -> str | None:
        if host.cgroup_mode() == kind:
            return None
        found = host.describe_cgroups()
        return f"the rule is about a {kind} cgroup host; on {host.describe()} {found}"

    return check


def v2_without(control_file: str) -> Needs:
    """A host's ``needs``: cgroup v2 whose groups have no ``control_file`` (an older kernel:
    ``cgroup.kill`` came in Linux 5.14, ``cgroup.freeze`` in 5.2).  The root has neither, so
    the probe looks in the groups just below it."""

    def check(host: Host) -> str | None:
        about = f"the rule is about a v2 cgroup host without {control_file}; on this host"
        if host.cgroup_mode() != "v2":
            return f"{about} {host.describe_cgroups()}"
        root = "/sys/fs/cgroup"
        groups = [e.path for e in os.scandir(root) if e.is_dir(follow_symlinks=False)]
        having = [g for g in groups if os.path.exists(os.path.join(g, control_file))]
        if not groups:
            return f"{about} {root} has no group to look for {control_file} in"
        if having:
            return f"{about} {os.path.join(having[0], control_file)} exists"
        return None

    return check


def v2_namespace_root_threaded(host: Host) -> str | None:
    """A host's ``needs``: cgroup v2 mounted inside a cgroup namespace whose root (the mount's
    own group, which then has ``cgroup.type``; the kernel's root has none) is already in a
    thread mode.  A real host is never put in that mode by the suite: a threaded group would
    make its other domain groups invalid."""
    about = "the rule is about cgroup v2 mounted in a cgroup namespace whose root is threaded"
    if host.cgroup_mode() != "v2":
        return f"{about}; on {host.describe()} {host.describe_cgroups()}"
    type_file = os.path.join(host.cgroup_dir("unified", "/"), "cgroup.type")
    try:
        with open(type_file, encoding="ascii") as f:
            mode = f.read().strip()
    except FileNotFoundError:
        return f"{about}; {type_file} does not exist: the mount is the kernel's root cgroup"
    if mode not in ("domain threaded", "threaded"):
        return f"{about}; {type_file} reads {mode!r}"
    return None


def v1_without(hierarchy: str) -> Needs:
    """A host's ``needs``: cgroup v1 hierarchies, none of them ``hierarchy``."""

    def check(host: Host) -> str | None:
        mounted = host.v1_hierarchies()
        if mounted and hierarchy not in mounted:
            return None
        return (
            f"the rule is about a v1 cgroup host without the {hierarchy} hierarchy; on"
            f" {host.describe()} the v1 hierarchies are {', '.join(mounted) or 'none'}"
        )

    return check


def v1_with(*hierarchies: str) -> Needs:
    """A host's ``needs``: cgroup v1 hierarchies, ``hierarchies`` among them."""

    def check(host: Host) -> str | None:
        mounted = host.v1_hierarchies()
        if all(h in mounted for h in hierarchies):
            return None
        return (
            f"the rule is about a v1 cgroup host with the {' and '.join(hierarchies)}"
            f" hierarchies; on {host.describe()} the v1 hierarchies are"
            f" {', '.join(mounted) or 'none'}"
        )

    return check


def v1_memory_without(control_file: str) -> Needs:
    """A host's ``needs``: a cgroup v1 memory hierarchy whose groups have no ``control_file``
    (memory.memsw.*: a kernel that does not account swap).  The root has the same files as
    the groups below it, so the probe looks there."""

    def check(host: Host) -> str | None:
        about = f"the rule is about a v1 memory hierarchy without {control_file}; on this host"
        if "memory" not in host.v1_hierarchies():
            return f"{about} {host.describe_cgroups()}"
        path = os.path.join(host.cgroup_dir("memory", "/"), control_file)
        return f"{about} {path} exists" if os.path.exists(path) else None

    return check


def resctrl_with(*infos: str, absent: tuple[str, ...] = ()) -> Needs:
    """A host's ``needs``: resctrl is mounted with these info/ directories (L3, MB, ...) and
    without the ``absent`` ones."""

    def check(host: Host) -> str | None:
        info = os.path.join("/sys/fs/resctrl", "info")
        if not os.path.isdir(info):
            return f"{host.rdt_unavailable() or 'resctrl has no info/'} ({host.describe()})"
        held = set(os.listdir(info))
        missing = [name for name in infos if name not in held]
        extra = [name for name in absent if name in held]
        if not missing and not extra:
            return None
        wanted = ", ".join([*infos, *(f"no {name}" for name in absent)])
        return f"resctrl info/ holds {', '.join(sorted(held))}; the rule needs {wanted}"

    return check


def resctrl_unmounted(host: Host) -> str | None:
    """A host's ``needs``: resctrl is not mounted."""
    if resctrl_mounts():
        return f"resctrl is mounted on {host.describe()}; the rule needs it unmounted"
    return None
