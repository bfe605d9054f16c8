"""What /proc shows: cpuinfo, self/mountinfo, and per-process stat and cgroup files.

Pure renderers over the topology and the process table; the kernel puts them in the fake
filesystem as read-only kernfs-style files so each read reflects the current state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.fakes.proc.processes import Task
from harness.fakes.topology import ResctrlTopology
from harness.fakes.topology import Topology

__all__ = [
    "CGROUP_ROOT",
    "NETNS_RUN_DIR",
    "RESCTRL_ROOT",
    "MountLine",
    "cgroup2_mount",
    "cgroup_v1_mounts",
    "hierarchy_dir",
    "cpuinfo",
    "mountinfo",
    "nul_list",
    "pid_cgroup",
    "pid_stat",
]

CGROUP_ROOT = "/sys/fs/cgroup"
RESCTRL_ROOT = "/sys/fs/resctrl"
#: where ``ip netns add`` bind-mounts a named network namespace
NETNS_RUN_DIR = "/run/netns"

#: letters of /proc/<pid>/stat field 3 for our task states
_STATE_LETTER = {"running": "S", "frozen": "D", "zombie": "Z"}


@dataclass(frozen=True, slots=True)
class MountLine:
    """One mount as mountinfo shows it."""

    mount_point: str
    options: str
    fstype: str
    source: str
    super_options: str
    root: str = "/"
    #: in a peer group (mountinfo's optional ``shared:N`` field); private mounts have none
    shared: bool = True


def base_mounts() -> list[MountLine]:
    """The mounts every host has before cgroups and resctrl."""
    return [
        MountLine("/", "rw,relatime", "ext4", "/dev/vda1", "rw"),
        MountLine("/sys", "rw,nosuid,nodev,noexec,relatime", "sysfs", "sysfs", "rw"),
        MountLine("/proc", "rw,nosuid,nodev,noexec,relatime", "proc", "proc", "rw"),
        MountLine("/run", "rw,nosuid,nodev,relatime", "tmpfs", "tmpfs", "rw,mode=755"),
    ]


def hierarchy_dir(name: str) -> str:
    """The directory below /sys/fs/cgroup of a v1 hierarchy: ``name=systemd`` -> ``systemd``."""
    return name.removeprefix("name=")


def cgroup_v1_mounts(controllers: Sequence[str], *, private: bool = False) -> list[MountLine]:
    """The tmpfs at /sys/fs/cgroup (read-only, as systemd mounts it) and one line per hierarchy;
    a named hierarchy's super options are ``rw,name=<x>``.  ``private``: the hierarchies are
    mounted ``rw,relatime`` outside any peer group, as on the hybrid machine rtgate is developed
    on (``32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu``)."""
    lines = [MountLine(CGROUP_ROOT, "ro,nosuid,nodev,noexec", "tmpfs", "tmpfs", "ro,mode=755")]
    options = "rw,relatime" if private else "rw,nosuid,nodev,noexec,relatime"
    for name in controllers:
        lines.append(
            MountLine(
                f"{CGROUP_ROOT}/{hierarchy_dir(name)}",
                options,
                "cgroup",
                "cgroup",
                f"rw,{name}",
                shared=not private,
            )
        )
    return lines


def cgroup2_mount(mount_point: str, hybrid: bool) -> MountLine:
    """The cgroup2 line: ``... /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`` on a
    hybrid host (as on this machine), systemd's ``nsdelegate`` mount on a pure v2 host."""
    if hybrid:
        return MountLine(mount_point, "rw,relatime", "cgroup2", "cgroup2", "rw", shared=False)
    return MountLine(
        mount_point, "rw,nosuid,nodev,noexec,relatime", "cgroup2", "cgroup2", "rw,nsdelegate"
    )


def resctrl_mount(topo: ResctrlTopology | None = None, *, debug: bool = False) -> MountLine:
    """The resctrl mount line; ``rdt_show_options`` adds ``cdp``, ``cdpl2``, ``mba_MBps``,
    ``debug`` in that order."""
    options = "rw"
    if topo is not None and topo.cdp:
        options += ",cdp"
    if topo is not None and topo.l2 is not None and topo.l2.cdp:
        options += ",cdpl2"
    if topo is not None and topo.mba is not None and topo.mba.mba_MBps:
        options += ",mba_MBps"
    if debug:
        options += ",debug"
    return MountLine(RESCTRL_ROOT, "rw,relatime", "resctrl", "resctrl", options)


def mountinfo(mounts: Sequence[MountLine]) -> str:
    """Lines in the kernel's format:
    ``36 25 0:30 / /sys/fs/cgroup/freezer rw,... shared:13 - cgroup cgroup rw,freezer``."""
    lines = []
    ids: dict[str, int] = {}
    for index, mount in enumerate(mounts):
        mount_id = 22 + index
        parents = [p for p in ids if mount.mount_point.startswith(p.rstrip("/") + "/")]
        parent = ids[max(parents, key=len)] if parents else 1
        ids[mount.mount_point] = mount_id
        optional = f" shared:{index + 1}" if mount.shared else ""
        lines.append(
            f"{mount_id} {parent} 0:{20 + index} {mount.root} {mount.mount_point} {mount.options}"
            f"{optional} - {mount.fstype} {mount.source} {mount.super_options}\n"
        )
    return "".join(lines)


#: the identity lines of /proc/cpuinfo per vendor (a Cascade Lake and an EPYC 7003 part)
_CPU_IDS = {
    "intel": "vendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
    "model name\t: Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz\n",
    "amd": "vendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n"
    "model name\t: AMD EPYC 7763 64-Core Processor\n",
}


def cpuinfo(topology: Topology) -> str:
    """One block per CPU with the topology's flags."""
    names = list(topology.effective_cpu_flags())
    if topology.resctrl is not None:
        names += [f for f in topology.resctrl.rdt_cpu_flags() if f not in names]
    flags = " ".join(names)
    vendor = _CPU_IDS["amd" if topology.cpu_vendor == "amd" else "intel"]
    blocks = []
    for cpu in range(topology.num_cpus):
        blocks.append(
            f"processor\t: {cpu}\n{vendor}"
            f"physical id\t: 0\ncore id\t\t: {cpu}\ncpu cores\t: {topology.num_cpus}\n"
            f"flags\t\t: {flags}\n"
            "\n"
        )
    return "".join(blocks)


def nul_list(items: tuple[str, ...]) -> str:
    """/proc/<pid>/cmdline and environ: each string ended by a NUL."""
    return "".join(f"{item}\0" for item in items)


def pid_stat(task: Task) -> str:
    """/proc/<pid>/stat: 52 fields, state S (running), D (frozen) or Z; field 22 starttime."""
    fields = [
        _STATE_LETTER[task.state],  # 3 state
        str(task.ppid),  # 4 ppid
        str(task.pid),  # 5 pgrp
        str(task.pid),  # 6 session
        "0",  # 7 tty_nr
        "-1",  # 8 tpgid
        "4194560",  # 9 flags
        *["0"] * 4,  # 10-13 minflt cminflt majflt cmajflt
        *["0"] * 4,  # 14-17 utime stime cutime cstime
        "20",  # 18 priority
        "0",  # 19 nice
        "1",  # 20 num_threads
        "0",  # 21 itrealvalue
        str(task.start_time),  # 22 starttime
    ]
    fields += ["0"] * (52 - 2 - len(fields))
    return f"{task.pid} ({task.comm}) " + " ".join(fields) + "\n"


def pid_cgroup(task: Task, hierarchy_ids: dict[str, int], *, unified: bool = False) -> str:
    """/proc/<pid>/cgroup: ``id:controller:path`` per v1 hierarchy, highest id first (a named
    one shows as ``name=systemd``), then ``0::path`` for the unified hierarchy."""
    order = sorted(hierarchy_ids.items(), key=lambda item: -item[1])
    lines = [f"{hid}:{name}:{task.cgroups.get(name, '/')}\n" for name, hid in order]
    if unified:
        lines.append(f"0::{task.cgroups.get('unified', '/')}\n")
    return "".join(lines)
