"""``GetAllPids``: the pids of a cgroup and of every group below it, walked as each source
walks them.  The two walks differ in what they look at, so a look that fails tells them apart:
the seed's ``filepath.Walk`` lstats every entry and lists every directory, handing each error to
a callback that returns it only for a cgroup.procs; runc's ``filepath.WalkDir`` lstats the root
alone, takes each entry's type from the listing, and returns every error it is handed."""

from __future__ import annotations

import errno
import os
import stat

from reference_impl.errors import PathError
from reference_impl.fileutil import read_file_go

PROCS_FILE = "cgroup.procs"


def all_pids(root: str, era: str, *, read_threads: bool = False) -> list[int]:
    """The pids of ``root``'s cgroup.procs and of every group below it, a group's own before
    those of the groups below it, these in the order of their names.

    The seed (692f6e1 cgroups/utils.go:426-445) walks with ``filepath.Walk``; runc since
    v1.1.0 with ``filepath.WalkDir`` (v1.2.0 cgroups/getallpids.go:10-27, d0c3bc44e).

    Raises:
        PathError: the error the walk's callback returns ("lstat <path>: <errno text>",
            "open <dir>: ...", a cgroup.procs' own).
    """
    pids: list[int] = []
    if era == "seed":
        _walk(root, pids)
    else:
        _walk_dir(root, pids, read_threads)
    return pids


def _walk(root: str, pids: list[int]) -> None:
    """``filepath.Walk`` with the seed's callback, which reads a group when it meets its
    cgroup.procs and returns an error it is handed only for a cgroup.procs.  So a root that
    cannot be lstat'ed lists nothing, a directory that cannot be listed is left out, and so is
    an entry that cannot be lstat'ed, unless that entry is a cgroup.procs: then the lstat's
    error is the walk's."""
    try:
        info = os.lstat(root)
    except OSError:
        return
    _walk_at(root, info, pids)


def _walk_at(path: str, info: os.stat_result, pids: list[int]) -> None:
    if not stat.S_ISDIR(info.st_mode):
        if os.path.basename(path) == PROCS_FILE:
            pids.extend(_seed_procs(os.path.dirname(path)))
        return
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return  # the callback, handed readDirNames' error for a directory, returns nil
    for name in names:
        entry = os.path.join(path, name)
        try:
            entry_info = os.lstat(entry)
        except OSError as err:
            if name == PROCS_FILE:
                raise PathError("lstat", entry, err.errno or errno.EIO) from err
            continue
        _walk_at(entry, entry_info, pids)


def _seed_procs(directory: str) -> list[int]:
    """The seed's readProcsFile never asks its scanner for an error: a read of cgroup.procs
    that fails ends that group's list, with no error; a failed open is returned
    (692f6e1 cgroups/utils.go:274-296)."""
    try:
        return read_procs(directory)
    except PathError as err:
        if err.op != "read":
            raise
        return []


def _walk_dir(root: str, pids: list[int], read_threads: bool) -> None:
    """``filepath.WalkDir`` with runc's callback, which returns any error it is handed: the
    root's Lstat, a directory's listing (os.ReadDir's open), a cgroup.procs' read.  Entries
    are not lstat'ed: their type comes from the listing."""
    try:
        info = os.lstat(root)
    except OSError as err:
        raise PathError("lstat", root, err.errno or errno.ENOENT) from err
    if stat.S_ISDIR(info.st_mode):
        _walk_dir_at(root, pids, read_threads)


def _walk_dir_at(directory: str, pids: list[int], read_threads: bool) -> None:
    pids.extend(read_procs(directory, read_threads=read_threads))  # the callback, first
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as err:
        raise PathError("open", directory, err.errno or errno.EIO) from err
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _walk_dir_at(entry.path, pids, read_threads)


def read_procs(directory: str, *, read_threads: bool = False) -> list[int]:
    """The pids in ``directory``'s cgroup.procs (v1 and v2 alike), as readProcsFile reads them
    (692f6e1 cgroups/utils.go:274-296, os.Open; v1.2.0 cgroups/utils.go:139-168); a failure
    is Go's *PathError.  With ``read_threads`` a threaded group, whose cgroup.procs cannot be
    read (EOPNOTSUPP, Go's ENOTSUP), is read from its cgroup.threads (utils.go:160-166)."""
    try:
        text = read_file_go(os.path.join(directory, PROCS_FILE))
    except PathError as err:
        if not (read_threads and err.errno == errno.EOPNOTSUPP):
            raise
        text = read_file_go(os.path.join(directory, "cgroup.threads"))
    return [int(line) for line in text.split() if line.strip()]
