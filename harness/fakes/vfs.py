"""The VFS-hook layer: every syscall of a runtime on the fake filesystem, the fault plan that can
fail it, and the audit log that records it.

:class:`VfsHooks` is a mixin of :class:`~harness.fakes.kernel.SimulatedKernel`.  Directory
syscalls are hooked once on the ``FakeFilesystem`` instance (``makedir``, ``rmdir``, ``remove``,
``rename``, ``chmod``) and every open passes ``add_open_file``, so that
``os``/``pathlib``/``shutil``/``open`` used by a runtime reach the cgroup and resctrl models, the
fault plan and the audit log.  Control files are :class:`KernfsFile`s rendered from model state.
Errors reach the caller only through ``fs.raise_os_error``.
"""

from __future__ import annotations

import errno
import posixpath
from collections.abc import Callable
from typing import Any
from typing import NoReturn

from pyfakefs.fake_file import FakeDirectory
from pyfakefs.fake_file import FakeFile
from pyfakefs.fake_file import FakeFileWrapper
from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.helpers import PERM_DEF

from harness.fakes._parse import KernelErrno
from harness.fakes.cgroup.v1 import V1Hierarchy
from harness.fakes.cgroup.v2 import UnifiedHierarchy
from harness.fakes.faults import FaultPlan
from harness.fakes.faults import KernelOp
from harness.fakes.faults import LoggedOp
from harness.fakes.kernfs import ControlFile
from harness.fakes.kernfs import KernfsDirectory
from harness.fakes.kernfs import KernfsFile
from harness.fakes.kernfs_io import KernfsHandle
from harness.fakes.kernfs_ops import UNSURE
from harness.fakes.kernfs_ops import walk_entries
from harness.fakes.mounts import Owner
from harness.fakes.proc.files import CGROUP_ROOT
from harness.fakes.proc.files import RESCTRL_ROOT
from harness.fakes.resctrl.files import group_tree
from harness.fakes.resctrl.fs import ResctrlFs

__all__ = ["VfsHooks"]


class VfsHooks:
    """The syscall hooks, the fault plan and the audit log; the kernel provides the attributes
    below."""

    fs: FakeFilesystem
    #: injected failures
    faults: FaultPlan
    #: every operation the kernel saw, oldest first
    log: list[KernelOp]
    #: mount point -> inode of each network namespace bind-mounted on a file
    _netns_mounts: dict[str, int]
    #: the model owning a path, and the path relative to its mount (the mount table's)
    _owner_of: Callable[[str], tuple[Owner, str] | None]
    #: rename a resctrl MON group (the mount table's)
    _resctrl_rename: Callable[[str, str], None]
    #: pyfakefs' own calls, past the hooks (set by :meth:`_install_hooks`)
    _orig_makedir: Callable[..., None]
    _orig_rmdir: Callable[..., None]
    _orig_remove: Callable[..., None]
    _orig_rename: Callable[..., None]
    _orig_chmod: Callable[..., None]
    _orig_confirmdir: Callable[..., Any]
    _orig_readlink: Callable[..., str]
    _orig_stat: Callable[..., Any]
    _orig_add_open_file: Callable[..., int]
    _orig_create_file_internally: Callable[..., FakeFile]
    #: the file the last open created (pyfakefs makes it before the open is checked)
    _created_by_open: FakeFile | None = None
    #: the os.open whose own chmod comes next: its path, and whether it created the file
    _open_chmod: tuple[str, bool] | None = None

    def _install_hooks(self) -> None:
        """Keep pyfakefs' own calls (as ``_orig_<name>``), then route each through this layer."""
        fs: Any = self.fs
        hooks: dict[str, Callable[..., Any]] = {
            "makedir": self._mkdir,
            "rmdir": self._rmdir,
            "remove": self._remove,
            "rename": self._rename,
            "chmod": self._chmod,
            "confirmdir": self._confirmdir,
            "readlink": self._readlink,
            "stat": self._stat,
            "add_open_file": self._add_open_file,
            "create_file_internally": self._create_file_internally,
        }
        for name, hook in hooks.items():
            setattr(self, f"_orig_{name}", getattr(fs, name))
            setattr(fs, name, hook)

    # -- kernfs tree ------------------------------------------------------------------------
    def _populate(self, directory: str | FakeDirectory, files: list[ControlFile]) -> None:
        """Add a kernfs file per spec to ``directory`` (a path, or the directory itself when the
        caller has it): the directory is resolved once, not once per file as
        ``fs.add_object`` would (a cgroup directory has dozens of files).  A directory the
        kernel made (:class:`KernfsDirectory`) makes them when it is first looked into."""
        if not files:
            return
        parent = directory
        if isinstance(directory, str):
            found = self.fs.resolve(directory, check_read_perm=False, check_exe_perm=True)
            if not isinstance(found, FakeDirectory):
                self.fs.raise_os_error(errno.ENOTDIR, directory)
            parent = found
        assert isinstance(parent, FakeDirectory)
        if isinstance(parent, KernfsDirectory):
            parent.defer(files)
            return
        for spec in files:
            parent.add_entry(KernfsFile(spec.name, self.fs, spec))

    def _kernel_dir(self, path: str, mode: int) -> FakeDirectory:
        """``fs.create_dir(path, mode)`` of a kernel directory: a :class:`KernfsDirectory`,
        whose control files wait for the first look, where the parent is there already."""
        parent = self._lookup(posixpath.dirname(path))
        if not isinstance(parent, FakeDirectory):
            return self.fs.create_dir(path, mode)
        made = KernfsDirectory(posixpath.basename(path), mode & ~self.fs.umask, self.fs)
        parent.add_entry(made)
        return made

    def _lookup(self, path: str) -> FakeFile | None:
        """The object at the absolute, normalized ``path`` (symlinks followed), or None where
        ``fs.exists`` is False.  Kernel trees hold no symlinks, so this walks directory entries
        instead of running pyfakefs' path parsing; a symlink on the way goes to ``fs.resolve``.
        """
        found = walk_entries(self.fs, path)
        if found is not UNSURE:
            return found  # type: ignore[return-value]
        try:
            return self.fs.resolve(path, check_read_perm=False, check_exe_perm=False)
        except OSError:
            return None

    def _drop_tree(self, path: str) -> None:
        """Remove a kernel directory with its files; open handles on them go stale."""
        top = self._lookup(path)
        parent = self._lookup(posixpath.dirname(path))
        if top is None or not isinstance(parent, FakeDirectory):
            self.fs.raise_os_error(errno.ENOENT, path)
        stack = [top]
        while stack:
            obj = stack.pop()
            if isinstance(obj, KernfsDirectory):
                obj.forget_deferred()  # never made, never opened
                stack.extend(obj.made_entries.values())
            elif isinstance(obj, FakeDirectory):
                stack.extend(obj.entries.values())
            elif isinstance(obj, KernfsFile):
                obj.kill()
        parent.remove_entry(posixpath.basename(path))

    # -- errors and the log -----------------------------------------------------------------
    def _record(self, op: LoggedOp, path: str, data: bytes | None, err: int | None) -> None:
        self.log.append(KernelOp(op, path, data, err))

    def _fail(self, op: LoggedOp, path: str, data: bytes | None, err: int) -> NoReturn:
        self._record(op, path, data, err)
        self.fs.raise_os_error(err, path)

    def _run(self, op: LoggedOp, path: str, data: bytes | None, action: Callable[[], None]) -> None:
        """Run ``action`` as ``op`` on ``path``: log it, turn KernelErrno/OSError into a failure."""
        try:
            action()
        except KernelErrno as err:
            self._fail(op, path, data, err.errno)
        except OSError as err:
            self._record(op, path, data, err.errno)
            raise
        self._record(op, path, data, None)

    def _confirmdir(self, target: Any, *args: Any, **kwargs: Any) -> Any:
        """pyfakefs' directory check; a listing (scandir, listdir: no search permission asked)
        is an opendir the fault plan can fail.  rmdir's own check is not one."""
        if kwargs.get("check_exe_perm", True) is False:
            self._check_fault("opendir", self.fs.absnormpath(self.fs.make_string_path(target)))
        return self._orig_confirmdir(target, *args, **kwargs)

    def _readlink(self, path: Any) -> str:
        """readlink(2): the fault plan first (an armed fault fails it, logged)."""
        self._check_fault("readlink", self.fs.absnormpath(self.fs.make_string_path(path)))
        return self._orig_readlink(path)

    def _stat(self, entry_path: Any, follow_symlinks: bool = True) -> Any:
        """stat(2), and lstat(2) (``follow_symlinks`` False: os.lstat) of a path, not of an open
        fd, which meets the fault plan first, whether or not the path exists (an armed fault
        fails it, logged).  A listing's entries are looked at through their own lresolve."""
        if not follow_symlinks and not isinstance(entry_path, int):
            self._check_fault("lstat", self.fs.absnormpath(self.fs.make_string_path(entry_path)))
        return self._orig_stat(entry_path, follow_symlinks)

    def mknod(self, path: str, make: Callable[[], None]) -> None:
        """mknod(2) of a FIFO at ``path`` (pyfakefs has no mkfifo): the fault plan, then
        ``make``, both in the audit log."""
        self._check_fault("mknod", path)
        self._run("mknod", path, None, make)

    def fifo_open(self, path: str) -> None:
        """open(2) of a FIFO (pyfakefs has no FIFO semantics, the system model reads its node):
        the fault plan (a fault that fires is logged)."""
        self._check_fault("open", path)

    def _check_fault(self, op: str, path: str, data: bytes | None = None) -> None:
        err = self.faults.check(op, path)
        if err is not None:
            self._fail(op, path, data, err)  # type: ignore[arg-type]

    # -- filesystem hooks -------------------------------------------------------------------
    def _mkdir(self, dir_path: Any, mode: int = PERM_DEF) -> None:
        path = self.fs.absnormpath(self.fs.make_string_path(dir_path))
        self._check_fault("mkdir", path)
        target = self._owner_of(path)
        if target is None:
            if path.startswith((CGROUP_ROOT + "/", RESCTRL_ROOT + "/")) and not self.fs.exists(
                path
            ):
                parent = posixpath.dirname(path)
                err = errno.EROFS if parent == CGROUP_ROOT else errno.EPERM
                self._fail("mkdir", path, None, err)
            self._run("mkdir", path, None, lambda: self._orig_makedir(dir_path, mode))
            return
        owner, rel = target

        def make() -> None:
            parent = self._lookup(posixpath.dirname(path))
            if not isinstance(parent, FakeDirectory):
                raise KernelErrno(errno.ENOENT)
            name = posixpath.basename(path)
            if self._lookup(path) is not None:
                raise KernelErrno(errno.EEXIST)
            if isinstance(owner, V1Hierarchy | UnifiedHierarchy):
                owner.mkdir(rel)
                tree = [(rel, owner.control_files(rel))]
            else:
                owner.mkdir(rel)
                tree = group_tree(owner, rel)
            made = KernfsDirectory(name, mode & ~self.fs.umask, self.fs)  # as makedir does
            parent.add_entry(made)
            mount = path.removesuffix(rel)
            for sub, files in tree:
                where = made if sub == rel else self._kernel_dir(mount + sub, 0o755)
                self._populate(where, files)

        self._run("mkdir", path, None, make)

    def _rmdir(self, target_directory: Any, allow_symlink: bool = False) -> None:
        path = self.fs.absnormpath(self.fs.make_string_path(target_directory))
        self._check_fault("rmdir", path)
        target = self._owner_of(path)
        if target is None:
            if path in (CGROUP_ROOT, RESCTRL_ROOT, "/sys", "/proc", "/run"):
                self._fail("rmdir", path, None, errno.EBUSY)
            self._run(
                "rmdir", path, None, lambda: self._orig_rmdir(target_directory, allow_symlink)
            )
            return
        owner, rel = target

        def remove() -> None:
            found = self._lookup(path)
            if found is None:
                raise KernelErrno(errno.ENOENT)
            if not isinstance(found, FakeDirectory):
                raise KernelErrno(errno.ENOTDIR)
            if rel == "/":
                raise KernelErrno(errno.EBUSY)
            owner.rmdir(rel)
            self._drop_tree(path)

        self._run("rmdir", path, None, remove)

    def _remove(self, path: Any) -> None:
        norm = self.fs.absnormpath(self.fs.make_string_path(path))
        self._check_fault("unlink", norm)
        if isinstance(self._lookup(norm), KernfsFile):
            self._fail("unlink", norm, None, errno.EPERM)
        if norm in self._netns_mounts:
            self._fail("unlink", norm, None, errno.EBUSY)  # a mount point cannot be unlinked
        self._run("unlink", norm, None, lambda: self._orig_remove(path))

    def _rename(self, old: Any, new: Any, force_replace: bool = False) -> None:
        src = self.fs.absnormpath(self.fs.make_string_path(old))
        dst = self.fs.absnormpath(self.fs.make_string_path(new))
        self._check_fault("rename", src, dst.encode())
        owners = [self._owner_of(p) for p in (src, dst)]
        if all(o is not None and isinstance(o[0], ResctrlFs) for o in owners):
            self._run("rename", src, dst.encode(), lambda: self._resctrl_rename(src, dst))
            return
        if any(isinstance(o[0], ResctrlFs) for o in owners if o is not None):
            self._fail("rename", src, dst.encode(), errno.EXDEV)
        if any(o is not None for o in owners):
            self._cgroup_rename(src, dst, owners)
            return
        self._run("rename", src, dst.encode(), lambda: self._orig_rename(old, new, force_replace))

    def _cgroup_rename(self, src: str, dst: str, owners: list[tuple[Owner, str] | None]) -> None:
        """rename(2) in cgroupfs: across mounts EXDEV (VFS); cgroup2 has no rename (EPERM); v1
        (``cgroup1_rename``) renames only a directory (ENOTDIR) within its parent (EIO), to a
        free name (EEXIST).  The renamed cgroups get fresh control files: handles opened before
        the rename go stale (the kernel would keep them working).

        Raises:
            OSError: as above, or ENOENT for a missing source.
        """
        data = dst.encode()
        if owners[0] is None or owners[1] is None or owners[0][0] is not owners[1][0]:
            self._fail("rename", src, data, errno.EXDEV)
        owner, rel = owners[0]
        if not self.fs.exists(src):
            self._fail("rename", src, data, errno.ENOENT)
        if isinstance(owner, UnifiedHierarchy) or rel == "/":
            self._fail("rename", src, data, errno.EPERM if rel != "/" else errno.EBUSY)
        if not self.fs.isdir(src):
            self._fail("rename", src, data, errno.ENOTDIR)
        if posixpath.dirname(src) != posixpath.dirname(dst):
            self._fail("rename", src, data, errno.EIO)
        if src == dst:
            self._record("rename", src, data, None)
            return
        if self.fs.exists(dst):
            self._fail("rename", src, data, errno.EEXIST)
        assert isinstance(owner, V1Hierarchy)
        new_rel = dst[len(owner.mount) :]

        def rename() -> None:
            owner.rename(rel, new_rel)
            self._orig_rename(src, dst)
            for path in [p for p in owner.nodes if p == new_rel or p.startswith(new_rel + "/")]:
                directory = self._lookup(owner.mount + path)
                assert isinstance(directory, FakeDirectory)
                for name, obj in list(directory.entries.items()):
                    if isinstance(obj, KernfsFile):
                        obj.kill()
                        directory.remove_entry(name)
                self._populate(directory, owner.control_files(path))

        self._run("rename", src, data, rename)

    def _chmod(self, path: Any, mode: int, *args: Any, **kwargs: Any) -> None:
        # pyfakefs' os.open chmods every file it opens to the mode given, umask or not.  open(2)
        # gives a file it creates that mode less the umask and leaves an existing file's alone;
        # kernfs files keep their modes.
        opened, self._open_chmod = self._open_chmod, None
        if opened is not None and opened[0] == self.fs.absnormpath(path):
            if not opened[1]:
                return
            mode &= ~self.fs.umask
        elif not isinstance(path, int):
            self._check_fault("chmod", self.fs.absnormpath(self.fs.make_string_path(path)))
        try:
            obj = self.fs.resolve(path)
        except (OSError, TypeError):
            obj = None
        if isinstance(obj, KernfsFile):
            return
        self._orig_chmod(path, mode, *args, **kwargs)

    def _create_file_internally(self, *args: Any, **kwargs: Any) -> FakeFile:
        made = self._orig_create_file_internally(*args, **kwargs)
        self._created_by_open = made
        return made

    def _add_open_file(self, file_obj: Any, new_fd: int = -1) -> int:
        if (
            isinstance(file_obj, FakeFileWrapper)
            and not isinstance(file_obj, KernfsHandle)
            and file_obj.filedes is None
        ):
            self._opening(file_obj)
        return int(self._orig_add_open_file(file_obj, new_fd))

    def _opening(self, wrapper: FakeFileWrapper) -> None:
        """Checks of a new open of a file that is not a kernfs file (those are the kernel's:
        :meth:`kernfs_open`): faults, and no new files in kernel directories."""
        file = wrapper.file_object
        assert not isinstance(file, KernfsFile), "a kernfs file opened by pyfakefs"
        path = file.path
        modes = wrapper.open_modes
        self._check_fault("open", path)
        if self._owner_of(path) is not None:
            # kernfs has no create operation: O_CREAT of a new name in cgroupfs or resctrl fails
            # with EACCES even for root (seen on this machine's kernel).  pyfakefs has already
            # made the file when this hook runs, so it is taken back.
            self.fs.remove_object(path)
            self._fail("open", path, None, errno.EACCES)
        elif modes.can_write:
            self._watch_writes(file)
        if modes.can_read:
            self._guard_reads(wrapper)
        self._record("open", path, None, None)
        created, self._created_by_open = self._created_by_open is file, None
        if wrapper.raw_io:  # os.open, which chmods the file next
            self._open_chmod = (path, created)

    def _checks_open_perm(self, path: str) -> bool:
        """Whether a missing handler refuses the open itself (EACCES even for root).

        resctrl's kernfs root has KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK, and /proc checks modes at
        open.  cgroupfs files all have kernfs read and write ops, so root's open succeeds and
        the missing handler answers EINVAL at read(2) or write(2) instead.
        """
        owned = self._owner_of(path)
        return owned is None or isinstance(owned[0], ResctrlFs)

    def _guard_reads(self, wrapper: FakeFileWrapper) -> None:
        """Route each read call of this handle past the fault plan."""
        path = wrapper.file_object.path
        getter = type(wrapper).__getattr__

        def guarded(name: str) -> Callable[..., Any]:
            def call(*args: Any, **kwargs: Any) -> Any:
                self._check_fault("read", path)
                return getter(wrapper, name)(*args, **kwargs)

            return call

        for name in ("read", "readline", "readlines", "read1", "readinto"):
            wrapper.__dict__[name] = guarded(name)

    def _watch_writes(self, file: FakeFile) -> None:
        """Route writes to a regular file past the fault plan (and into the log)."""
        if file.__dict__.get("_rtgate_watched"):
            return
        original = file.set_contents

        def set_contents(contents: Any, encoding: str | None = None) -> bool:
            if contents:
                data = contents.encode() if isinstance(contents, str) else bytes(contents)
                self._check_fault("write", file.path, data)
                self._record("write", file.path, data, None)
            return bool(original(contents, encoding))

        file.__dict__["set_contents"] = set_contents
        file.__dict__["_rtgate_watched"] = True
