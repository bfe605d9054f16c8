"""What every host answers the same way: questions whose answer is a file the kernel shows.

The scenarios ask the host, never the subject, what happened (which cgroup directories exist,
which pids a group holds, whether a process lives), so that a subject cannot pass by reporting
what it did not do.  Most answers are reads of /proc and /sys, and those read the same on the
simulated kernel (pyfakefs) and on a real one: they live here, once.  What a host does
differently (starting a helper process, installing a hook program, injecting a fault, telling
what the kernel saw) each host class implements.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Literal
from typing import get_args

from harness.fakes import HookProgram
from harness.fakes import KernelOp
from harness.fakes import ProgramRun
from harness.hosts.facts import EXITED_STATES
from harness.hosts.facts import MOUNTINFO
from harness.hosts.facts import cgroup_mode
from harness.hosts.facts import controller_hierarchies
from harness.hosts.facts import cpu_flags
from harness.hosts.facts import netns_at
from harness.hosts.facts import read_info_value
from harness.hosts.facts import read_mounts
from harness.hosts.facts import read_stat
from harness.hosts.facts import resctrl_mounts
from harness.hosts.facts import stat_or_none

__all__ = [
    "CGROUP_ROOT",
    "RESCTRL",
    "BrokenStep",
    "HostCannot",
    "HostFiles",
    "KernelOp",
    "ProgramRun",
    "HookProgram",
    "TeardownStep",
]

CGROUP_ROOT = "/sys/fs/cgroup"
RESCTRL = "/sys/fs/resctrl"
#: how long a host waits for the kernel to show what it was asked for (process death, ...)
SETTLE_DEADLINE_S = 10.0
#: how often a wait with a deadline looks again
POLL_INTERVAL_S = 0.002


class HostCannot(Exception):  # noqa: N818 - it is a refusal with a reason, not a failure
    """This host cannot produce a condition a scenario asks for; the text says why."""


#: a teardown step a host can make fail (``[teardown] error_sources`` of lifecycle.toml)
TeardownStep = Literal["cgroup", "rdt", "state-dir", "poststop"]
#: what a broken poststop hook writes before it exits 1
FAILING_HOOK_STDERR = "poststop fault"


@dataclasses.dataclass(frozen=True, slots=True)
class BrokenStep:
    """A teardown step a host made fail, and what a scenario checks of it afterwards."""

    step: TeardownStep
    #: the pinned directory, the busy cgroup or the failing hook program
    path: str
    #: the process of the harness that keeps the cgroup busy (it must outlive destroy)
    outsider: int | None = None


class HostFiles:
    """The file-backed answers both hosts give; subclasses set ``state_root`` and ``system``."""

    state_root: str
    #: where OCI bundles go
    bundle_root: str = "/var/lib/rtgate/bundles"
    #: how long the kernel may take to show the effect of a signal (0: the model is at once)
    settle_s: float = 0.0

    # -- names -------------------------------------------------------------------------------
    def container_id(self, name: str) -> str:
        """The id a scenario's container called ``name`` gets on this host."""
        return name

    def cgroup_path(self, name: str) -> str:
        """The cgroup path a scenario's group called ``name`` ("a" or "a/b") gets here."""
        return "/" + name.lstrip("/")

    def bundle_dir(self, name: str) -> str:
        """Where the harness writes the OCI bundle of the container called ``name``."""
        return os.path.join(self.bundle_root, self.container_id(name))

    def cgroup_dir(self, hierarchy: str, path: str) -> str:
        """The directory of cgroup ``path`` in ``hierarchy`` ("unified" is the v2 one)."""
        base = (
            CGROUP_ROOT
            if hierarchy == "unified" and self.cgroup_mode() == "v2"
            else (os.path.join(CGROUP_ROOT, hierarchy))
        )
        return os.path.join(base, path.lstrip("/")).rstrip("/")

    # -- the cgroup layout, as mountinfo shows it --------------------------------------------
    def cgroup_mode(self) -> str:
        """ "v1", "v2" or "hybrid", from the mounts (what a runtime looks at)."""
        return cgroup_mode()

    def v1_hierarchies(self) -> list[str]:
        """Directory names of the v1 hierarchies that carry controllers (not name=...)."""
        return controller_hierarchies()

    def describe_cgroups(self) -> str:
        """One phrase for a skip: the mode and where it was read."""
        mounts = read_mounts()
        points = ", ".join(sorted(m.mount_point for m in mounts if m.fstype == "cgroup2"))
        unified = f", cgroup2 at {points}" if points else ""
        return f"cgroups are {cgroup_mode(mounts)} ({MOUNTINFO}{unified})"

    # -- what the kernel shows -------------------------------------------------------------
    def cgroup_dirs(self, cgroup_path: str) -> list[str]:
        """Every existing directory named ``cgroup_path`` in any hierarchy."""
        found = []
        roots = (
            [CGROUP_ROOT]
            if self.cgroup_mode() == "v2"
            else [os.path.join(CGROUP_ROOT, name) for name in sorted(os.listdir(CGROUP_ROOT))]
        )
        for root in roots:
            path = os.path.join(root, cgroup_path.lstrip("/"))
            if os.path.isdir(path) and path.rstrip("/") != root:
                found.append(path)
        return found

    def cgroup_pids(self, hierarchy: str, path: str) -> list[int]:
        """Pids the kernel lists in the group's cgroup.procs."""
        procs = os.path.join(self.cgroup_dir(hierarchy, path), "cgroup.procs")
        with open(procs, encoding="ascii") as f:
            return [int(x) for x in f.read().split()]

    def cgroup_of(self, pid: int, hierarchy: str) -> str:
        """The cgroup path of ``pid`` in ``hierarchy``, from /proc/<pid>/cgroup."""
        with open(f"/proc/{pid}/cgroup", encoding="utf-8") as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if hierarchy == "unified" and controllers == "":
                    return path
                if hierarchy in controllers.split(","):
                    return path
        raise AssertionError(f"/proc/{pid}/cgroup has no {hierarchy} line")

    def move_to_cgroup(self, pid: int, hierarchy: str, path: str) -> None:
        """Write ``pid`` into the group's cgroup.procs, as any process may do from outside."""
        self._check_own(pid)
        procs = os.path.join(self.cgroup_dir(hierarchy, path), "cgroup.procs")
        with open(procs, "w", encoding="ascii") as f:
            f.write(str(pid))

    def _check_own(self, pid: int) -> None:
        """Refuse to act on a process this host did not start (overridden on a real host)."""

    # -- teardown faults -----------------------------------------------------------------------
    def break_teardown(self, step: TeardownStep, container_id: str, hook: str = "") -> BrokenStep:
        """Make ``step`` of destroying ``container_id`` fail, with this host's own means:

        - cgroup: a process of the harness moves into the container's cgroup (the container
          has a private PID namespace, so destroy's kill-all leaves it alone): rmdir EBUSY;
        - rdt: the container's resctrl group is pinned (rmdir EBUSY, every time);
        - state-dir: the container's state dir (under ``state_root``) is pinned;
        - poststop: the hook program called ``hook`` now exits 1.

        ``clear_faults`` unpins; the host's end removes the outsider.
        """
        if step == "cgroup":
            hierarchy, group = self.process_hierarchy(), f"/{container_id}"
            outsider = self.start_process()
            self.move_to_cgroup(outsider, hierarchy, group)
            return BrokenStep(step, self.cgroup_dir(hierarchy, group), outsider)
        if step == "poststop":
            if not hook:
                raise ValueError("breaking the poststop step needs the name of a hook program")
            return BrokenStep(
                step, self.hook_program(hook, HookProgram.exit(1, stderr=FAILING_HOOK_STDERR))
            )
        paths = {"rdt": self.resctrl_group(container_id),
                 "state-dir": os.path.join(self.state_root, container_id)}  # fmt: skip
        if step not in paths:
            raise ValueError(f"'step' must be one of {get_args(TeardownStep)} (got {step!r})")
        self.pin_dir(paths[step])
        return BrokenStep(step, paths[step])

    # the primitives each host implements in its own way
    def start_process(self, comm: str = "outsider") -> int:
        raise NotImplementedError

    def pin_dir(self, path: str) -> None:
        raise NotImplementedError

    def hook_program(self, name: str, program: HookProgram) -> str:
        raise NotImplementedError

    def freezer_file(self, pid: int) -> tuple[str, str, str]:
        """The file that freezes ``pid``'s group, and its frozen and thawed values."""
        if self.cgroup_mode() == "v2":
            group = self.cgroup_dir("unified", self.cgroup_of(pid, "unified"))
            return os.path.join(group, "cgroup.freeze"), "1", "0"
        group = self.cgroup_dir("freezer", self.cgroup_of(pid, "freezer"))
        return os.path.join(group, "freezer.state"), "FROZEN", "THAWED"

    def process_hierarchy(self) -> str:
        """A hierarchy that holds every container process: a v1 one, or the unified one."""
        return "unified" if self.cgroup_mode() == "v2" else "devices"

    def freezer_state(self, cgroup_path: str) -> str:
        """FROZEN, FREEZING or THAWED: v1's freezer.state, or the same read from v2's
        cgroup.freeze (asked for) and cgroup.events (reached)."""
        if self.cgroup_mode() != "v2":
            path = os.path.join(self.cgroup_dir("freezer", cgroup_path), "freezer.state")
            with open(path, encoding="ascii") as f:
                return f.read().strip()
        group = self.cgroup_dir("unified", cgroup_path)
        with open(os.path.join(group, "cgroup.freeze"), encoding="ascii") as f:
            asked = f.read().strip() == "1"
        with open(os.path.join(group, "cgroup.events"), encoding="ascii") as f:
            reached = "frozen 1" in f.read().splitlines()
        if not asked:
            return "THAWED"
        return "FROZEN" if reached else "FREEZING"

    def proc_state(self, pid: int) -> str | None:
        """The state letter of /proc/<pid>/stat (D for a frozen task), or None when gone."""
        stat = stat_or_none(pid)
        return None if stat is None else stat.state

    def is_alive(self, pid: int) -> bool:
        """True while the process exists and has not exited (zombies are not alive)."""
        state = self.proc_state(pid)
        return state is not None and state not in EXITED_STATES

    def dies(self, pid: int) -> bool:
        """True once ``pid`` has exited, waiting up to the host's ``settle_s`` for it (a real
        kernel delivers a fatal signal a moment after ``kill`` returns; the model at once)."""
        deadline = time.monotonic() + self.settle_s
        while self.is_alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_INTERVAL_S)
        return True

    def is_frozen(self, pid: int) -> bool:
        """A frozen task shows D in /proc/<pid>/stat (the real kernel's and the model's)."""
        return self.proc_state(pid) == "D"

    def start_time(self, pid: int) -> int:
        """Field 22 of /proc/<pid>/stat: clock ticks after boot."""
        return read_stat(pid).start_time

    def await_exit(self, pid: int) -> None:
        """Wait (polling /proc, with a deadline) until ``pid`` has exited."""
        if not self.dies(pid):
            raise AssertionError(f"pid {pid} still lives {self.settle_s} s later")

    # -- resctrl -----------------------------------------------------------------------------
    def resctrl_group(self, name: str) -> str:
        return os.path.join(RESCTRL, name)

    def resctrl_tasks(self, name: str = "") -> list[int]:
        """Pids listed in a resctrl group's tasks file ("" for the default group)."""
        path = os.path.join(RESCTRL, name, "tasks") if name else os.path.join(RESCTRL, "tasks")
        with open(path, encoding="ascii") as f:
            return [int(x) for x in f.read().split()]

    def num_closids(self) -> int:
        """CLOSIDs the L3 resource offers (info/L3/num_closids)."""
        return int(read_info_value("L3", "num_closids", RESCTRL))

    def rdt_unavailable(self) -> str | None:
        """Why a container cannot get an L3 CAT resctrl group here, or None when it can.

        Found the way a runtime finds it (CPU flags, mountinfo, info/), so a skip names what is
        missing on this host.
        """
        if "cat_l3" not in cpu_flags():
            return "no L3 CAT: /proc/cpuinfo has no cat_l3 flag"
        if not resctrl_mounts():
            return f"resctrl is not mounted: {MOUNTINFO} has no resctrl line"
        info = os.path.join(RESCTRL, "info")
        if not os.path.isdir(os.path.join(info, "L3")):
            found = ", ".join(sorted(os.listdir(info)))
            return f"resctrl has no info/L3 (info/ holds {found}): L3 is split by cdp or absent"
        return None

    def l3_domains(self) -> list[int]:
        """The L3 cache ids, from the default group's schemata line."""
        with open(os.path.join(RESCTRL, "schemata"), encoding="ascii") as f:
            for line in f:
                name, _, rest = line.strip().partition(":")
                if name.strip() == "L3":
                    return [int(item.split("=")[0]) for item in rest.split(";") if item.strip()]
        raise AssertionError("the default group's schemata has no L3 line")

    def l3_schema(self, *masks: str) -> str:
        """An ``L3:`` schema over every cache domain of this host; masks are used in turn."""
        domains = self.l3_domains()
        items = [f"{d}={masks[i % len(masks)]}" for i, d in enumerate(domains)]
        return "L3:" + ";".join(items)

    # -- network namespaces ------------------------------------------------------------------
    def netns_path(self, name: str) -> str:
        """Where the harness's named network namespace called ``name`` is mounted."""
        return os.path.join(NETNS_DIR, self.container_id(name))

    def netns_of(self, pid: int) -> str | None:
        """``net:[<inode>]`` of ``pid``'s network namespace (readlink /proc/<pid>/ns/net);
        None when it has exited (a zombie's links are gone) or cannot be read."""
        return _readlink(f"/proc/{pid}/ns/net")

    def host_netns(self) -> str | None:
        """``net:[<inode>]`` of the network namespace the harness itself runs in."""
        return _readlink("/proc/self/ns/net")

    def named_netns(self, path: str) -> str | None:
        """``net:[<inode>]`` of the network namespace mounted at ``path`` (its nsfs mount in
        /proc/self/mountinfo), or None when nothing is mounted there."""
        return netns_at(path)

    def netns_holders(self, ident: str) -> list[str]:
        """Everything that keeps the network namespace ``ident`` (``net:[<inode>]``) alive, as
        /proc shows it: tasks in it, open descriptors of it, and mounts of its nsfs file in
        every mount namespace a process here is in.  Empty when nothing holds it."""
        held: list[str] = []
        tables = [MOUNTINFO]
        seen_mnt = {_readlink("/proc/self/ns/mnt")}
        for name in sorted((n for n in os.listdir("/proc") if n.isdigit()), key=int):
            proc = f"/proc/{name}"
            tids = _listdir(f"{proc}/task") or [name]
            for tid in tids:
                link = f"{proc}/ns/net" if tid == name else f"{proc}/task/{tid}/ns/net"
                if _readlink(link) == ident:
                    held.append(f"pid {name}" if tid == name else f"thread {tid} of pid {name}")
            held += [f"fd {fd} of pid {name}" for fd in _listdir(f"{proc}/fd")
                     if _readlink(f"{proc}/fd/{fd}") == ident]  # fmt: skip
            mnt = _readlink(f"{proc}/ns/mnt")
            if mnt is not None and mnt not in seen_mnt:
                seen_mnt.add(mnt)
                tables.append(f"{proc}/mountinfo")
        for table in tables:
            try:
                mounts = read_mounts(table)
            except OSError:
                continue  # its process ended while we looked
            held += [f"mount {m.mount_point} ({table})" for m in mounts if m.root == ident]
        return held


#: where named network namespaces are mounted (``ip netns``)
NETNS_DIR = "/run/netns"


def _readlink(path: str) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
