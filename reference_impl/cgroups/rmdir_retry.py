"""runc's ``RemovePath``: rmdir, sub-groups first, then rmdir again; in 1.2 with retries.

The seed removes with five rounds of ``RemoveAll`` (:func:`reference_impl.cgroups.fs.remove_paths`).
runc v1.2.0 ``libcontainer/cgroups/utils.go:228-289`` tries one rmdir, removes the sub-groups,
then rmdirs again, retrying EBUSY ten times with a delay that starts at 1 ms and doubles, and
EINTR at once.  runc v1.1.5's rmdir retries nothing (utils.go:229-262), and its cgroup v2
Destroy is one ``RemovePath`` (fs2/fs2.go:142-144).
"""

from __future__ import annotations

import errno
import os

from reference_impl.cgroups.fs import CgroupError
from reference_impl.cgroups.fs import go_map
from reference_impl.errors import go_strerror
from reference_impl.system import System

__all__ = ["remove_each_path", "remove_each_path_once", "remove_path", "remove_paths_retrying"]

#: EBUSY retries of the last rmdir, and the first delay between them (utils.go:229-230)
RETRIES = 10
FIRST_DELAY = 0.001


def _rmdir(path: str, system: System, retry: bool, interrupted: bool = True) -> None:
    """``rmdir``: gone already is success; EINTR is tried again (``interrupted``: runc 1.2);
    EBUSY with ``retry``."""
    delay, tries = FIRST_DELAY, RETRIES
    while True:
        try:
            os.rmdir(path)
            return
        except OSError as err:
            if err.errno == errno.ENOENT:
                return
            if err.errno == errno.EINTR and interrupted:
                continue
            if err.errno == errno.EBUSY and retry and tries > 0:
                system.sleep(delay)
                delay *= 2
                tries -= 1
                continue
            raise CgroupError(f"rmdir {path}: {go_strerror(err.errno)}") from err


def remove_path(path: str, system: System, retries: bool = True) -> None:
    """``RemovePath`` (utils.go:253-275): the fast rmdir, else sub-groups, then rmdir with
    retries (``retries``: runc 1.2's; v1.1.5 has none).

    Raises:
        CgroupError: "rmdir <path>: <errno text>" for the first directory that stays.
    """
    try:
        _rmdir(path, system, retry=False, interrupted=retries)
        return
    except CgroupError:
        pass
    try:
        entries = sorted(e.name for e in os.scandir(path) if e.is_dir(follow_symlinks=False))
    except FileNotFoundError:
        if not retries:
            return  # v1.1.5 utils.go:245-251: a group gone meanwhile is removed
        entries = []
    except OSError as err:
        raise CgroupError(f"open {path}: {go_strerror(err.errno)}") from err
    for name in entries:
        remove_path(os.path.join(path, name), system, retries)
    _rmdir(path, system, retry=retries, interrupted=retries)


def remove_paths_retrying(paths: dict[str, str], system: System) -> None:
    """``RemovePaths`` (utils.go:278-289): each path once; what stays is kept in ``paths``.

    Raises:
        CgroupError: "Failed to remove paths: map[...]" when some remain.
    """
    for name, path in list(paths.items()):
        try:
            remove_path(path, system)
        except CgroupError:
            continue
        del paths[name]
    if paths:
        raise CgroupError(f"Failed to remove paths: {go_map(paths)}")


def remove_each_path(paths: dict[str, str], system: System) -> None:
    """fs2 ``Destroy`` = ``RemovePath(dirPath)`` (fs2/fs2.go:157-159): the rmdir error itself."""
    for path in paths.values():
        remove_path(path, system)


def remove_each_path_once(paths: dict[str, str], system: System) -> None:
    """runc 1.1's fs2 ``Destroy``: one ``RemovePath`` without retries (v1.1.5 fs2/fs2.go:142-144,
    cgroups/utils.go:229-262), its rmdir error as it is."""
    for path in paths.values():
        remove_path(path, system, retries=False)
