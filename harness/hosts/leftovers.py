"""What earlier real-host runs left behind, found by name and removed: ``rtgate cleanup``.

A real host and a fidelity probe remove everything they make, but a run killed with SIGKILL (or
a machine that lost power) cannot.  Everything they make is named ``rtgate-<pid>-t<start
time>-...`` or ``rtgate-fidelity-<pid>-t<start time>-...`` (or, from before start times were in
names, without the ``t<start time>``); a leftover is such a name whose run no longer lives: no
process has that pid with that start time (:func:`~harness.hosts.ownership.owner_alive`), so a
new process that got the pid hides nothing.  Names of a live run are never touched, nor is
anything without the prefix.  A process that escaped its run's cgroups is found by the run it
names in its environment (:data:`~harness.hosts.ownership.OWNER_VARIABLE`).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess

from harness.hosts.base import CGROUP_ROOT
from harness.hosts.base import NETNS_DIR
from harness.hosts.base import RESCTRL
from harness.hosts.base import SETTLE_DEADLINE_S
from harness.hosts.facts import read_mounts
from harness.hosts.ownership import OWNER_VARIABLE
from harness.hosts.ownership import kill
from harness.hosts.ownership import owner_alive
from harness.hosts.ownership import pids_in
from harness.hosts.ownership import remove_group
from harness.hosts.ownership import thaw
from harness.hosts.ownership import unlink

__all__ = ["Leftovers", "find_leftovers", "owned_by", "remove_leftovers", "run_processes"]

RUN_DIR = "/run"


@dataclasses.dataclass
class Leftovers:
    """What a dead run left: mounts, cgroup and resctrl groups (deepest first), run dirs, the
    mount point files of named network namespaces (/run/netns/rtgate-...), and processes
    (each with the run its environment names)."""

    mounts: list[str] = dataclasses.field(default_factory=list)
    groups: list[str] = dataclasses.field(default_factory=list)
    dirs: list[str] = dataclasses.field(default_factory=list)
    netns: list[str] = dataclasses.field(default_factory=list)
    processes: dict[int, str] = dataclasses.field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.mounts or self.groups or self.dirs or self.netns or self.processes)

    def describe(self) -> list[str]:
        return (
            [f"mount {m}" for m in self.mounts]
            + [f"group {g}" for g in self.groups]
            + [f"dir {d}" for d in self.dirs]
            + [f"netns {n}" for n in self.netns]
            + [f"process {pid} of {run}" for pid, run in sorted(self.processes.items())]
        )

    def owned_by(self, pid: int) -> Leftovers:
        """Only what the run of process ``pid`` (whatever its start time) left."""
        return Leftovers(
            mounts=[m for m in self.mounts if owned_by(m, pid)],
            groups=[g for g in self.groups if owned_by(g, pid)],
            dirs=[d for d in self.dirs if owned_by(d, pid)],
            netns=[n for n in self.netns if owned_by(n, pid)],
            processes={p: r for p, r in self.processes.items() if owned_by(r, pid)},
        )


def owned_by(path: str, pid: int) -> bool:
    """Whether a part of ``path`` is a name handed out by a run of process ``pid``."""
    marks = (f"rtgate-{pid}-", f"rtgate-fidelity-{pid}-")
    return any(part.startswith(marks) for part in path.split("/"))


def _dead_run(name: str) -> bool:
    """``name`` carries a run's prefix and that run is over."""
    return owner_alive(name) is False


def run_processes() -> dict[int, str]:
    """Every process whose environment names a run (:data:`OWNER_VARIABLE`), with that run's
    name; read-only."""
    found: dict[int, str] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            run = _named_run(int(name))
            if run is not None:
                found[int(name)] = run
    return found


def _named_run(pid: int) -> str | None:
    """The run that process ``pid`` names in its environment, if any."""
    key = OWNER_VARIABLE.encode() + b"="
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            environ = f.read().split(b"\0")
    except OSError:
        return None
    named = [entry[len(key) :] for entry in environ if entry.startswith(key)]
    return named[0].decode(errors="replace") if named else None


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
        found.groups += _dead_run_groups(root)
    found.groups.sort(key=lambda p: p.count("/"), reverse=True)
    found.processes = {p: run for p, run in run_processes().items() if _dead_run(run + "-")}
    return found


def _dead_run_groups(root: str) -> list[str]:
    """The groups under ``root`` a dead run named, each with its subgroups.  cgroup
    hierarchies are walked to any depth (a runtime puts a relative cgroupsPath under its own
    group, wherever that is); resctrl's groups are one level deep."""
    if root.startswith(RESCTRL):
        return [os.path.join(root, n) for n in sorted(os.listdir(root))
                if _dead_run(n) and os.path.isdir(os.path.join(root, n))]  # fmt: skip
    groups = []
    for parent, subdirs, _ in os.walk(root):
        dead = sorted(d for d in subdirs if _dead_run(d))
        for name in dead:
            for inner, below, _ in os.walk(os.path.join(parent, name)):
                groups += [os.path.join(inner, d) for d in below]
            groups.append(os.path.join(parent, name))
        subdirs[:] = [d for d in subdirs if d not in dead]
    return groups


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
        thaw(group)
    for group in cgroups:
        for pid in pids_in(group):
            kill(pid)
    for pid, run in found.processes.items():
        if _named_run(pid) == run:  # still that process, not a new one with its pid
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
