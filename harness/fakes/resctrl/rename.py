"""Renaming resctrl directories (reference §1.9, ``rdtgroup_rename``, ~v6.5+): only a MON
group moves, into a ``mon_groups`` directory, taking the new parent's CLOSID (its tasks follow).
Older kernels have no rename at all (EPERM without a text).
"""

from __future__ import annotations

import errno
import posixpath

from harness.fakes._parse import KernelErrno
from harness.fakes.resctrl.fs import ResctrlFs
from harness.fakes.resctrl.fs import ResctrlGroup
from harness.fakes.resctrl.fs import ctrl_path_of

__all__ = ["rename"]


def _dir_group(fs: ResctrlFs, path: str) -> ResctrlGroup | None:
    """``kernfs_to_rdtgroup`` of a directory: its group, a mon_groups/mon_data dir's group,
    None under info."""
    while path not in fs.groups:
        if path in ("/", "/info") or path.startswith("/info/"):
            return None
        path = posixpath.dirname(path)
    return fs.groups[path]


def rename(fs: ResctrlFs, src: str, dst: str, *, dirs: bool) -> None:
    """``rdtgroup_rename``: only a MON group moves, into a ``mon_groups`` dir, taking the new
    parent's CLOSID (its tasks follow).  ``dirs``: source and destination parent are dirs.

    Raises:
        KernelErrno: EPERM on kernels without rename (no text), "Source and destination must
            be directories", "Source must be a MON group", "Destination must be a mon_groups
            subdirectory", "Cannot move a MON group that monitors CPUs"; ENOENT under info.
    """
    if not fs.era.mon_rename:
        raise KernelErrno(errno.EPERM)
    group = _dir_group(fs, src)
    new_parent = _dir_group(fs, posixpath.dirname(dst))
    if group is None or new_parent is None:
        raise KernelErrno(errno.ENOENT)
    fs.last_cmd = ""
    if not dirs:  # the kernel's only message without a newline
        fs.last_cmd += fs.era.text("rename_dirs")
        raise KernelErrno(errno.EPERM)
    src_parent = posixpath.dirname(src)
    if group.path != src or group.kind != "mon" or posixpath.basename(src_parent) != "mon_groups":
        raise fs.fail(errno.EPERM, "rename_source")
    dst_parent = posixpath.dirname(dst)
    name = posixpath.basename(dst)
    if posixpath.basename(dst_parent) != "mon_groups" or name == "mon_groups":
        raise fs.fail(errno.EPERM, "rename_destination")
    ctrl = fs.groups[ctrl_path_of(dst_parent + "/x")]
    if group.cpus and group.parent != ctrl.path:
        raise fs.fail(errno.EPERM, "rename_cpus")
    del fs.groups[src]
    group.path, group.parent, group.closid = dst, ctrl.path, ctrl.closid
    fs.groups[dst] = group
    fs.move_members(src, dst)
