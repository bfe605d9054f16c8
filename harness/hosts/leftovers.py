"""What earlier real-host runs left behind, found by name and removed: ``rtgate cleanup``.

A real host and a fidelity probe remove everything they make, but a run killed with SIGKILL (or
a machine that lost power) cannot.  Everything they make is named ``rtgate-<pid>-...`` or
``rtgate-fidelity-<pid>-...``; a leftover is such a name whose process no longer lives.  Names
of a live process belong to a run in progress and are never touched, nor is anything without
the prefix.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess

from harness.hosts.base import CGROUP_ROOT
from harness.hosts.base import NETNS_DIR
from harness.hosts.base import RESCTRL
from harness.hosts.base import SETTLE_DEADLINE_S
from harness.hosts.facts import read_mounts
from harness.hosts.ownership import kill
from harness.hosts.ownership import pids_in
from harness.hosts.ownership import remove_group
from harness.hosts.ownership import try_write
from harness.hosts.ownership import unlink

__all__ = ["Leftovers", "find_leftovers", "remove_leftovers"]

RUN_DIR = "/run"
_NAME = re.compile(r"^rtgate-(?:fidelity-)?(\d+)-")


@dataclasses.dataclass
class Leftovers:
    """What a dead run left: mounts, cgroup and resctrl groups (deepest first), run dirs, and
    the mount point files of named network namespaces (/run/netns/rtgate-...)."""

    mounts: list[str] = dataclasses.field(default_factory=list)
    groups: list[str] = dataclasses.field(default_factory=list)
    dirs: list[str] = dataclasses.field(default_factory=list)
    netns: list[str] = dataclasses.field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.mounts or self.groups or self.dirs or self.netns)

    def describe(self) -> list[str]:
        return (
            [f"mount {m}" for m in self.mounts]
            + [f"group {g}" for g in self.groups]
            + [f"dir {d}" for d in self.dirs]
            + [f"netns {n}" for n in self.netns]
        )


def _dead_run(name: str) -> bool:
    """``name`` carries a run's prefix and that run's process is gone."""
    found = _NAME.match(name)
    return found is not None and not os.path.exists(f"/proc/{found.group(1)}")


def _roots() -> list[str]:
    """Every cgroup hierarchy root, and resctrl (with its top-level mon_groups) if mounted."""
    roots = []
    if os.path.exists(os.path.join(CGROUP_ROOT, "cgroup.procs")):
        roots.append(CGROUP_ROOT)
    elif os.path.isdir(CGROUP_ROOT):
        roots += [os.path.join(CGROUP_ROOT, n) for n in sorted(os.listdir(CGROUP_ROOT))]
    if os.path.isdir(os.path.join(RESCTRL, "info")):
        roots += [os.path.join(RESCTRL, "mon_groups"), RESCTRL]
    return [r for r in roots if os.path.isdir(r)]


def find_leftovers() -> Leftovers:
    """Look for leftovers (read-only)."""
    found = Leftovers()
    dirs = [os.path.join(RUN_DIR, n) for n in sorted(os.listdir(RUN_DIR)) if _dead_run(n)]
    found.dirs = dirs
    if os.path.isdir(NETNS_DIR):
        found.netns = [os.path.join(NETNS_DIR, n) for n in sorted(os.listdir(NETNS_DIR))
                       if _dead_run(n)]  # fmt: skip
    points = [m.mount_point for m in read_mounts()]
    found.mounts = sorted(
        (
            p
            for p in points
            if p.startswith((RUN_DIR + "/", RESCTRL + "/"))
            and any(_dead_run(part) for part in p.split("/"))
        ),
        key=lambda p: p.count("/"),
        reverse=True,
    )
    for root in _roots():
        for name in sorted(os.listdir(root)):
            top = os.path.join(root, name)
            if not _dead_run(name) or not os.path.isdir(top):
                continue
            if not root.startswith(RESCTRL):
                for parent, subdirs, _ in os.walk(top):
                    found.groups += [os.path.join(parent, d) for d in subdirs]
            found.groups.append(top)
    found.groups.sort(key=lambda p: p.count("/"), reverse=True)
    return found


def remove_leftovers(found: Leftovers) -> list[str]:
    """Remove what :func:`find_leftovers` found; returns what could not be removed.

    Processes in the dead run's cgroups were started by that run (its containers' inits and
    its helpers): they are thawed, killed and waited for before the groups go.
    """
    problems = []
    for point in found.mounts:
        done = subprocess.run(["umount", point], capture_output=True, text=True, check=False)  # noqa: S603, S607
        if done.returncode != 0:
            problems.append(f"umount {point}: {done.stderr.strip()}")
    cgroups = [g for g in found.groups if g.startswith(CGROUP_ROOT + "/")]
    for group in cgroups:
        try_write(os.path.join(group, "freezer.state"), b"THAWED")
        try_write(os.path.join(group, "cgroup.freeze"), b"0")
    for group in cgroups:
        for pid in pids_in(group):
            kill(pid)
    for group in found.groups:
        problem = remove_group(group, SETTLE_DEADLINE_S)
        if problem:
            problems.append(problem)
    for path in found.dirs:
        shutil.rmtree(path, ignore_errors=True)
        if os.path.exists(path):
            problems.append(f"{path} could not be removed")
    for path in found.netns:  # unmounted above with the other mounts: the file is left
        problem = unlink(path)
        if problem:
            problems.append(problem)
    return problems
