"""What a container's /dev and mount table must hold, and the comparisons of the config rules:
the default devices and filesystems of config-linux.md, the dev symlinks of runtime-linux.md,
and config.json's mounts against the mountinfo init reported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from harness.hosts.facts.mounts import Mount as MountLine
from harness.hosts.facts.mounts import parse_mountinfo
from harness.subjects.oci.details import Mount

__all__ = [
    "DEFAULT_DEVICES",
    "DEFAULT_FILESYSTEMS",
    "DEV_LINKS",
    "devices_differ",
    "filesystems_differ",
    "mount_faults",
    "new_peer_group",
    "out_of_order",
    "propagation_faults",
    "propagation_of",
]

#: runtime-spec v1.0.2 config-linux.md:156-165: the devices every container gets, with the
#: numbers devices.txt gives them (/dev/ptmx: the container's /dev/pts/ptmx, followed)
DEFAULT_DEVICES = {
    "/dev/null": (1, 3), "/dev/zero": (1, 5), "/dev/full": (1, 7), "/dev/random": (1, 8),
    "/dev/urandom": (1, 9), "/dev/tty": (5, 0), "/dev/ptmx": (5, 2),
}  # fmt: skip
#: config-linux.md:11-18 (SHOULD)
DEFAULT_FILESYSTEMS = {"/proc": "proc", "/sys": "sysfs", "/dev/pts": "devpts", "/dev/shm": "tmpfs"}
#: runtime-linux.md:11-18
DEV_LINKS = {
    "/dev/fd": "/proc/self/fd", "/dev/stdin": "/proc/self/fd/0",
    "/dev/stdout": "/proc/self/fd/1", "/dev/stderr": "/proc/self/fd/2",
}  # fmt: skip
#: per-mount flags mountinfo shows in a mount's own options (field 6)
MOUNT_FLAGS = ("ro", "nosuid", "nodev", "noexec")


def devices_differ(text: str) -> tuple[bool, str]:
    """Whether ``stat -L -c '%n|%F|%t|%T'`` of the default devices shows each as the
    character device it must be, and which do not."""
    got = {line.split("|")[0]: line.split("|")[1:] for line in text.splitlines() if "|" in line}
    differ = {}
    for path, (major, minor) in DEFAULT_DEVICES.items():
        want = ["character special file", f"{major:x}", f"{minor:x}"]
        if got.get(path) != want:
            differ[path] = got.get(path) or "missing"
    return not differ, f"default devices not as config-linux.md lists them: {differ} ({text!r})"


def filesystems_differ(mounts: Sequence[MountLine]) -> tuple[bool, str]:
    """Whether each default filesystem is mounted at its path with its type."""
    types = {m.mount_point: m.fstype for m in mounts}
    differ = {p: types.get(p) for p, t in DEFAULT_FILESYSTEMS.items() if types.get(p) != t}
    return not differ, f"asked {DEFAULT_FILESYSTEMS}, mountinfo shows {differ}"


def _matches(wanted: Mount, line: MountLine) -> bool:
    if os.path.normpath(wanted.destination) != line.mount_point:
        return False
    if "bind" in wanted.options or "rbind" in wanted.options:
        return os.path.basename(wanted.source or "") == os.path.basename(line.root)
    return wanted.type is None or wanted.type == line.fstype


def _found_at(wanted: Mount, mounts: Sequence[MountLine]) -> int | None:
    """The index of the last mountinfo line that is ``wanted`` (a later mount over the same
    place hides an earlier one)."""
    places = [i for i, line in enumerate(mounts) if _matches(wanted, line)]
    return places[-1] if places else None


def mount_faults(
    wanted: Sequence[Mount], mounts: Sequence[MountLine], own: Sequence[Mount] = ()
) -> list[str]:
    """How the mounts ``wanted`` differ from mountinfo: missing, of another type or source,
    or without a per-mount flag asked; those of ``own`` also without a filesystem option
    asked (the usual mounts' say ``mode=0620`` and ``mode=1777``, which the kernel shows as
    ``mode=620`` and, being tmpfs's default, not at all)."""
    faults = []
    for mount in wanted:
        at = _found_at(mount, mounts)
        if at is None:
            here = [f"{m.fstype} {m.root}" for m in mounts if m.mount_point == mount.destination]
            faults.append(f"{mount.destination}: no {mount.type} mount of {mount.source} ({here})")
            continue
        line = mounts[at]
        flags = [o for o in mount.options if o in MOUNT_FLAGS and o not in line.options]
        data = [
            o for o in mount.options if mount in own and "=" in o and o not in line.super_options
        ]
        if flags or data:
            faults.append(
                f"{mount.destination}: lacks {flags + data} (mount options {line.options}, "
                f"filesystem options {line.super_options})"
            )
    return faults


def out_of_order(wanted: Sequence[Mount], mounts: Sequence[MountLine]) -> list[str]:
    """The mounts of ``wanted`` that mountinfo lists before one config.json lists earlier."""
    places = [(mount.destination, _found_at(mount, mounts)) for mount in wanted]
    found = [(dest, at) for dest, at in places if at is not None]
    return [
        f"{dest} (line {at}) before {found[i - 1][0]} (line {found[i - 1][1]})"
        for i, (dest, at) in enumerate(found)
        if i and at < found[i - 1][1]  # type: ignore[operator]
    ]


def propagation_of(mountinfo: str, mount_point: str) -> list[str]:
    """The optional fields (``shared:N``, ``master:N``, ``unbindable``, ...) of the last
    mountinfo line at ``mount_point``: proc(5)'s field 7 onward, up to the `` - ``."""
    tags: list[str] = []
    for line in mountinfo.splitlines():
        head = line.partition(" - ")[0].split()
        if len(head) >= 6 and head[4] == mount_point:
            tags = head[6:]
    return tags


def _host_tags() -> set[str]:
    """The optional fields of every mount in the harness's own mount namespace."""
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
        return {t for line in f for t in line.partition(" - ")[0].split()[6:]}


def new_peer_group(
    tags: Sequence[str], what: str = "rootfsPropagation shared: /"
) -> tuple[bool, str]:
    """Whether a container's mount (mountinfo optional fields ``tags``) is shared in a peer
    group of its own: ``shared:N`` with an N no mount of the harness's mount namespace has
    (peer group ids are the kernel's, one numbering for every namespace)."""
    groups = [t for t in tags if t.startswith("shared:")]
    theirs = sorted(set(groups) & _host_tags())
    return (
        bool(groups) and not theirs,
        f"{what} must be in a new peer group, yet its tags are {list(tags)}"
        + (f", a peer group of the host's too: {theirs}" if theirs else ""),
    )


def propagation_faults(mountinfo: str, asked: dict[str, str]) -> list[str]:
    """What differs from the propagation option ``asked`` of each mount point: ``shared``
    a peer group of its own, ``unbindable`` the unbindable tag, ``private`` no tag at all
    (proc(5)'s optional fields; the kernel's sharedsubtree.rst for their meaning)."""
    faults = []
    points = {m.mount_point for m in parse_mountinfo(mountinfo)}
    for point, option in asked.items():
        tags = propagation_of(mountinfo, point)
        if point not in points:
            ok, message = False, f"{point} (options {option}) is not mounted"
        elif option == "shared":
            ok, message = new_peer_group(tags, f"{point} (options {option})")
        else:
            ok = tags == ["unbindable"] if option == "unbindable" else not tags
            message = f"{point} (options {option}) has the tags {tags}"
        if not ok:
            faults.append(message)
    return faults
