"""Path lookups on the kernel's filesystem without pyfakefs' path parsing, where the answer is
provably pyfakefs' own.

pyfakefs answers every ``exists``, ``stat``, ``open`` and ``mkdir`` by normalizing the path
(several string passes), splitting it and walking the components, and the same path is often
resolved three or four times per call; a runtime's directory work is mostly that.  For a *clean*
path on this filesystem the walk of directory entries gives the same answer directly:

* the path is a ``str``, absolute and normalized: no empty, ``.`` or ``..`` component and no
  trailing separator (names starting with a dot are left to pyfakefs too, a cheaper test);
* the walk meets no symlink among the components it looks at;
* the filesystem is a case-sensitive Linux one with ``/`` as its only separator (checked when
  these are installed; the kernel sets it so at boot);
* for the lookups that check permissions, the user is root, for whom pyfakefs checks none.

Then ``resolve_path(p)`` is ``p`` (resolution only removes dot and empty components, makes a
path absolute and follows symlinks; at a missing name, or a name under a file, it stops and
keeps the rest), ``absnormpath(p)`` is ``p``, ``exists(p)`` is whether the walk finds an object,
``get_object_from_normpath(p)`` is that object (ENOTDIR for a name under a file, ENOENT for a
missing one), and ``lresolve(p)`` is the entry of the parent's lookup (whose errno is raised
for the parent's path; ENOTDIR for a parent that is a file, ENOENT for a missing entry).
``/dev/null`` is pyfakefs' own answer.  Every other call goes to pyfakefs.
"""

from __future__ import annotations

import errno
import stat
from collections.abc import Callable
from typing import Any

from pyfakefs.fake_file import FakeDirectory
from pyfakefs.fake_file import FakeFile
from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.helpers import is_root

from harness.fakes.kernfs import KernfsDirectory
from harness.fakes.kernfs import KernfsFile

__all__ = ["LINK", "clean", "install", "walk"]

#: what a walk answers when pyfakefs must: it met a symlink
LINK = object()


def clean(path: Any) -> bool:
    """Whether ``path`` is a str that is absolute and normalized (and names no dot file)."""
    return (
        type(path) is str
        and path[:1] == "/"
        and "//" not in path
        and "/." not in path
        and (path[-1:] != "/" or path == "/")
    )


def entry_of(directory: FakeDirectory, name: str) -> FakeFile | None:
    """The entry ``name`` of ``directory``, or None: a kernel directory makes that one control
    file alone (a listing makes them all)."""
    if type(directory) is KernfsDirectory:
        return directory.entry(name)
    return directory.entries.get(name)


def walk(fs: FakeFilesystem, path: str) -> FakeFile | int | object:
    """The object at clean ``path``; else the errno pyfakefs' object lookup raises (ENOTDIR
    for a name under a file, ENOENT for a missing name), or LINK at a symlink."""
    node: FakeFile = fs.root
    if path == "/":
        return node
    for name in path[1:].split("/"):
        if not isinstance(node, FakeDirectory):
            return errno.ENOTDIR
        found = entry_of(node, name)
        if found is None:
            return errno.ENOENT
        if not isinstance(found, FakeDirectory | KernfsFile) and stat.S_ISLNK(found.st_mode):
            return LINK
        node = found
    return node


class _Lookups:
    """The fast lookups of one filesystem, each falling back to pyfakefs' own."""

    def __init__(self, fs: FakeFilesystem) -> None:
        self.fs = fs
        self.devnull = fs.devnull
        #: pyfakefs' own lookups of ``fs``, by name (its class's: installing again on the same
        #: filesystem, for a new kernel, replaces the fast ones instead of wrapping them)
        self.originals: dict[str, Callable[..., Any]] = {
            name: getattr(type(fs), name).__get__(fs) for name in NAMES
        }

    def resolve_path(self, file_path: Any, allow_fd: bool = False) -> Any:
        if clean(file_path) and walk(self.fs, file_path) is not LINK:
            return file_path
        return self.originals["resolve_path"](file_path, allow_fd)

    def absnormpath(self, path: Any) -> Any:
        return path if clean(path) else self.originals["absnormpath"](path)

    def exists(self, file_path: Any, check_link: bool = False) -> bool:
        if not check_link and clean(file_path) and file_path != self.devnull:
            found = walk(self.fs, file_path)
            if found is not LINK:
                return not isinstance(found, int)
        return bool(self.originals["exists"](file_path, check_link))

    def get_object_from_normpath(
        self,
        file_path: Any,
        check_read_perm: bool = True,
        check_exe_perm: bool = True,
        check_owner: bool = False,
    ) -> Any:
        if clean(file_path) and file_path != self.devnull and is_root():
            found = walk(self.fs, file_path)
            if isinstance(found, int):
                self.fs.raise_os_error(found, file_path)
            if found is not LINK:
                return found
        return self.originals["get_object_from_normpath"](
            file_path, check_read_perm, check_exe_perm, check_owner
        )

    def lresolve(self, path: Any) -> Any:
        if clean(path) and path != "/" and path != self.devnull and is_root():
            parent, _, name = path.rpartition("/")
            found = walk(self.fs, parent or "/")
            if isinstance(found, FakeDirectory):
                entry = entry_of(found, name)
                if entry is None:
                    self.fs.raise_os_error(errno.ENOENT, path)
                return entry
            if isinstance(found, int):  # pyfakefs' lookup of the parent raised it
                self.fs.raise_os_error(found, parent or "/")
            if isinstance(found, FakeFile):  # the parent is a file
                self.fs.raise_os_error(errno.ENOTDIR, path)
        return self.originals["lresolve"](path)


#: the lookups replaced
NAMES = ("resolve_path", "absnormpath", "exists", "get_object_from_normpath", "lresolve")


def install(fs: FakeFilesystem) -> None:
    """Put the fast lookups on ``fs`` (instance attributes, ahead of its methods).

    Raises:
        ValueError: ``fs`` is not a case-sensitive Linux filesystem with ``/`` alone.
    """
    if (
        fs.is_windows_fs
        or fs.is_macos
        or not fs.is_case_sensitive
        or fs.path_separator != "/"
        or fs.alternative_path_separator is not None
    ):
        raise ValueError("the fast path lookups are for a case-sensitive Linux filesystem")
    lookups = _Lookups(fs)
    for name in NAMES:
        setattr(fs, name, getattr(lookups, name))
