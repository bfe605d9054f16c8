"""Go's ``exec.LookPath``, which runc's init calls on the process's ``args[0]`` before it execs
it (692f6e1 standard_init_linux.go:159-164, system/linux.go:49-55 for an exec'd process; v1.2.0
standard_init_linux.go:208-213, setns_init_linux.go:115-119).

Go's os/exec lp_unix.go: a name holding a slash is tried as it is; any other is tried in each
directory of $PATH (an empty entry is "."), and is ``ErrNotFound`` when none holds it.
``findExecutable`` stats the file: a directory is ``fs.ErrPermission`` up to Go 1.19 and
``syscall.EISDIR`` since Go 1.20, a file without an x bit is EACCES either way (the mode bits up
to 1.19, ``Eaccess(X_OK)`` since, the same answer for root).  Go 1.19's ``ErrDot`` for a
program found through a relative $PATH entry is not modelled.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from collections.abc import Callable
from collections.abc import Iterable

from reference_impl.errors import LibcontainerError
from reference_impl.errors import PathError
from reference_impl.errors import go_quote
from reference_impl.errors import go_strerror

__all__ = ["LookPathError", "look_path", "path_of"]

#: stat(2) of a path as the process that looks it up sees it
StatFn = Callable[[str], os.stat_result]


class LookPathError(LibcontainerError):
    """Go's ``*exec.Error``: ``exec: "<name>": <err>``."""

    def __init__(self, name: str, err: str) -> None:
        super().__init__(f"exec: {go_quote(name)}: {err}")
        self.name = name


def path_of(env: Iterable[str]) -> str:
    """``os.Getenv("PATH")`` in init once the process's environment is set: the last entry
    wins, as each ``os.Setenv`` of populateProcessEnvironment replaces the one before."""
    found = ""
    for item in env:
        key, sep, value = item.partition("=")
        if sep and key == "PATH":
            found = value
    return found


def look_path(name: str, search: str, stat_fn: StatFn, dir_errno: int) -> str:
    """The path ``name`` execs, searched in ``search`` ($PATH) when it has no slash.

    Raises:
        LookPathError: the name's stat error, EACCES (no x bit) or ``dir_errno`` (a directory)
            for a name with a slash; "executable file not found in $PATH" for one without.
    """
    if "/" in name:
        err = _find_executable(name, stat_fn, dir_errno)
        if err:
            raise LookPathError(name, err)
        return name
    for directory in search.split(":") if search else ():
        path = posixpath.normpath(posixpath.join(directory or ".", name))  # filepath.Join
        if not _find_executable(path, stat_fn, dir_errno):
            return path
    raise LookPathError(name, "executable file not found in $PATH")


def _find_executable(path: str, stat_fn: StatFn, dir_errno: int) -> str:
    """``findExecutable``'s error as text, "" for an executable file."""
    try:
        mode = stat_fn(path).st_mode
    except OSError as err:
        return str(PathError("stat", path, err.errno or errno.ENOENT))
    if stat.S_ISDIR(mode):
        return go_strerror(dir_errno)
    if mode & 0o111:
        return ""
    return go_strerror(errno.EACCES)
