"""File helpers that behave the way the Go standard library behaves for libcontainer.

``remove_all`` is Go's ``os.RemoveAll`` of the seed's era (path based, Go 1.8/1.9): try
``Remove``; if that fails on a directory, remove its entries and try once more; return the first
error of the entries only if the directory itself still could not be removed.  This matters on
kernfs, where a cgroup or resctrl directory is removed by ``rmdir`` although its control files
cannot be unlinked.
"""

from __future__ import annotations

import errno
import os
import stat

from reference_impl.errors import PathError

__all__ = [
    "mkdir_all",
    "read_file",
    "remove",
    "remove_all",
    "secure_join",
    "write_failed",
    "write_file",
]

#: how many symlinks secure_join follows before it gives up (ELOOP)
_MAX_SYMLINKS = 255


def write_failed(data: object, name: str, err: object) -> str:
    """The text libcontainer gives a failed write of ``data`` to the file ``name``:
    ``fmt.Errorf("failed to write %v to %v: %v", ...)`` (692f6e1 cgroups/fs/apply_raw.go:315,
    cgroups/utils.go:458, intelrdt/intelrdt.go:309, 365)."""
    return f"failed to write {data} to {name}: {err}"


def remove(path: str) -> None:
    """Go's ``os.Remove``: unlink, else rmdir; report rmdir's error unless it was ENOTDIR."""
    try:
        os.unlink(path)
        return
    except OSError as unlink_err:
        first = unlink_err.errno or errno.EIO
    try:
        os.rmdir(path)
        return
    except OSError as rmdir_err:
        if rmdir_err.errno != errno.ENOTDIR:
            first = rmdir_err.errno or errno.EIO
    raise PathError("remove", path, first)


def remove_all(path: str) -> None:
    """Go's ``os.RemoveAll``: nothing to do if ``path`` is gone; raises the first error."""
    if not path:
        return
    try:
        remove(path)
        return
    except PathError as err:
        if err.errno == errno.ENOENT:
            return
        remove_error: PathError = err
    try:
        info = os.lstat(path)
    except OSError as err:
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            return
        raise PathError("lstat", path, err.errno or errno.EIO) from err
    if not stat.S_ISDIR(info.st_mode):
        raise remove_error
    first: OSError | None = None
    try:
        names = os.listdir(path)
    except OSError as err:
        if err.errno == errno.ENOENT:
            return
        raise PathError("open", path, err.errno or errno.EIO) from err
    for name in names:
        try:
            remove_all(os.path.join(path, name))
        except OSError as err:
            if first is None:
                first = err
    try:
        remove(path)
        return
    except PathError as err:
        if err.errno == errno.ENOENT:
            return
        if first is None:
            first = err
    raise first


def mkdir_all(path: str, mode: int) -> None:
    """Go's ``os.MkdirAll``: every missing level of ``path`` is made with ``mode`` (less the
    umask).  Python's ``os.makedirs`` gives the levels above the last the default 0777.

    Raises:
        OSError: the first level that could not be made, as its ``filename`` (ENOTDIR for a
            level that exists and is not a directory).
    """
    try:
        if stat.S_ISDIR(os.stat(path).st_mode):
            return
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
    except FileNotFoundError:
        pass
    parent = os.path.dirname(path.rstrip("/"))
    if parent and parent != path:
        mkdir_all(parent, mode)
    try:
        os.mkdir(path, mode)
    except OSError:
        if not os.path.isdir(path):  # made meanwhile by someone else: as good
            raise


def write_file(path: str, data: str, mode: int = 0o700) -> None:
    """``ioutil.WriteFile`` (``mode`` 0700, as runc's cgroup and resctrl writers pass it) or,
    with ``mode`` 0666, ``os.Create`` and a write: one open, one write, one close (what kernfs
    expects).

    Raises:
        PathError: "open <path>: ..." or "write <path>: ..." with the kernel's errno.
    """
    _open_and_write(path, data, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)


def write_control_file(path: str, data: str, flags: int = os.O_WRONLY) -> None:
    """runc's ``cgroups.OpenFile`` and a write, since v1.0.0: the file is opened as it is,
    never created, so a control file the kernel lacks is ENOENT (v1.2.0 cgroups/file.go:24-58;
    no openat2 is modelled, so the open's op is "open").

    Raises:
        PathError: "open <path>: ..." or "write <path>: ..." with the kernel's errno.
    """
    _open_and_write(path, data, flags, 0)


def _open_and_write(path: str, data: str, flags: int, mode: int) -> None:
    """One open, one write, one close (what kernfs expects), each failure as Go's *PathError."""
    try:
        fd = os.open(path, flags, mode)
    except OSError as err:
        raise PathError("open", path, err.errno or errno.EIO) from err
    try:
        os.write(fd, data.encode())
    except OSError as err:
        raise PathError("write", path, err.errno or errno.EIO) from err
    finally:
        try:
            os.close(fd)
        except OSError:
            pass


def read_file(path: str) -> str:
    """``ioutil.ReadFile`` as text.  Raises ``OSError`` as ``open`` does."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def read_file_go(path: str) -> str:
    """``ioutil.ReadFile`` as text, failing as Go does: a missing file raises
    ``FileNotFoundError`` as it is (callers treat it as "gone"), any other failure Go's
    ``*PathError`` of the step that failed, "open <path>: ..." or "read <path>: ..."."""
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise
    except OSError as err:
        raise PathError("open", path, err.errno or errno.EIO) from err
    with f:
        try:
            return f.read()
        except OSError as err:
            raise PathError("read", path, err.errno or errno.EIO) from err


def secure_join(root: str, unsafe: str) -> str:
    """``securejoin.SecureJoin``: ``unsafe`` joined to ``root`` with every symlink on the way
    resolved as if ``root`` were "/", so the result never leaves ``root``; a missing component
    is taken as it is (github.com/cyphar/filepath-securejoin, as runc vendors it).

    Raises:
        PathError: "SecureJoin <path>: too many levels of symbolic links" after 255 links, or
            the Lstat's or Readlink's error other than not-exist.
    """
    root = os.path.normpath(root)
    resolved: list[str] = []  # the components so far, none of them a symlink
    pending = unsafe.split("/")
    links = 0
    while pending:
        part = pending.pop(0)
        scoped = os.path.normpath("/" + "/".join([*resolved, part]))
        if scoped == "/":
            resolved = []
            continue
        full = os.path.normpath(root + scoped)
        try:
            is_link = stat.S_ISLNK(os.lstat(full).st_mode)
        except FileNotFoundError:
            is_link = False
        except OSError as err:
            raise PathError("lstat", full, err.errno or errno.EIO) from err
        if not is_link:
            resolved = scoped.strip("/").split("/")
            continue
        links += 1
        if links > _MAX_SYMLINKS:
            raise PathError("SecureJoin", os.path.join(root, unsafe), errno.ELOOP)
        target = os.readlink(full)
        if target.startswith("/"):
            resolved = []
        pending = target.split("/") + pending
    return os.path.normpath(root + os.path.normpath("/" + "/".join(resolved)))
