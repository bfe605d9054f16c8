"""The kernel's side of kernfs files: which path is one, open(2), read(2) and write(2) of one.

:class:`KernfsOps` is a mixin of :class:`~harness.fakes.kernel.SimulatedKernel`; the opens come
from :mod:`harness.fakes.kernfs_open`, the reads and writes from the handles of
:mod:`harness.fakes.kernfs_io`.  Faults, errors and the audit log go through the VFS layer's
calls, as every other syscall's do.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import NoReturn

from pyfakefs.fake_file import FakeFile
from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.helpers import PERM_READ
from pyfakefs.helpers import PERM_WRITE
from pyfakefs.helpers import _OpenModes
from pyfakefs.helpers import is_root

from harness.fakes import fast_paths
from harness.fakes._parse import KernelErrno
from harness.fakes.faults import LoggedOp
from harness.fakes.kernfs import KernfsFile
from harness.fakes.kernfs_io import KernfsHandle

__all__ = ["MAX_WRITE", "UNSURE", "KernfsOps", "walk_entries"]

#: kernfs ``atomic_write_len`` of cgroup and resctrl files: larger writes are E2BIG
MAX_WRITE = 4096
#: a path the entry walk cannot answer for (relative, not normalized, or through a symlink)
UNSURE = object()


class KernfsOps:
    """open(2), read(2), write(2) of kernfs files; the kernel provides the attributes below."""

    fs: FakeFilesystem
    #: the VFS layer's fault plan check, failure, log record and logged action
    _check_fault: Callable[..., None]
    _fail: Callable[..., NoReturn]
    _record: Callable[[LoggedOp, str, bytes | None, int | None], None]
    _run: Callable[[LoggedOp, str, bytes | None, Callable[[], None]], None]
    #: whether a missing handler fails the open of a path (the VFS layer's)
    _checks_open_perm: Callable[[str], bool]
    #: pyfakefs' own descriptor table insertion (the VFS layer keeps it)
    _orig_add_open_file: Callable[..., int]
    #: the os.open whose own chmod comes next: its path, and whether it created the file
    _open_chmod: tuple[str, bool] | None

    def kernfs_target(self, path: str, *, resolve: bool) -> tuple[KernfsFile, str] | None:
        """The kernfs file at ``path`` and its absolute path, None when there is none.  An
        absolute, normalized path is looked up in directory entries; with ``resolve``, any other
        one (relative, or through a symlink) is resolved by pyfakefs first."""
        found = walk_entries(self.fs, path)
        if found is UNSURE and resolve and not path.endswith("/"):
            try:
                path = self.fs.resolve_path(path)
            except (OSError, TypeError, ValueError):
                return None
            found = walk_entries(self.fs, path)
        return (found, path) if isinstance(found, KernfsFile) else None

    def kernfs_handle(self, fd: int) -> KernfsHandle | None:
        """The kernfs handle descriptor ``fd`` refers to (``os.fdopen`` of it), if any."""
        files = self.fs.open_files
        slot = files[fd] if 0 <= fd < len(files) else None
        return slot[0] if slot and isinstance(slot[0], KernfsHandle) else None

    def kernfs_open(self, file: KernfsFile, path: str, modes: _OpenModes) -> KernfsHandle:
        """open(2) of a kernfs file, in the order the pyfakefs open of it had: the permission
        check of a user other than root, the view (rendered and logged as a read, unless the
        open truncates), the fault plan, EACCES for a missing handler, the log.  ``path`` is
        the file's absolute path (:meth:`kernfs_target`'s).

        Raises:
            OSError: as above.
        """
        if not is_root() and (
            (modes.can_read and not file.has_permission(PERM_READ))
            or (modes.can_write and not file.has_permission(PERM_WRITE))
        ):
            self.fs.raise_os_error(errno.EACCES, path)
        view, view_error = b"", None
        if not (modes.can_write and modes.truncate) and file.alive and file.readable:
            view, view_error = self._render(file, path)
        self._check_fault("open", path)
        missing = (modes.can_write and not file.writable) or (modes.can_read and not file.readable)
        if missing and self._checks_open_perm(path):
            self._fail("open", path, None, errno.EACCES)
        self._record("open", path, None, None)
        handle = KernfsHandle(self, file, path, modes, view, view_error)
        handle.filedes = self._orig_add_open_file(handle)
        return handle

    def kernfs_os_chmod_next(self, file: KernfsFile) -> None:
        """pyfakefs' os.open chmods the kernfs file it opened next: that is no chmod(2)."""
        self._open_chmod = (file.path, False)

    def _render(self, file: KernfsFile, path: str) -> tuple[bytes, int | None]:
        """The view of a new open (logged as a read), or the errno its rendering gave: the
        open succeeds and each read(2) fails with it (e.g. EOPNOTSUPP for ``cgroup.procs`` of
        a threaded cgroup), logged there."""
        show = file.spec.show
        assert show is not None
        try:
            text = show()
        except KernelErrno as err:
            return b"", err.errno
        except OSError as err:
            return b"", err.errno
        self._record("read", path, None, None)
        return text.encode(), None

    def kernfs_read_check(self, handle: KernfsHandle) -> None:
        """What one read(2) of a kernfs handle meets first: the fault plan, ENODEV once the
        file was removed, EINVAL without a read handler (no seq_show), the view's errno.

        Raises:
            OSError: as above, logged.
        """
        file = handle.file_object
        self._check_fault("read", handle.file_path)
        if not file.alive:
            self._fail("read", file.where, None, errno.ENODEV)
        if not file.readable:
            self._fail("read", file.where, None, errno.EINVAL)
        if handle.view_error is not None:
            self._fail("read", file.where, None, handle.view_error)

    def kernfs_write(self, handle: KernfsHandle, payload: bytes) -> None:
        """One write(2) to a control file.

        Raises:
            OSError: an injected fault, ENODEV for a removed file, E2BIG beyond 4096 bytes, or
                the model's errno.
        """
        file = handle.file_object
        path = file.where
        self._check_fault("write", path, payload)
        if not file.alive:
            self._fail("write", path, payload, errno.ENODEV)
        if len(payload) > MAX_WRITE:
            self._fail("write", path, payload, errno.E2BIG)
        store = file.spec.store
        if store is None:
            self._fail("write", path, payload, errno.EINVAL)  # cgroup_file_write: no ->write
        self._run("write", path, payload, lambda: store(payload))


def walk_entries(fs: FakeFilesystem, path: str) -> FakeFile | object | None:
    """The object at ``path`` by its directory entries, None where there is none, or UNSURE
    for a path that is not absolute and normalized (or names a dot file) or that meets a
    symlink."""
    if not fast_paths.clean(path):
        return UNSURE
    found = fast_paths.walk(fs, path)
    if found is fast_paths.LINK:
        return UNSURE
    return None if isinstance(found, int) else found
