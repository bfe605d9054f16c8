"""A kernfs file on pyfakefs: a directory entry whose content the model renders and whose writes
the model acts on.

Nothing is stored.  Opens of a kernfs file never reach pyfakefs' file wrappers: the kernel opens
it (:mod:`harness.fakes.kernfs_open`), renders its view once per open (as ``seq_file`` does) and
hands each write(2) to the model (:mod:`harness.fakes.kernfs_ops`, :mod:`harness.fakes.kernfs_io`).
This class holds what a file is: its handlers, its mode bits, whether it was removed.
"""

from __future__ import annotations

import contextlib
import errno
import stat
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from pyfakefs import helpers
from pyfakefs.fake_file import FakeDirectory
from pyfakefs.fake_file import FakeFile

if TYPE_CHECKING:
    from pyfakefs.fake_filesystem import FakeFilesystem

__all__ = ["ControlFile", "KernfsDirectory", "KernfsFile", "Show", "Store"]

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
        spec: ControlFile,
    ) -> None:
        mode = (0o444 if spec.show is not None else 0) | (0o200 if spec.store is not None else 0)
        mode = mode if spec.mode is None else spec.mode
        super().__init__(name, st_mode=stat.S_IFREG | mode, contents=b"", filesystem=filesystem)
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

    def set_contents(self, contents: Any, encoding: str | None = None) -> bool:
        """Never called: writes go to the kernel, not into pyfakefs' file contents."""
        raise AssertionError(f"pyfakefs wrote into the kernfs file {self.where}")


class KernfsDirectory(FakeDirectory):
    """A directory the kernel makes (a cgroup, a resctrl group) whose control files are made
    when something first looks into it, as pyfakefs' directories of the real filesystem load
    theirs: a cgroup made and removed unseen (and most of a v1 cgroup's dozens of files) costs
    no pyfakefs file.  What the files would have had when the directory was made they get then:
    their inode numbers (reserved), the directory's link count (counted at once), their owner
    and times.  Any look (a lookup of a name in it, a listing, an entry added) makes them all,
    in the order the model lists them, before anything else is added."""

    def __init__(self, name: str, perm_bits: int, filesystem: FakeFilesystem) -> None:
        super().__init__(name, perm_bits, filesystem)
        #: files not made yet, by name in the model's order: each spec with its inode number
        self._deferred: dict[str, tuple[ControlFile, int]] = {}
        #: every control file's name, in the model's order (a listing's order)
        self._order: dict[str, None] = {}
        self._deferred_by: tuple[int, int, int] = (0, 0, 0)
        #: True while pyfakefs adds or removes a child: its ``add_entry`` and ``remove_entry``
        #: look at ``entries``, which must then not make the deferred files
        self._made_only = False

    def defer(self, files: list[ControlFile]) -> None:
        """Count ``files`` in now (inode numbers, link count); make them at the first look."""
        fs = self.filesystem
        first = fs.last_ino + 1
        fs.last_ino += len(files)
        for i, spec in enumerate(files):
            self._deferred[spec.name] = (spec, first + i)
            self._order.setdefault(spec.name)  # a file made anew keeps its place
        self.st_nlink += len(files)
        self._deferred_by = (helpers.get_uid(), helpers.get_gid(), int(helpers.now() * 1e9))

    def forget_deferred(self) -> None:
        """The directory is being removed: its unmade files go with it, never made."""
        self.st_nlink -= len(self._deferred)
        self._deferred = {}

    @property
    def made_entries(self) -> dict[str, FakeFile]:
        """The entries made so far, without making the deferred ones."""
        return self._entries

    @property
    def entries(self) -> dict[str, FakeFile]:
        """The directory's entries, its control files made first if they are still
        deferred."""
        if self._deferred and not self._made_only:
            self._make_deferred()
        return self._entries

    def entry(self, name: str) -> FakeFile | None:
        """The entry ``name``, or None; a deferred control file of that name is made, and it
        alone (a lookup of one file, the common look, makes no other)."""
        found = self._entries.get(name)
        if found is not None or not self._deferred:
            return found
        pending = self._deferred.pop(name, None)
        return None if pending is None else self._make(*pending)

    def add_entry(self, path_object: FakeFile) -> None:
        """Add a child (a sub-group, a file made one by one) without making the deferred
        files: a name among them is taken (EEXIST), and the listing puts them first anyway."""
        if path_object.name in self._deferred:
            self.filesystem.raise_os_error(errno.EEXIST, self.path)
        with self._unmade_left_alone():
            super().add_entry(path_object)

    def remove_entry(self, pathname_name: str, recursive: bool = True) -> None:
        """Remove a made child (a sub-group) without making the deferred files; a deferred
        name goes through pyfakefs' own removal, which makes them all first."""
        if pathname_name not in self._entries:
            super().remove_entry(pathname_name, recursive)
            return
        with self._unmade_left_alone():
            super().remove_entry(pathname_name, recursive)

    @contextlib.contextmanager
    def _unmade_left_alone(self) -> Iterator[None]:
        """pyfakefs' add and remove look at ``entries``: let them see the made ones only."""
        before, self._made_only = self._made_only, True
        try:
            yield
        finally:
            self._made_only = before

    def _make(self, spec: ControlFile, ino: int) -> KernfsFile:
        uid, gid, when = self._deferred_by
        file = KernfsFile(spec.name, self.filesystem, spec)
        file.st_ino = ino
        result = file.stat_result
        result.st_uid, result.st_gid = uid, gid
        result.st_atime_ns = result.st_mtime_ns = result.st_ctime_ns = when
        with self._unmade_left_alone():
            FakeDirectory.add_entry(self, file)
        self.st_nlink -= 1  # counted when deferred
        return file

    def _make_deferred(self) -> None:
        """Make every deferred file; the entries are then in the model's order, those that
        single lookups made first included (nothing else is added before this runs)."""
        deferred, self._deferred = self._deferred, {}
        others = bool(self._entries)  # made one by one, or sub-groups added since
        for spec, ino in deferred.values():
            self._make(spec, ino)
        if others:  # the control files first, in the model's order, then the rest
            made = dict(self._entries)
            self._entries.clear()
            for name in self._order:
                if name in made:  # not one that was removed since
                    self._entries[name] = made.pop(name)
            self._entries.update(made)
