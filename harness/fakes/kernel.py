"""The simulated kernel: boots a host tree on a pyfakefs filesystem and hooks its syscalls.

Network namespaces (:mod:`harness.fakes.proc.netns`) are objects with interfaces; each task is
in one, ``/proc/<pid>/ns/net`` reads (``readlink``) as ``net:[<inode>]``, and a named one is a
bind mount of its nsfs file at ``/run/netns/<name>`` (a mountinfo line whose root is
``net:[<inode>]``).

The cgroup layout follows ``Topology.cgroup_mode``: v1 hierarchies at /sys/fs/cgroup/<name>,
cgroup2 at /sys/fs/cgroup ("v2") or /sys/fs/cgroup/unified next to the v1 ones ("hybrid").

Directory syscalls are hooked once on the ``FakeFilesystem`` instance (``makedir``, ``rmdir``,
``remove``, ``rename``, ``chmod``) and every open passes ``add_open_file``, so that
``os``/``pathlib``/``shutil``/``open`` used by a runtime reach the cgroup and resctrl models, the
fault plan and the audit log.  Control files are :class:`KernfsFile`s rendered from model state.
Errors reach the caller only through ``fs.raise_os_error``.
"""

from __future__ import annotations

import dataclasses
import errno
import posixpath
from collections.abc import Callable
from typing import Any
from typing import NoReturn

from pyfakefs.fake_file import FakeDirectory
from pyfakefs.fake_file import FakeFile
from pyfakefs.fake_file import FakeFileWrapper
from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.fake_filesystem import OSType
from pyfakefs.helpers import PERM_DEF

from harness.errors import FakeKernelError
from harness.fakes._parse import KernelErrno
from harness.fakes.cgroup.queries import CgroupQueries
from harness.fakes.cgroup.queries import check_cgroup_layout
from harness.fakes.cgroup.v1 import V1Hierarchy
from harness.fakes.cgroup.v2 import UNIFIED
from harness.fakes.cgroup.v2 import UnifiedHierarchy
from harness.fakes.clock import VirtualClock
from harness.fakes.faults import FaultPlan
from harness.fakes.faults import KernelOp
from harness.fakes.faults import LoggedOp
from harness.fakes.kernfs import ControlFile
from harness.fakes.kernfs import KernfsFile
from harness.fakes.proc.files import CGROUP_ROOT
from harness.fakes.proc.files import NETNS_RUN_DIR
from harness.fakes.proc.files import RESCTRL_ROOT
from harness.fakes.proc.files import MountLine
from harness.fakes.proc.files import base_mounts
from harness.fakes.proc.files import cgroup2_mount
from harness.fakes.proc.files import cgroup_v1_mounts
from harness.fakes.proc.files import cpuinfo
from harness.fakes.proc.files import hierarchy_dir
from harness.fakes.proc.files import mountinfo
from harness.fakes.proc.files import pid_cgroup
from harness.fakes.proc.files import pid_stat
from harness.fakes.proc.files import resctrl_mount
from harness.fakes.proc.netns import NetNamespace
from harness.fakes.proc.netns import NetNamespaces
from harness.fakes.proc.netns import ns_link
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.proc.processes import SimProcess
from harness.fakes.proc.processes import Task
from harness.fakes.proc.programs import ProgramRegistry
from harness.fakes.resctrl.files import group_tree
from harness.fakes.resctrl.files import info_tree
from harness.fakes.resctrl.fs import ResctrlFs
from harness.fakes.resctrl.rename import rename as resctrl_rename
from harness.fakes.topology import DEFAULT_TOPOLOGY
from harness.fakes.topology import ResctrlTopology
from harness.fakes.topology import Topology

__all__ = ["MAX_WRITE", "SimulatedKernel"]

#: kernfs ``atomic_write_len`` of cgroup and resctrl files: larger writes are E2BIG
MAX_WRITE = 4096


Owner = V1Hierarchy | UnifiedHierarchy | ResctrlFs


class SimulatedKernel(CgroupQueries):
    """A host (processes, /proc, cgroup v1/v2/hybrid, resctrl) simulated on pyfakefs."""

    def __init__(self, fs: FakeFilesystem, topology: Topology = DEFAULT_TOPOLOGY) -> None:
        check_cgroup_layout(topology)
        if fs.os != OSType.LINUX:
            fs.os = OSType.LINUX  # resets the filesystem, so it comes first
        self.fs = fs
        #: the host this kernel simulates
        self.topology = topology
        #: injected failures
        self.faults = FaultPlan()
        #: virtual time
        self.clock = VirtualClock()
        #: simulated hook programs by path
        self.programs = ProgramRegistry(fs)
        #: every operation the kernel saw, oldest first
        self.log: list[KernelOp] = []
        #: the v1 hierarchies by name ("cpu", "name=systemd", ...)
        self.hierarchies: dict[str, V1Hierarchy] = {}
        #: the cgroup2 hierarchy (under "v2" and "hybrid")
        self.unified: UnifiedHierarchy | None = None
        self.resctrl: ResctrlFs | None = None
        #: every live network namespace
        self.net = NetNamespaces()
        #: mount point -> inode of each network namespace bind-mounted on a file
        self._netns_mounts: dict[str, int] = {}
        self._mounts: list[tuple[str, Owner]] = []
        keys = topology.v1_hierarchies
        if topology.unified_controllers is not None:
            keys += (UNIFIED,)
        self._table = ProcessTable(
            self.clock, keys, self._task_created, self._task_gone, self._task_exited
        )
        self._orig_makedir = fs.makedir
        self._orig_rmdir = fs.rmdir
        self._orig_remove = fs.remove
        self._orig_rename = fs.rename
        self._orig_chmod = fs.chmod
        self._orig_add_open_file = fs.add_open_file
        self._boot()
        self._install_hooks()

    # -- boot -------------------------------------------------------------------------------
    def _boot(self) -> None:
        fs, topo = self.fs, self.topology
        for path in ("/proc/self", "/run", "/tmp", CGROUP_ROOT):
            if not fs.exists(path):
                fs.create_dir(path)
        mounts = base_mounts()
        for index, name in enumerate(topo.v1_hierarchies, start=2):
            mount = f"{CGROUP_ROOT}/{hierarchy_dir(name)}"
            hier = V1Hierarchy(name, index, mount, self._table, topo.num_cpus)
            if name == "cpuset" and topo.cpuset_clone_children:
                hier.nodes["/"].values["cgroup.clone_children"] = "1"
            self.hierarchies[name] = hier
            self._mounts.append((hier.mount, hier))
            fs.create_dir(hier.mount, 0o555)
            self._populate(hier.mount, hier.control_files("/"))
        if topo.v1_hierarchies:
            private = topo.cgroup_mode == "hybrid"
            mounts += cgroup_v1_mounts(topo.v1_hierarchies, private=private)
        if topo.unified_controllers is not None:
            hybrid = topo.cgroup_mode == "hybrid"
            mount = f"{CGROUP_ROOT}/unified" if hybrid else CGROUP_ROOT
            self.unified = UnifiedHierarchy(
                mount,
                topo.unified_controllers,
                self._table,
                topo.num_cpus,
                self._resync,
                implicit=topo.v2_implicit,
            )
            self._mounts.append((mount, self.unified))
            if not fs.exists(mount):
                fs.create_dir(mount, 0o555)
            self._populate(mount, self.unified.control_files("/"))
            mounts.append(cgroup2_mount(mount, hybrid))
        if topo.resctrl is not None:
            fs.create_dir(RESCTRL_ROOT, 0o755)
        self._mount_lines = mounts
        if topo.resctrl is not None and topo.resctrl_mounted:
            self._mount_resctrl(topo.resctrl)
        text_cpuinfo = cpuinfo(topo)
        self._populate("/proc", [ControlFile("cpuinfo", lambda: text_cpuinfo)])
        self._populate(
            "/proc/self", [ControlFile("mountinfo", lambda: mountinfo(self._mount_lines))]
        )
        # the runtime's (and the harness's) own process is in the host's network namespace
        fs.create_dir("/proc/self/ns", 0o511)
        fs.create_symlink("/proc/self/ns/net", ns_link(self.net.init.inode))

    # -- resctrl mount ----------------------------------------------------------------------
    def _mount_resctrl(self, topo: ResctrlTopology, debug: bool = False) -> None:
        """Mount resctrl as ``topo`` says: a pristine root, info/, and the mountinfo line."""
        self.resctrl = ResctrlFs(topo, self._table, self.topology.num_cpus, debug=debug)
        self.resctrl.on_restrict = self._resctrl_restrict
        self._mounts.append((RESCTRL_ROOT, self.resctrl))
        self._resctrl_tree(group_tree(self.resctrl, "/") + info_tree(self.resctrl))
        self._mount_lines.append(resctrl_mount(topo, debug=debug))

    def _resctrl_tree(self, tree: list[tuple[str, list[ControlFile]]]) -> None:
        for rel, files in tree:
            directory = RESCTRL_ROOT if rel == "/" else RESCTRL_ROOT + rel
            if not self.fs.exists(directory):
                self.fs.create_dir(directory, 0o555 if rel.startswith("/info") else 0o755)
            self._populate(directory, files)

    def _resctrl_restrict(self, rel: str, restrict: bool) -> None:
        """Pseudo-locksetup takes every permission off ``tasks``, ``cpus``, ``cpus_list``
        (opening them is then EACCES even for root); leaving it gives them back."""
        assert self.resctrl is not None
        directory = RESCTRL_ROOT + rel
        for spec in group_tree(self.resctrl, rel)[0][1]:
            if spec.name in ("tasks", "cpus", "cpus_list"):
                self.fs.remove_object(f"{directory}/{spec.name}")
                self._populate(directory, [ControlFile(spec.name, None) if restrict else spec])

    def _resctrl_rename(self, src: str, dst: str) -> None:
        """Rename a MON group: the model checks it, then the directory is made anew."""
        assert self.resctrl is not None
        rel_src, rel_dst = src.removeprefix(RESCTRL_ROOT), dst.removeprefix(RESCTRL_ROOT)
        if not self.fs.exists(src) or not self.fs.isdir(posixpath.dirname(dst)):
            raise KernelErrno(errno.ENOENT)
        dirs = self.fs.isdir(src) and self.fs.isdir(posixpath.dirname(dst))
        resctrl_rename(self.resctrl, rel_src, rel_dst, dirs=dirs)
        self._drop_tree(src)
        self._resctrl_tree(group_tree(self.resctrl, rel_dst))

    def mount_resctrl(
        self, *, cdp: bool = False, mba_MBps: bool = False, debug: bool = False
    ) -> None:
        """``mount -t resctrl [-o cdp,mba_MBps,debug] resctrl /sys/fs/resctrl``.

        Raises:
            OSError: ENODEV without RDT, EBUSY when mounted, EINVAL for ``cdp`` without CDP or
                ``mba_MBps`` without MBA with linear delay and MBM local bytes.
        """
        hardware = self.topology.resctrl
        if hardware is None:
            self.fs.raise_os_error(errno.ENODEV, RESCTRL_ROOT)
        if self.resctrl is not None:
            self.fs.raise_os_error(errno.EBUSY, RESCTRL_ROOT)
        mba = hardware.mba
        if mba_MBps:
            mon = hardware.monitoring
            if (
                mba is None
                or not mba.delay_linear
                or mon is None
                or "mbm_local_bytes" not in mon.mon_features
            ):
                self.fs.raise_os_error(errno.EINVAL, RESCTRL_ROOT)
        if cdp and not hardware.has_cdp:
            self.fs.raise_os_error(errno.EINVAL, RESCTRL_ROOT)
        if mba is not None:
            mba = dataclasses.replace(mba, mba_MBps=mba_MBps)
        topo = dataclasses.replace(hardware, cdp=cdp, cdp_capable=hardware.has_cdp, mba=mba)
        self._mount_resctrl(topo, debug)

    def unmount_resctrl(self) -> None:
        """``umount /sys/fs/resctrl`` (``rdt_kill_sb``): every group goes, every task returns to
        the default group, and the next mount starts pristine.

        Raises:
            OSError: EINVAL when resctrl is not mounted.
        """
        if self.resctrl is None:
            self.fs.raise_os_error(errno.EINVAL, RESCTRL_ROOT)
        self.resctrl.kill()
        self.resctrl = None
        self._mounts = [(m, o) for m, o in self._mounts if m != RESCTRL_ROOT]
        self._mount_lines = [m for m in self._mount_lines if m.mount_point != RESCTRL_ROOT]
        for name in list(self.fs.listdir(RESCTRL_ROOT)):
            self._drop_tree(f"{RESCTRL_ROOT}/{name}")

    def _populate(self, directory: str, files: list[ControlFile]) -> None:
        for spec in files:
            self.fs.add_object(directory, KernfsFile(spec.name, self.fs, self, spec))

    def _install_hooks(self) -> None:
        fs: Any = self.fs
        fs.makedir = self._mkdir
        fs.rmdir = self._rmdir
        fs.remove = self._remove
        fs.rename = self._rename
        fs.chmod = self._chmod
        fs.add_open_file = self._add_open_file

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

    def _check_fault(self, op: str, path: str, data: bytes | None = None) -> None:
        err = self.faults.check(op, path)
        if err is not None:
            self._fail(op, path, data, err)  # type: ignore[arg-type]

    def _owner_of(self, path: str) -> tuple[Owner, str] | None:
        """The model owning ``path`` and the path relative to its mount ("/" for the root)."""
        for mount, owner in self._mounts:
            if path == mount:
                return owner, "/"
            if path.startswith(mount + "/"):
                return owner, path[len(mount) :]
        return None

    # -- kernfs -----------------------------------------------------------------------------
    def kernfs_read(self, file: KernfsFile) -> bytes:
        """Render ``file`` for a new open (logged as a read).

        Raises:
            OSError: the model's errno (e.g. EOPNOTSUPP for ``cgroup.procs`` of a threaded
                cgroup); it surfaces from the open, where the view is rendered.
        """
        show = file.spec.show
        assert show is not None
        text = ""

        def render() -> None:
            nonlocal text
            text = show()

        self._run("read", file.path, None, render)
        return text.encode()

    def kernfs_write(self, file: KernfsFile, payload: bytes) -> None:
        """One write(2) to a control file.

        Raises:
            OSError: an injected fault, ENODEV for a removed file, E2BIG beyond 4096 bytes, or
                the model's errno.
        """
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
            if not self.fs.isdir(posixpath.dirname(path)):
                raise KernelErrno(errno.ENOENT)
            if self.fs.exists(path):
                raise KernelErrno(errno.EEXIST)
            if isinstance(owner, V1Hierarchy | UnifiedHierarchy):
                owner.mkdir(rel)
                tree = [(rel, owner.control_files(rel))]
            else:
                owner.mkdir(rel)
                tree = group_tree(owner, rel)
            self._orig_makedir(path, mode)
            mount = path.removesuffix(rel)
            for sub, files in tree:
                if sub != rel:
                    self.fs.create_dir(mount + sub, 0o755)
                self._populate(mount + sub, files)

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
            if not self.fs.exists(path):
                raise KernelErrno(errno.ENOENT)
            if not self.fs.isdir(path):
                raise KernelErrno(errno.ENOTDIR)
            if rel == "/":
                raise KernelErrno(errno.EBUSY)
            owner.rmdir(rel)
            self._drop_tree(path)

        self._run("rmdir", path, None, remove)

    def _resync(self, rel: str) -> None:
        """Give unified cgroup ``rel`` the control files its model now lists (its parent's
        ``cgroup.subtree_control`` changed): new ones appear, dropped ones go stale."""
        assert self.unified is not None
        if rel not in self.unified.nodes:
            return
        directory = self.unified.mount + rel
        wanted = {spec.name: spec for spec in self.unified.control_files(rel)}
        for name in list(self.fs.listdir(directory)):
            obj = self.fs.resolve(f"{directory}/{name}")
            if isinstance(obj, KernfsFile) and name not in wanted:
                obj.kill()
                self.fs.remove_object(f"{directory}/{name}")
            wanted.pop(name, None)
        self._populate(directory, list(wanted.values()))

    def _drop_tree(self, path: str) -> None:
        """Remove a kernel directory with its files; open handles on them go stale."""
        stack = [self.fs.resolve(path)]
        while stack:
            obj = stack.pop()
            if isinstance(obj, FakeDirectory):
                stack.extend(obj.entries.values())
            elif isinstance(obj, KernfsFile):
                obj.kill()
        self.fs.remove_object(path)

    def _remove(self, path: Any) -> None:
        norm = self.fs.absnormpath(self.fs.make_string_path(path))
        self._check_fault("unlink", norm)
        if self.fs.exists(norm) and isinstance(self.fs.resolve(norm), KernfsFile):
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
                directory = owner.mount + path
                for name in list(self.fs.listdir(directory)):
                    obj = self.fs.resolve(f"{directory}/{name}")
                    if isinstance(obj, KernfsFile):
                        obj.kill()
                        self.fs.remove_object(f"{directory}/{name}")
                self._populate(directory, owner.control_files(path))

        self._run("rename", src, data, rename)

    def _chmod(self, path: Any, mode: int, *args: Any, **kwargs: Any) -> None:
        # pyfakefs' os.open chmods every file it opens; kernfs files keep their modes.
        try:
            obj = self.fs.resolve(path)
        except (OSError, TypeError):
            obj = None
        if isinstance(obj, KernfsFile):
            return
        self._orig_chmod(path, mode, *args, **kwargs)

    def _add_open_file(self, file_obj: Any, new_fd: int = -1) -> int:
        if isinstance(file_obj, FakeFileWrapper) and file_obj.filedes is None:
            self._opening(file_obj)
        return int(self._orig_add_open_file(file_obj, new_fd))

    def _opening(self, wrapper: FakeFileWrapper) -> None:
        """Checks of a new open: faults, kernfs permissions (EACCES even for root)."""
        file = wrapper.file_object
        path = file.path
        modes = wrapper.open_modes
        self._check_fault("open", path)
        if isinstance(file, KernfsFile):
            missing = (modes.can_write and not file.writable) or (
                modes.can_read and not file.readable
            )
            if missing and self._checks_open_perm(path):
                self._fail("open", path, None, errno.EACCES)
            if modes.can_write:
                file.reset_handle(wrapper)
        elif self._owner_of(path) is not None:
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

    def _checks_open_perm(self, path: str) -> bool:
        """Whether a missing handler refuses the open itself (EACCES even for root).

        resctrl's kernfs root has KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK, and /proc checks modes at
        open.  cgroupfs files all have kernfs read and write ops, so root's open succeeds and
        the missing handler answers EINVAL at read(2) or write(2) instead.
        """
        owned = self._owner_of(path)
        return owned is None or isinstance(owned[0], ResctrlFs)

    def _guard_reads(self, wrapper: FakeFileWrapper) -> None:
        """Route each read call of this handle past the fault plan; a kernfs file whose
        directory was removed reads ENODEV.  A read-only kernfs handle reads its own view
        directly (pyfakefs' flush-before-read compares it with the file's latest view, which
        another open may have re-rendered)."""
        file = wrapper.file_object
        getter = type(wrapper).__getattr__
        own_view = isinstance(file, KernfsFile) and not wrapper.allow_update
        path = file.where if isinstance(file, KernfsFile) else file.path
        if own_view:
            # its flush (also at close) only compares its view with the file's latest one
            wrapper.__dict__["flush"] = lambda: None

        def guarded(name: str) -> Callable[..., Any]:
            def call(*args: Any, **kwargs: Any) -> Any:
                self._check_fault("read", path)
                if isinstance(file, KernfsFile) and not file.alive:
                    self._fail("read", file.where, None, errno.ENODEV)
                if isinstance(file, KernfsFile) and not file.readable:
                    self._fail("read", file.where, None, errno.EINVAL)  # no seq_show
                if own_view:
                    if wrapper.filedes is None or not wrapper._is_open():
                        raise ValueError("I/O operation on closed file")
                    return getattr(wrapper._io, name)(*args, **kwargs)
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

    # -- /proc/<pid> ------------------------------------------------------------------------
    def _task_created(self, task: Task) -> None:
        directory = f"/proc/{task.pid}"
        self.fs.create_dir(directory, 0o555)
        ids = {name: hier.hierarchy_id for name, hier in self.hierarchies.items()}
        unified = self.unified is not None
        self._populate(
            directory,
            [
                ControlFile("stat", lambda: pid_stat(task)),
                ControlFile("cgroup", lambda: pid_cgroup(task, ids, unified=unified)),
            ],
        )
        self.fs.create_dir(f"{directory}/ns", 0o511)
        assert task.netns is not None
        self.fs.create_symlink(f"{directory}/ns/net", ns_link(task.netns))

    def _task_exited(self, task: Task) -> None:
        """``exit_task_namespaces``: a zombie's ns links read ENOENT; its network namespace
        goes when nothing else holds it."""
        link = f"/proc/{task.pid}/ns/net"
        if self.fs.islink(link):
            self.fs.remove_object(link)
        self._collect_netns()

    def _task_gone(self, pid: int) -> None:
        directory = f"/proc/{pid}"
        if self.fs.exists(directory):
            self._drop_tree(directory)

    # -- processes --------------------------------------------------------------------------
    def _os_error(self, err: KernelErrno) -> NoReturn:
        self.fs.raise_os_error(err.errno)

    def spawn_process(
        self,
        comm: str,
        *,
        parent: int | None = None,
        namespaces: tuple[str, ...] = (),
        freeze_resistant_reads: int = 0,
    ) -> int:
        """Start a process: it joins the parent's groups (the roots when ``parent`` is None).

        ``namespaces``: "pid" gives it a PID namespace of its own, "net" a new network
        namespace, "net=<path>" joins the one at ``path`` (a /run/netns bind mount or a
        /proc/<pid>/ns/net link); otherwise it is in its parent's (the host's).
        ``freeze_resistant_reads``: how many ``freezer.state`` reads find it not yet frozen.

        Raises:
            OSError: EAGAIN when a ``pids.max`` of the parent's cgroups is reached (fork fails);
                for a joined network namespace, ENOENT when ``path`` is missing, EINVAL when it
                is not a network namespace (``setns``).
        """
        source = self._table.get(parent) if parent is not None else None
        if source is not None and not source.zombie:
            for hier in [*self.hierarchies.values(), self.unified]:
                if hier is not None:
                    try:
                        hier.charge_fork(source.cgroups.get(hier.name, "/"))
                    except KernelErrno as err:
                        self._os_error(err)
        netns = self._netns_for(namespaces)
        task = self._table.spawn(
            comm,
            parent=parent,
            namespaces=namespaces,
            freeze_resistant_reads=freeze_resistant_reads,
            netns=netns,
        )
        freezer = self.hierarchies.get("freezer")
        if freezer is not None and freezer.freezer is not None:
            freezer.freezer.task_joined(task)
        if self.unified is not None:
            self.unified.task_joined(task)
        return task.pid

    def fork(self, pid: int) -> int:
        """A child of ``pid`` with its cgroups, resctrl group and PID namespace.

        Raises:
            OSError: EAGAIN when a ``pids.max`` is reached.
        """
        task = self._table.get(pid)
        if task is None or task.zombie:
            raise FakeKernelError(f"pid {pid} is not a live process and cannot fork")
        return self.spawn_process(task.comm, parent=pid)

    def exit_process(self, pid: int, code: int = 0) -> None:
        """The process exits with ``code``; a PID-namespace init takes its namespace along."""
        self._table.exit(pid, code)

    def runtime_exited(self) -> None:
        """The runtime's process ends (one runc-style command is over): its children live on
        under the host's init, which reaps them when they exit."""
        self._table.orphan_runtime_children()

    def deliver_signal(self, pid: int, sig: int) -> None:
        """``kill(2)``: ESRCH for a missing pid, frozen tasks hold fatal signals until thawed."""
        try:
            self._table.deliver(pid, sig)
        except KernelErrno as err:
            self._os_error(err)

    def reap(self, pid: int) -> int:
        """``waitpid`` for a zombie child of the runtime: its status (``-sig`` if killed)."""
        try:
            return self._table.reap(pid)
        except KernelErrno as err:
            self._os_error(err)

    def ignore_signals(self, pid: int, *sigs: int) -> None:
        """Give the process handlers for ``sigs`` (they no longer kill it)."""
        try:
            self._table.ignore_signals(pid, *sigs)
        except KernelErrno as err:
            self._os_error(err)

    def set_freeze_resistance(self, pid: int, reads: int) -> None:
        """Keep ``pid`` unfrozen for the next ``reads`` freezer.state reads."""
        task = self._table.get(pid)
        if task is None:
            raise FakeKernelError(f"no process {pid}")
        task.freeze_resist = reads

    def process(self, pid: int) -> SimProcess | None:
        """A snapshot of ``pid`` (zombies included), or None."""
        task = self._table.get(pid)
        return SimProcess.of(task) if task is not None else None

    def live_pids(self) -> list[int]:
        """Pids of every process that has not exited."""
        return [task.pid for task in self._table.live()]

    # -- network namespaces -----------------------------------------------------------------
    def _netns_for(self, namespaces: tuple[str, ...]) -> int | None:
        """The network namespace a new task gets: a new one ("net"), the one a path names
        ("net=<path>"), or None (its parent's)."""
        for entry in namespaces:
            kind, _, path = entry.partition("=")
            if kind != "net":
                continue
            if path:
                return self._netns_at(path).inode
            return self.net.new().inode
        return None

    def _netns_at(self, path: str) -> NetNamespace:
        """The namespace an nsfs path refers to, as ``open`` + ``setns(CLONE_NEWNET)`` find it.

        Raises:
            OSError: ENOENT for a missing path (or the ns link of an exited task), EINVAL for a
                file that is not a network namespace.
        """
        norm = self.fs.absnormpath(path)
        inode = self._netns_mounts.get(norm)
        if inode is None and self.fs.islink(norm):
            target = self.fs.readlink(norm)
            if target.startswith("net:[") and target.endswith("]"):
                inode = int(target[5:-1])
        if inode is None and not self.fs.exists(norm):
            self.fs.raise_os_error(errno.ENOENT, norm)
        ns = self.net.get(inode) if inode is not None else None
        if ns is None:
            self.fs.raise_os_error(errno.EINVAL, norm)
        return ns

    def _collect_netns(self) -> None:
        """Dismantle the network namespaces no live task and no mount refers to."""
        held = {task.netns for task in self._table.live() if task.netns is not None}
        self.net.collect(held | set(self._netns_mounts.values()))

    def netns_add(self, name: str) -> str:
        """``ip netns add <name>``: a new network namespace, its nsfs file bind-mounted on
        /run/netns/<name> (made with mode 0, as iproute2 makes it).  Returns the path.

        Raises:
            OSError: EEXIST when the name is taken, EINVAL for a name with a slash.
        """
        path = f"{NETNS_RUN_DIR}/{name}"
        if not name or "/" in name or name in (".", ".."):
            self.fs.raise_os_error(errno.EINVAL, path)
        if self.fs.exists(path):
            self.fs.raise_os_error(errno.EEXIST, path)
        if not self.fs.exists(NETNS_RUN_DIR):
            self.fs.create_dir(NETNS_RUN_DIR, 0o755)
        ns = self.net.new()
        # stat of the mount point shows the nsfs inode: the namespace's number, mode 0444
        node = FakeFile(name, st_mode=0o100444, filesystem=self.fs)
        node.st_ino = ns.inode
        node.set_initial_contents(b"")
        self.fs.add_object(NETNS_RUN_DIR, node)
        self._netns_mounts[path] = ns.inode
        self._mount_lines.append(
            MountLine(path, "rw", "nsfs", "nsfs", "rw", root=ns_link(ns.inode), shared=False)
        )
        return path

    def netns_delete(self, name: str) -> None:
        """``ip netns delete <name>``: unmount (MNT_DETACH) and unlink; the namespace goes when
        no task is left in it.

        Raises:
            OSError: ENOENT when no namespace is mounted under that name.
        """
        path = f"{NETNS_RUN_DIR}/{name}"
        if path not in self._netns_mounts:
            self.fs.raise_os_error(errno.ENOENT, path)
        del self._netns_mounts[path]
        self._mount_lines = [m for m in self._mount_lines if m.mount_point != path]
        self._orig_remove(path)
        self._collect_netns()

    def netns(self, path: str) -> NetNamespace:
        """The live network namespace ``path`` refers to (see :meth:`_netns_at`)."""
        return self._netns_at(path)

    def link_add(self, path: str, name: str, kind: str = "dummy") -> None:
        """``ip -n <ns> link add <name> type <kind>`` in the namespace ``path`` refers to.

        Raises:
            OSError: as :meth:`NetNamespace.add_link` says (EEXIST, EOPNOTSUPP, EINVAL), or as
                the path does (ENOENT, EINVAL).
        """
        ns = self._netns_at(path)
        try:
            ns.add_link(name, kind)
        except KernelErrno as err:
            self._os_error(err)

    def netns_of(self, pid: int) -> NetNamespace | None:
        """The network namespace of a live process; None for a zombie or a missing pid."""
        task = self._table.get(pid)
        if task is None or task.netns is None:
            return None
        return self.net.get(task.netns)
