"""Reading ``/proc/self/mountinfo``: where the cgroup hierarchies and resctrl are mounted."""

from __future__ import annotations

import dataclasses

__all__ = ["MountInfoError", "Mount", "parse_mountinfo", "read_mountinfo"]

MOUNTINFO = "/proc/self/mountinfo"


class MountInfoError(Exception):
    """A mountinfo line without the fields that follow the " - " separator."""


@dataclasses.dataclass(frozen=True, slots=True)
class Mount:
    """One line: the mount point, the filesystem type and the super options."""

    line: str
    mount_point: str
    fstype: str
    source: str
    super_options: tuple[str, ...]


def parse_mountinfo(text: str) -> list[Mount]:
    """Split mountinfo into mounts; lines without " - " are skipped by the caller's choice.

    Raises:
        MountInfoError: for a line with nothing after its " - " separator.
    """
    mounts = []
    for line in text.splitlines():
        if not line.strip():
            continue
        pre, sep, post = line.partition(" - ")
        pre_fields = pre.split()
        post_fields = post.split()
        if not sep or not post_fields:
            raise MountInfoError(f"Found no fields post '-' in {line!r}")
        mounts.append(
            Mount(
                line=line,
                mount_point=pre_fields[4] if len(pre_fields) > 4 else "",
                fstype=post_fields[0],
                source=post_fields[1] if len(post_fields) > 1 else "",
                super_options=tuple(post_fields[2].split(",")) if len(post_fields) > 2 else (),
            )
        )
    return mounts


def read_mountinfo() -> list[Mount]:
    with open(MOUNTINFO, encoding="utf-8", errors="replace") as f:
        return parse_mountinfo(f.read())
