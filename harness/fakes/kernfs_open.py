"""Opens of kernfs files go to the kernel's own handles, past pyfakefs' file machinery.

Every open of a file in pyfakefs ends in ``FakeFileOpen.call`` (builtin ``open``, ``io.open``,
``pathlib``, ``os.fdopen``, and ``os.open`` after its own checks).  :func:`install` puts a
front on it, and one on ``FakeOsModule.open``, both on the classes, so they serve every
filesystem; a filesystem a kernel is attached to (:func:`attach`) has its kernfs files opened
by the kernel (:class:`KernfsOpener`), and everything else (every other file, every filesystem
without a kernel) goes on to pyfakefs' own functions unchanged.

A path is looked up by walking directory entries when it is absolute and normalized (kernel
trees hold no symlinks), which is how the simulated runtimes name control files; any other path
is resolved by pyfakefs first, so a control file reached through a symlink or a relative path is
a kernfs open too.  ``os.open`` of a control file skips pyfakefs' checks for directories and its
chmod (kernfs files keep their modes).
"""

from __future__ import annotations

import errno
import inspect
import os
from collections.abc import Callable
from typing import Any
from typing import Protocol

from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.fake_open import FakeFileOpen
from pyfakefs.fake_os import FakeOsModule
from pyfakefs.helpers import _OpenModes

from harness.fakes.kernfs import KernfsFile
from harness.fakes.kernfs_io import KernfsHandle
from harness.fakes.kernfs_io import check_buffering
from harness.fakes.kernfs_io import python_file

__all__ = ["KernfsOpener", "attach", "install"]

#: the attribute of a FakeFilesystem that holds its kernel
_KERNEL = "rtgate_kernfs"
#: O_TMPFILE makes pyfakefs invent a name; such opens go to it
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
#: the flags, bound at import: under pyfakefs this module's ``os`` is the fake one, whose
#: attribute lookups cost a call each
_O_DIRECTORY, _O_CREAT, _O_EXCL = os.O_DIRECTORY, os.O_CREAT, os.O_EXCL
_O_WRONLY, _O_RDWR, _O_TRUNC, _O_APPEND = os.O_WRONLY, os.O_RDWR, os.O_TRUNC, os.O_APPEND
_PATH_LIKE = os.PathLike
#: the parameters of the functions the fronts are written against (pyfakefs 6.3)
_OS_OPEN_PARAMS = ("self", "path", "flags", "mode", "dir_fd")
_CALL_PARAMS = (
    "self", "file_", "mode", "buffering", "encoding", "errors", "newline", "closefd", "opener",
    "open_modes",
)  # fmt: skip


class KernfsOpener(Protocol):
    """The kernel's side: which path is a kernfs file, and opening one."""

    def kernfs_target(self, path: str, *, resolve: bool) -> tuple[KernfsFile, str] | None:
        """The kernfs file at ``path`` and its absolute path (``resolve``: also through
        pyfakefs' resolution)."""
        ...

    def kernfs_open(self, file: KernfsFile, path: str, modes: _OpenModes) -> KernfsHandle:
        """open(2) of ``file``: its checks, its view, a descriptor."""
        ...

    def kernfs_handle(self, fd: int) -> KernfsHandle | None:
        """The kernfs handle descriptor ``fd`` refers to, if it refers to one."""
        ...

    def kernfs_os_chmod_next(self, file: KernfsFile) -> None:
        """pyfakefs' os.open chmods the file it opened next: a kernfs file keeps its mode."""
        ...


def attach(fs: FakeFilesystem, kernel: KernfsOpener) -> None:
    """Open ``fs``'s kernfs files through ``kernel`` from now on (installs the fronts)."""
    install()
    setattr(fs, _KERNEL, kernel)


def _kernel_of(fs: FakeFilesystem) -> KernfsOpener | None:
    return fs.__dict__.get(_KERNEL)  # type: ignore[no-any-return]


_ORIGINALS: dict[str, Callable[..., Any]] = {}


def install() -> None:
    """Put the fronts on ``FakeOsModule.open`` and ``FakeFileOpen.call``, once.

    Raises:
        RuntimeError: pyfakefs' functions take other parameters than the ones the fronts were
            written against (kernfs files would be opened as plain files).
    """
    if _ORIGINALS:
        return
    os_open = FakeOsModule.open
    call = FakeFileOpen.call
    for name, function, want in (
        ("FakeOsModule.open", getattr(os_open, "__wrapped__", None), _OS_OPEN_PARAMS),
        ("FakeFileOpen.call", call, _CALL_PARAMS),
    ):
        got = tuple(inspect.signature(function).parameters) if function else ()
        if got != want:
            raise RuntimeError(f"pyfakefs' {name} takes {got}, not {want}: see {__name__}")
    _ORIGINALS.update(os_open=os_open, call=call)
    FakeOsModule.open = _os_open  # type: ignore[method-assign]
    FakeFileOpen.call = _call  # type: ignore[method-assign]


def _os_open(
    self: FakeOsModule,
    path: Any,
    flags: int,
    mode: int | None = None,
    *,
    dir_fd: int | None = None,
) -> int:
    """``os.open``: a control file by its normalized path is opened by the kernel."""
    fs = self.filesystem
    kernel = _kernel_of(fs)
    if (
        kernel is not None
        and dir_fd is None
        and isinstance(path, str)
        and not flags & _O_TMPFILE
        and not FakeOsModule.use_original
        and not (fs.has_patcher and fs.patcher.skip_names)
    ):
        found = kernel.kernfs_target(path, resolve=False)
        if found is not None:
            return _os_open_kernfs(fs, kernel, found, flags)
    return _ORIGINALS["os_open"](self, path, flags, mode, dir_fd=dir_fd)  # type: ignore[no-any-return]


def _os_open_kernfs(
    fs: FakeFilesystem, kernel: KernfsOpener, found: tuple[KernfsFile, str], flags: int
) -> int:
    """pyfakefs' ``os.open`` of an existing regular file, in its order of checks."""
    file, path = found
    if flags & _O_DIRECTORY:
        fs.raise_os_error(errno.ENOTDIR, path)
    modes = _OpenModes(
        not flags & _O_CREAT,
        not flags & _O_WRONLY,
        flags & (_O_RDWR | _O_WRONLY) != 0,
        flags & _O_TRUNC != 0,
        flags & _O_APPEND != 0,
        flags & _O_EXCL != 0,
    )  # must_exist, can_read, can_write, truncate, append, must_not_exist
    if modes.must_not_exist and modes.must_exist:
        raise NotImplementedError("O_EXCL without O_CREAT mode is not supported")
    if modes.must_not_exist:
        fs.raise_os_error(errno.EEXIST, path)
    handle = kernel.kernfs_open(file, path, modes)
    assert handle.filedes is not None
    return handle.filedes


def _call(
    self: FakeFileOpen,
    file_: Any,
    mode: str = "r",
    buffering: int = -1,
    encoding: str | None = None,
    errors: str | None = None,
    newline: str | None = None,
    closefd: bool = True,
    opener: Any = None,
    open_modes: _OpenModes | None = None,
) -> Any:
    """``FakeFileOpen.call``: a kernfs file, or a descriptor of one, is opened by the kernel."""
    kernel = _kernel_of(self.filesystem)
    args = (mode, buffering, encoding, errors, newline, closefd)
    if kernel is None or ("b" in mode and encoding):
        return _ORIGINALS["call"](self, file_, *args, opener, open_modes)
    newline, modes = self._handle_file_mode(mode, newline, open_modes)
    if opener is not None and opener.__module__ not in ("pathlib", "pathlib._local"):
        fd = opener(file_, self._open_flags_from_open_modes(modes))
        file_, opener = fd, lambda *_: fd  # pyfakefs' own open calls the opener once more
    if isinstance(file_, int):
        handle = kernel.kernfs_handle(file_)
        if handle is None or self.raw_io:
            return _ORIGINALS["call"](self, file_, *args, opener, open_modes)
        check_buffering(mode, buffering)
        text = None if "b" in mode else (encoding, errors, newline)
        return python_file(handle, mode, modes, buffering, text, closefd=closefd, name=file_)
    path = file_ if isinstance(file_, str) else _fspath(file_)
    found = kernel.kernfs_target(path, resolve=True) if path is not None else None
    if found is None:
        return _ORIGINALS["call"](self, file_, *args, opener, open_modes)
    file, path = found
    if opener is None and modes.must_not_exist:
        self.filesystem.raise_os_error(errno.EEXIST, file_)
    if self.raw_io:
        handle = kernel.kernfs_open(file, path, modes)
        kernel.kernfs_os_chmod_next(file)
        return handle
    check_buffering(mode, buffering)
    handle = kernel.kernfs_open(file, path, modes)
    text = None if "b" in mode else (encoding, errors, newline)
    try:
        return python_file(handle, mode, modes, buffering, text, closefd=True, name=file_)
    except Exception:
        handle.close()
        raise


def _fspath(file_: Any) -> str | None:
    """A path-like's str path; None for bytes and anything else (pyfakefs' open decides)."""
    if not isinstance(file_, _PATH_LIKE):
        return None
    path = file_.__fspath__()
    return path if isinstance(path, str) else None
