"""An open kernfs file: one light open file description per open(2), and the Python file
objects ``open()`` builds on it, instead of pyfakefs' buffered file wrappers.

A :class:`KernfsHandle` is what a file descriptor of a control file refers to: the view the open
rendered, an offset, the open's modes.  Each ``write(2)`` through it is one call of the kernel's
write path (one ``store`` of the model), each ``read(2)`` a slice of the view after the kernel's
read checks.  pyfakefs' ``os.read``/``os.write``/``os.close``/``os.fstat``/``os.lseek``/``os.dup``
find it by descriptor (``FakeFilesystem.get_open_file``) and dispatch on ``FakeFileWrapper``, so
it is one in type; the wrapper's constructor, buffer and flush logic are not used.

``open()`` of a control file gives the io stack a real open gives (``TextIOWrapper`` over a
buffered reader or writer over a raw file), with :class:`KernfsRaw` as the raw file.  The
kernel's read checks (fault plan, ENODEV of a removed file, EINVAL without a read handler, the
view's errno) run once per ``read``/``readline``/``readlines``/``read1``/``readinto`` call on
the object the caller holds; iterating over lines does not run them.  Objects that are dropped
unclosed do nothing when collected: pyfakefs' wrappers never wrote or closed then either.
"""

from __future__ import annotations

import errno
import io
import os
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any
from typing import NoReturn
from typing import Protocol

from pyfakefs.fake_file import FakeFileWrapper
from pyfakefs.helpers import _OpenModes

if TYPE_CHECKING:
    from pyfakefs.fake_filesystem import FakeFilesystem

    from harness.fakes.kernfs import KernfsFile

__all__ = ["KernfsHandle", "KernfsKernel", "KernfsRaw", "python_file"]

#: bound at import: under pyfakefs this module's ``os`` is the fake one
_SEEK_SET, _SEEK_CUR, _SEEK_END = os.SEEK_SET, os.SEEK_CUR, os.SEEK_END


class KernfsKernel(Protocol):
    """The kernel side of an open kernfs file."""

    fs: FakeFilesystem

    def kernfs_read_check(self, handle: KernfsHandle) -> None:
        """The checks of one read: raises OSError (logged) when the read fails."""
        ...

    def kernfs_write(self, handle: KernfsHandle, payload: bytes) -> None:
        """One write(2); raises OSError when the kernel rejects it."""
        ...


class KernfsHandle(FakeFileWrapper):
    """One open file description of a kernfs file (its ``__init__`` replaces pyfakefs')."""

    def __init__(  # pylint: disable=super-init-not-called
        self,
        kernel: KernfsKernel,
        file: KernfsFile,
        path: str,
        modes: _OpenModes,
        view: bytes,
        view_error: int | None,
    ) -> None:
        self.kernel = kernel
        self.file_object = file
        #: the absolute path the file had when it was opened (for logs and errors)
        self.file_path = path
        self.name = path
        self.open_modes = modes
        self.allow_update = bool(modes.can_write)
        self.raw_io = True
        self.opened_as_fd = False
        self.is_stream = False
        self.delete_on_close = False
        self.filedes: int | None = None
        #: what the open rendered, and the errno its rendering gave (each read fails with it)
        self.view = view
        self.view_error = view_error
        self.pos = 0

    @property
    def filesystem(self) -> FakeFilesystem:
        """The fake filesystem the descriptor table is in."""
        return self.kernel.fs

    @property
    def mode(self) -> str:
        """The open's access mode, as a binary mode string."""
        return _raw_mode(self.open_modes)

    @property
    def closed(self) -> bool:
        """True once no descriptor refers to the handle's first one."""
        return not self._is_open()

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)

    def _is_open(self) -> bool:
        return self._holds(self.filedes)

    def _holds(self, fd: int | None) -> bool:
        files = self.kernel.fs.open_files
        if fd is None or not 0 <= fd < len(files):
            return False
        slot = files[fd]
        return slot is not None and self in slot

    def _ebadf(self) -> NoReturn:
        self.kernel.fs.raise_os_error(errno.EBADF, self.file_path)

    # -- the system calls pyfakefs' os module makes on a descriptor -------------------------
    def get_object(self) -> KernfsFile:
        """The file (``os.fstat``)."""
        return self.file_object

    def fileno(self) -> int:
        """The descriptor the open returned."""
        if self.filedes is None:
            self._ebadf()
        return self.filedes

    def close(self) -> None:
        """Close the descriptor the open returned."""
        self.close_fd(self.filedes)

    def close_fd(self, fd: int | None) -> None:
        """close(2) of ``fd``; a descriptor that is not this handle's is left alone."""
        if self._holds(fd):
            assert fd is not None
            self.kernel.fs.close_open_file(fd)

    def read(self, size: int = -1) -> bytes:
        """read(2): EBADF unless open for reading, then the kernel's checks, then the view."""
        if not self.open_modes.can_read:
            self._ebadf()
        self.kernel.kernfs_read_check(self)
        return self.take(size)

    def take(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the view from the offset on (all for a negative size)."""
        if not self.open_modes.can_read:
            self._ebadf()
        start = self.pos
        data = self.view[start:] if size is None or size < 0 else self.view[start : start + size]
        self.pos = start + len(data)
        return data

    def write(self, data: Any) -> int:
        """write(2): EBADF unless open for writing; a non-empty one goes to the kernel."""
        if not self.open_modes.can_write:
            self._ebadf()
        payload = bytes(data)
        if payload:
            self.kernel.kernfs_write(self, payload)
        self.pos += len(payload)
        return len(payload)

    def seek(self, offset: int, whence: int = _SEEK_SET) -> int:
        """lseek(2) within the view."""
        bases = {_SEEK_SET: 0, _SEEK_CUR: self.pos, _SEEK_END: len(self.view)}
        if whence not in bases or bases[whence] + offset < 0:
            self.kernel.fs.raise_os_error(errno.EINVAL, self.file_path)
        self.pos = bases[whence] + offset
        return self.pos

    def tell(self) -> int:
        """The offset."""
        return self.pos

    def flush(self) -> None:
        """Nothing: every write went to the kernel already."""

    def _sync_io(self) -> None:
        """Nothing to sync: the view is the open's own."""

    def update_flush_pos(self) -> None:
        """Nothing: no buffer."""

    def readable(self) -> bool:
        """Whether the open was for reading."""
        return bool(self.open_modes.can_read)

    def writable(self) -> bool:
        """Whether the open was for writing."""
        return bool(self.open_modes.can_write)

    def seekable(self) -> bool:
        """kernfs files are seekable."""
        return True


class KernfsRaw(io.RawIOBase):
    """The raw file under ``open()``'s buffers, as ``FileIO`` is over a real descriptor."""

    def __init__(
        self, handle: KernfsHandle, modes: _OpenModes, *, closefd: bool, name: Any
    ) -> None:
        super().__init__()
        self.handle = handle
        self.name = name
        self.mode = _raw_mode(modes)
        self._modes = modes
        assert handle.filedes is not None
        self._fd = handle.filedes
        self._closefd = closefd

    def __del__(self) -> None:
        """Collected unclosed: the descriptor stays (as with pyfakefs' own wrappers)."""

    def readable(self) -> bool:
        self._checkClosed()  # type: ignore[attr-defined]
        return bool(self._modes.can_read)

    def writable(self) -> bool:
        self._checkClosed()  # type: ignore[attr-defined]
        return bool(self._modes.can_write)

    def seekable(self) -> bool:
        self._checkClosed()  # type: ignore[attr-defined]
        return True

    def fileno(self) -> int:
        self._checkClosed()  # type: ignore[attr-defined]
        return self._fd

    def readinto(self, buffer: Any) -> int:
        data = self.handle.take(len(memoryview(buffer)))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        return self.handle.take(-1)

    def write(self, data: Any) -> int:
        self._checkClosed()  # type: ignore[attr-defined]
        if not self._modes.can_write:
            raise io.UnsupportedOperation("File not open for writing")
        return self.handle.write(data)

    def seek(self, offset: int, whence: int = _SEEK_SET) -> int:
        self._checkClosed()  # type: ignore[attr-defined]
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        self._checkClosed()  # type: ignore[attr-defined]
        return self.handle.pos

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._closefd:
                self.handle.close_fd(self._fd)
        finally:
            super().close()


def _raw_mode(modes: _OpenModes) -> str:
    """The mode ``FileIO`` reports for an open with these modes."""
    if modes.must_not_exist:
        return "xb+" if modes.can_read else "xb"
    if modes.append:
        return "ab+" if modes.can_read else "ab"
    if modes.can_read:
        return "rb+" if modes.can_write else "rb"
    return "wb"


# -- the file objects open() returns --------------------------------------------------------
class _ReadChecked:
    """The kernel's read checks once per read call of the object the caller holds.

    ``_base`` is the io class below the mixin: the checked methods call its own unchecked
    ones, so a ``readlines`` or a line iteration never checks once per line."""

    _base: Any = io.IOBase
    #: the handle whose checks run; None when the object is not open for reading (its io
    #: class refuses the read itself)
    kernfs_handle: KernfsHandle | None = None

    def __del__(self) -> None:
        """Collected unclosed: nothing is flushed or closed (as with pyfakefs' wrappers)."""

    def _check_read(self) -> None:
        handle = self.kernfs_handle
        if handle is not None:
            handle.kernel.kernfs_read_check(handle)

    def read(self, *args: Any) -> Any:
        self._check_read()
        return self._base.read(self, *args)

    def readline(self, *args: Any) -> Any:
        self._check_read()
        return self._base.readline(self, *args)

    def readlines(self, hint: int | None = -1) -> list[Any]:
        self._check_read()
        return _lines(lambda: self._base.readline(self), hint)

    def __next__(self) -> Any:
        line = self._base.readline(self)
        if not line:
            raise StopIteration
        return line


class _BinaryReadChecked(_ReadChecked):
    """The checks of a buffered binary file, whose ``read1`` and ``readinto`` read too."""

    def read1(self, *args: Any) -> Any:
        self._check_read()
        return self._base.read1(self, *args)

    def readinto(self, buffer: Any) -> Any:
        self._check_read()
        return self._base.readinto(self, buffer)


class _Text(_ReadChecked, io.TextIOWrapper):
    _base = io.TextIOWrapper


class _Reader(_BinaryReadChecked, io.BufferedReader):
    _base = io.BufferedReader


class _Random(_BinaryReadChecked, io.BufferedRandom):
    _base = io.BufferedRandom


class _Writer(io.BufferedWriter):
    def __del__(self) -> None:
        """Collected unclosed: nothing is flushed or closed (as with pyfakefs' wrappers)."""


class _Unbuffered(KernfsRaw):
    """``open(..., "rb", buffering=0)``: the raw file itself, with the read checks."""

    kernfs_handle: KernfsHandle | None = None

    def _check_read(self) -> None:
        self._checkClosed()  # type: ignore[attr-defined]
        if self.kernfs_handle is None:
            raise io.UnsupportedOperation("File not open for reading")
        self.kernfs_handle.kernel.kernfs_read_check(self.kernfs_handle)

    def read(self, size: int | None = -1) -> bytes:
        self._check_read()
        return self.handle.take(-1 if size is None else size)

    def readall(self) -> bytes:
        self._check_read()
        return self.handle.take(-1)

    def readinto(self, buffer: Any) -> int:
        self._check_read()
        return super().readinto(buffer)

    def readline(self, size: int | None = -1) -> bytes:
        self._check_read()
        return _view_line(self.handle, size)

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        self._check_read()
        return _lines(lambda: _view_line(self.handle, -1), hint)

    def __next__(self) -> bytes:
        line = _view_line(self.handle, -1)
        if not line:
            raise StopIteration
        return line


def _view_line(handle: KernfsHandle, size: int | None) -> bytes:
    """The view's next line from the offset on (at most ``size`` bytes)."""
    rest = handle.view[handle.pos :]
    end = rest.find(b"\n") + 1 or len(rest)
    if size is not None and 0 <= size < end:
        end = size
    return handle.take(end)


def _lines(next_line: Callable[[], Any], hint: int | None) -> list[Any]:
    """``IOBase.readlines``: lines until the end, or until they hold ``hint`` characters."""
    lines: list[Any] = []
    total = 0
    while line := next_line():
        lines.append(line)
        total += len(line)
        if hint is not None and 0 < hint <= total:
            break
    return lines


def check_buffering(mode: str, buffering: int) -> None:
    """What ``open()`` refuses before it opens anything.

    Raises:
        ValueError: unbuffered text I/O.
    """
    if buffering == 0 and "b" not in mode:
        raise ValueError("can't have unbuffered text I/O")


def python_file(
    handle: KernfsHandle,
    mode: str,
    modes: _OpenModes,
    buffering: int,
    text: tuple[str | None, str | None, str | None] | None,
    *,
    closefd: bool,
    name: Any,
) -> Any:
    """The file object ``open(..., mode, buffering)`` returns for a descriptor of ``handle``
    (``modes`` parsed from ``mode``), layered as a real ``open()`` layers it; ``text`` is
    (encoding, errors, newline), None for binary mode."""
    if buffering == 1 and text is None:
        warnings.warn(
            "line buffering (buffering=1) isn't supported in binary mode, the default buffer "
            "size will be used",
            RuntimeWarning,
            stacklevel=4,
        )
    size = io.DEFAULT_BUFFER_SIZE if buffering in (-1, 1) else buffering
    reads = handle if modes.can_read else None
    if size == 0:
        raw = _Unbuffered(handle, modes, closefd=closefd, name=name)
        raw.kernfs_handle = reads
        return raw
    layer = _Writer if modes.can_write else _Reader
    if modes.can_read and modes.can_write:
        layer = _Random
    buffered = layer(KernfsRaw(handle, modes, closefd=closefd, name=name), size)
    if text is None:
        if isinstance(buffered, _ReadChecked):
            buffered.kernfs_handle = reads  # the text layer's reads check, not its buffer's
        return buffered
    encoding, errors, newline = text
    wrapper = _Text(buffered, encoding, errors, newline, line_buffering=buffering == 1)
    wrapper.kernfs_handle = reads
    wrapper.mode = mode  # type: ignore[misc]
    return wrapper
