"""The mount table of this process (/proc/self/mountinfo) as typed rows, and the cgroup layout
it shows.

Read through ``open`` at the real path, so the same code reads the real kernel's table and the
one the simulated kernel renders under pyfakefs.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

__all__ = [
    "CGROUP_ROOT",
    "MOUNTINFO",
    "CgroupLayout",
    "Mount",
    "cgroup_mode",
    "controller_hierarchies",
    "netns_at",
    "parse_mountinfo",
    "read_layout",
    "read_mounts",
]

MOUNTINFO = "/proc/self/mountinfo"
CGROUP_ROOT = "/sys/fs/cgroup"


@dataclass(frozen=True, slots=True)
class Mount:
    """One line of mountinfo (proc(5)); paths are unescaped (``\\040`` is a space again)."""

    mount_id: int
    parent_id: int
    #: ``major:minor`` of the filesystem's device
    device: str
    #: the directory of the filesystem mounted here (for nsfs: ``net:[<inode>]``)
    root: str
    mount_point: str
    #: per-mount options (rw, nosuid, relatime, ...)
    options: tuple[str, ...]
    fstype: str
    source: str
    #: per-superblock options (for cgroup v1: the controllers, ``name=<x>``)
    super_options: tuple[str, ...]


def _unescape(text: str) -> str:
    """Undo the kernel's octal escapes of space, tab, newline and backslash."""
    return (
        text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
        .replace("\\134", "\\")
    )  # fmt: skip


def _parse_line(line: str) -> Mount | None:
    head, sep, tail = line.partition(" - ")
    parts, rest = head.split(), tail.split()
    if not sep or len(parts) < 6 or not rest:
        return None
    return Mount(
        mount_id=int(parts[0]),
        parent_id=int(parts[1]),
        device=parts[2],
        root=_unescape(parts[3]),
        mount_point=_unescape(parts[4]),
        options=tuple(parts[5].split(",")),
        fstype=rest[0],
        source=_unescape(rest[1]) if len(rest) > 1 else "",
        super_options=tuple(rest[2].split(",")) if len(rest) > 2 else (),
    )


def parse_mountinfo(text: str) -> list[Mount]:
    """The mounts a mountinfo text lists, in its order; malformed lines are left out."""
    return list(_parsed(text))


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> tuple[Mount, ...]:
    """The mounts of one text, kept: a host's table seldom changes, and the harness asks for
    the cgroup mode or a mount point at most steps of a state machine (the rows are frozen)."""
    return tuple(m for m in map(_parse_line, text.splitlines()) if m is not None)


def read_mounts(path: str = MOUNTINFO) -> list[Mount]:
    """The mounts of ``path`` (this process's mountinfo by default).

    Raises:
        OSError: the table cannot be read.
    """
    with open(path, encoding="utf-8", errors="replace") as file:
        return parse_mountinfo(file.read())


def netns_at(path: str, mounts: Iterable[Mount] | None = None) -> str | None:
    """``net:[<inode>]`` of the network namespace mounted at ``path`` (its nsfs mount), or
    None when nothing is mounted there."""
    for mount in read_mounts() if mounts is None else mounts:
        if mount.mount_point == path and mount.fstype == "nsfs":
            return mount.root
    return None


def _cgroup_mounts(mounts: Iterable[Mount] | None) -> list[Mount]:
    rows = read_mounts() if mounts is None else mounts
    return [m for m in rows if m.fstype in ("cgroup", "cgroup2")]


def cgroup_mode(mounts: Iterable[Mount] | None = None) -> str:
    """ "v1", "v2" or "hybrid", from the cgroup mounts under /sys/fs/cgroup (what a runtime
    looks at); "v1" when there are none."""
    kinds = {m.fstype for m in _cgroup_mounts(mounts) if m.mount_point.startswith(CGROUP_ROOT)}
    if kinds == {"cgroup", "cgroup2"}:
        return "hybrid"
    return "v2" if kinds == {"cgroup2"} else "v1"


def controller_hierarchies(mounts: Iterable[Mount] | None = None) -> list[str]:
    """Directory names of the v1 hierarchies that carry controllers (not only name=...)."""
    found = []
    for mount in _cgroup_mounts(mounts):
        names = [o for o in mount.super_options if o not in ("rw", "ro")]
        if mount.fstype == "cgroup" and not all(n.startswith("name=") for n in names):
            found.append(os.path.basename(mount.mount_point))
    return sorted(found)


@dataclass(frozen=True, slots=True)
class CgroupLayout:
    """The cgroup mounts of the host, as /proc/self/mountinfo lists them."""

    #: v1 hierarchy name ("memory", "cpu,cpuacct", "name=systemd") -> mount point
    v1: dict[str, str] = field(default_factory=dict)
    #: mount point of the unified (v2) hierarchy, if any
    v2: str | None = None
    #: controllers the v2 root offers (its cgroup.controllers)
    v2_controllers: tuple[str, ...] = ()
    #: controllers on the v2 hierarchy that its cgroup.controllers hides (implicit ones such as
    #: perf_event): the v2 root's cgroup.stat counts them
    v2_implicit: tuple[str, ...] = ()

    @property
    def mode(self) -> str:
        """One of "v1", "v2", "hybrid" (both) or "none"."""
        if self.v1 and self.v2:
            return "hybrid"
        if self.v1:
            return "v1"
        return "v2" if self.v2 else "none"


#: super options of a v1 cgroup mount that name no hierarchy
_V1_OPTIONS = {"rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec", "clone_children",
               "xattr", "noprefix", "cpuset_v2_mode", "favordynmods", "nsdelegate"}  # fmt: skip


def read_layout(mountinfo: str = MOUNTINFO) -> CgroupLayout:
    """The host's cgroup hierarchies from mountinfo (none when it cannot be read) and the v2
    root's controllers."""
    v1: dict[str, str] = {}
    v2: str | None = None
    try:
        mounts = read_mounts(mountinfo)
    except OSError:
        mounts = []
    for mount in mounts:
        if mount.fstype == "cgroup":
            names = [o for o in mount.super_options if o not in _V1_OPTIONS
                     and not o.startswith("release_agent=")]  # fmt: skip
            if names:
                v1.setdefault(",".join(names), mount.mount_point)
        elif mount.fstype == "cgroup2" and v2 is None:
            v2 = mount.mount_point
    controllers: tuple[str, ...] = ()
    implicit: tuple[str, ...] = ()
    if v2 is not None:
        controllers = tuple(read_text(os.path.join(v2, "cgroup.controllers")).split())
        implicit = _implicit(read_text(os.path.join(v2, "cgroup.stat")), controllers)
    return CgroupLayout(v1, v2, controllers, implicit)


def bfq_registered(layout: CgroupLayout) -> bool | None:
    """Whether the BFQ I/O scheduler's blkcg policy is registered (built in, or its module
    loaded): only then does every v1 blkio group, the root included, show ``blkio.bfq.*``
    statistics files.  None without a v1 blkio hierarchy to look in."""
    mount = next((point for name, point in layout.v1.items() if "blkio" in name.split(",")), None)
    if mount is None:
        return None
    try:
        names = os.listdir(mount)
    except OSError:
        return None
    return any(name.startswith("blkio.bfq.") for name in names)


def read_text(path: str) -> str:
    """The text of a file, empty when it cannot be read (an older kernel lacks it)."""
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError:
        return ""


def _implicit(stat: str, controllers: tuple[str, ...]) -> tuple[str, ...]:
    """The subsystems cgroup.stat counts (``nr_subsys_<ss>``) that cgroup.controllers hides."""
    names = [line.split()[0].removeprefix("nr_subsys_") for line in stat.splitlines() if line]
    return tuple(n for n in names if n not in controllers and not n.startswith("nr_"))
