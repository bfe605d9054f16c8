"""A kernfs file on pyfakefs: rendered from model state on every open, acting on every write.

Nothing is stored.  How pyfakefs drives a ``FakeFile`` (reference §3) and what this class does:

* ``open`` sets ``opened_as`` just before it builds its wrapper: the next ``byte_contents`` read
  renders a fresh view (one read of the kernel file per open, as ``seq_file`` does), and closing
  the handle sees that same view again.
* An ``O_TRUNC`` open calls ``set_contents("")`` first: ignored (kernfs has no truncate), and the
  wrapper then starts from an empty buffer instead of a rendering, so nothing is rendered for it.
  A handle that wrote nothing also flushes ``""`` when it closes: that is not a truncate and
  must not blank the next open's view.
* Writes reach ``set_contents`` with everything written through the handle so far; the payload is
  the part after the handle's flush position (after the view, for ``O_APPEND`` handles).
* Errors are raised by the kernel (``KernfsHost``) through ``fs.raise_os_error``; one its
  rendering of a view gives (e.g. EOPNOTSUPP for cgroup.procs of a threaded cgroup) is kept as
  ``view_error`` and raised by each read of that open, as the kernel's seq_file does.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from pyfakefs.fake_file import FakeFile
from pyfakefs.fake_file import FakeFileWrapper

if TYPE_CHECKING:
    from pyfakefs.fake_filesystem import FakeFilesystem

__all__ = ["ControlFile", "KernfsFile", "KernfsHost", "Show", "Store"]

#: renders the file's current text
Show = Callable[[], str]
#: acts on one write's payload; raises KernelErrno to reject it
Store = Callable[[bytes], None]


@dataclass(frozen=True, slots=True)
class ControlFile:
    """What a model says a control file is: its name, how to read it, how to write it."""

    name: str
    #: None: write-only (reading it is EINVAL on cgroupfs; opening it for reading is EACCES on
    #: resctrl)
    show: Show | None
    #: None: read-only (writing it is EINVAL on cgroupfs; opening it for writing is EACCES on
    #: resctrl)
    store: Store | None = None
    #: the mode bits when they differ from what the handlers imply (``memory.pressure_level`` is
    #: 0444 yet has neither: it only names a pressure event for ``cgroup.event_control``)
    mode: int | None = None


class KernfsHost(Protocol):
    """The kernel side of a kernfs file: logging, faults, errno conversion."""

    def kernfs_read(self, file: KernfsFile) -> bytes:
        """Render ``file`` for a new open."""
        ...

    def kernfs_write(self, file: KernfsFile, payload: bytes) -> None:
        """Dispatch one write; raises OSError when the kernel rejects it."""
        ...


class KernfsFile(FakeFile):
    """A control file of cgroupfs or resctrl; ``st_size`` is 0 like kernfs."""

    #: pyfakefs forwards these attributes to ``stat_result`` and tests every attribute set or
    #: missed against them: a set answers the same as its tuple, sooner (a boot makes hundreds of
    #: these files, each with a dozen attribute sets)
    stat_types = frozenset(FakeFile.stat_types)  # type: ignore[assignment]

    def __init__(
        self,
        name: str,
        filesystem: FakeFilesystem,
        host: KernfsHost,
        spec: ControlFile,
    ) -> None:
        mode = (0o444 if spec.show is not None else 0) | (0o200 if spec.store is not None else 0)
        mode = mode if spec.mode is None else spec.mode
        self._fresh = False
        self._truncating = False
        self._view = b""
        #: the errno the kernel's rendering of this open's view gave: seq_file's start and
        #: show run at read(2), so the open succeeds and each read fails with it
        self.view_error: int | None = None
        super().__init__(name, st_mode=stat.S_IFREG | mode, contents=b"", filesystem=filesystem)
        self.host = host
        self.spec = spec
        #: False once the directory holding the file is removed (stale handles get ENODEV)
        self.alive = True
        self._dead_path = ""

    @property
    def path(self) -> str:
        """pyfakefs' ``FakeFile.path`` without its final re-normalization, which costs more than
        the walk (logs and checks ask for the path of every control file opened or removed):
        the names of a directory chain up to the root join into a normalized path already.  A
        chain that does not reach the root gets pyfakefs' own answer."""
        names: list[str] = []
        obj: FakeFile | None = self
        while obj is not None:
            names.append(obj.name)
            parent = obj.parent_dir
            obj = parent() if parent is not None else None
        if names[-1] != "/":
            return str(FakeFile.path.fget(self))  # type: ignore[attr-defined]
        names.pop()
        return "/" + "/".join(reversed(names))

    def kill(self) -> None:
        """The file's directory (or the file) is going away: remember where it was."""
        self._dead_path = self.path
        self.alive = False

    @property
    def where(self) -> str:
        """The file's absolute path, also after it was removed (for logs and errors)."""
        return self.path if self.alive else self._dead_path

    @property
    def writable(self) -> bool:
        """Whether the file has a write handler (mode 0200)."""
        return self.spec.store is not None

    @property
    def readable(self) -> bool:
        """Whether the file has a read handler (mode 0444)."""
        return self.spec.show is not None

    @property
    def opened_as(self) -> Any:
        """The path the file was last opened as (pyfakefs sets it at every open)."""
        return self.__dict__.get("_opened_as", "")

    @opened_as.setter
    def opened_as(self, value: Any) -> None:
        self.__dict__["_opened_as"] = value
        self._fresh = False

    @property
    def byte_contents(self) -> bytes:
        """The view of this open, rendered once per open."""
        if self._truncating:
            self._truncating = False
            return b""
        if not self._fresh:
            self._fresh = True
            if self.alive and self.readable:
                try:
                    self._view, self.view_error = self.host.kernfs_read(self), None
                except OSError as err:
                    self._view, self.view_error = b"", err.errno
        return self._view

    def set_contents(self, contents: Any, encoding: str | None = None) -> bool:
        """Act on one write; an empty one is the O_TRUNC of an open and does nothing."""
        data = contents.encode() if isinstance(contents, str) else bytes(contents)
        if not data:
            self._truncating = not self._flushing_empty()
            return False
        payload = self._payload(data)
        if payload:
            self.host.kernfs_write(self, payload)
        return False

    def _handles(self) -> list[FakeFileWrapper]:
        """The open handles of this file."""
        return [
            handle
            for handles in self.filesystem.open_files
            for handle in handles or ()
            if isinstance(handle, FakeFileWrapper) and handle.file_object is self
        ]

    def _flushing_empty(self) -> bool:
        """True when an open writing handle with nothing written is flushing (closing)."""
        return any(h.allow_update and not h._io.getvalue() for h in self._handles())

    def reset_handle(self, wrapper: FakeFileWrapper) -> None:
        """Give a new writing handle an empty buffer, so writes are not merged with a view."""
        wrapper._io.seek(0)
        wrapper._io.truncate()
        wrapper._flush_pos = 0

    def _payload(self, data: bytes) -> bytes:
        """The bytes of this write: what the writing handle holds beyond its last flush."""
        for handle in self._handles():
            if handle._io.getvalue() != data:
                continue
            if handle.open_modes.append:
                return data.removeprefix(self._view)
            return data[handle._flush_pos :]
        return data
