"""The kernel's mount table: the cgroup hierarchies and resctrl, and which model owns a path.

:class:`KernelMounts` is a mixin of :class:`~harness.fakes.kernel.SimulatedKernel`.  The cgroup
hierarchies are mounted at boot as ``Topology.cgroup_mode`` says; resctrl is mounted and unmounted
on request (``mount -t resctrl``), each mount leaving its line in ``/proc/self/mountinfo``.
"""

from __future__ import annotations

import dataclasses
import errno
import posixpath
from collections.abc import Callable

from pyfakefs.fake_file import FakeDirectory
from pyfakefs.fake_file import FakeFile
from pyfakefs.fake_filesystem import FakeFilesystem

from harness.fakes._parse import KernelErrno
from harness.fakes.cgroup.v1 import V1Hierarchy
from harness.fakes.cgroup.v2 import UnifiedHierarchy
from harness.fakes.kernfs import ControlFile
from harness.fakes.kernfs import KernfsFile
from harness.fakes.proc.files import CGROUP_ROOT
from harness.fakes.proc.files import RESCTRL_ROOT
from harness.fakes.proc.files import MountLine
from harness.fakes.proc.files import cgroup2_mount
from harness.fakes.proc.files import cgroup_v1_mounts
from harness.fakes.proc.files import hierarchy_dir
from harness.fakes.proc.files import resctrl_mount
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.resctrl.files import group_tree
from harness.fakes.resctrl.files import info_tree
from harness.fakes.resctrl.fs import ResctrlFs
from harness.fakes.resctrl.rename import rename as resctrl_rename
from harness.fakes.topology import ResctrlTopology
from harness.fakes.topology import Topology

__all__ = ["KernelMounts", "Owner"]

#: a model that owns the files under its mount point
Owner = V1Hierarchy | UnifiedHierarchy | ResctrlFs


class KernelMounts:
    """Mounting the cgroup and resctrl models; the kernel provides the attributes below."""

    fs: FakeFilesystem
    topology: Topology
    hierarchies: dict[str, V1Hierarchy]
    unified: UnifiedHierarchy | None
    resctrl: ResctrlFs | None
    _table: ProcessTable
    #: mount point -> the model owning it, searched in order
    _mounts: list[tuple[str, Owner]]
    #: the lines of /proc/self/mountinfo
    _mount_lines: list[MountLine]
    #: make kernfs files in a directory / remove a kernel directory (the VFS layer's)
    _populate: Callable[[str | FakeDirectory, list[ControlFile]], None]
    _kernel_dir: Callable[[str, int], FakeDirectory]
    _drop_tree: Callable[[str], None]
    #: the object at a normalized path, None for none (the VFS layer's)
    _lookup: Callable[[str], FakeFile | None]

    # -- cgroup mounts ----------------------------------------------------------------------
    def _mount_cgroups(self) -> list[MountLine]:
        """Mount the v1 hierarchies and cgroup2 as the topology says; their mountinfo lines."""
        topo = self.topology
        mounts: list[MountLine] = []
        for index, name in enumerate(topo.v1_hierarchies, start=2):
            mount = f"{CGROUP_ROOT}/{hierarchy_dir(name)}"
            hier = V1Hierarchy(
                name,
                index,
                mount,
                self._table,
                topo.num_cpus,
                topo.bfq,
                swap_files=topo.swap_accounting,
            )
            if name == "cpuset" and topo.cpuset_clone_children:
                hier.nodes["/"].values["cgroup.clone_children"] = "1"
            self.hierarchies[name] = hier
            self._mounts.append((hier.mount, hier))
            self._populate(self._kernel_dir(hier.mount, 0o555), hier.control_files("/"))
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
                kill_file=topo.cgroup_kill,
                freeze_file=topo.cgroup_freeze,
                swap_files=topo.swap_accounting,
                namespaced=topo.cgroup_namespace,
            )
            self._mounts.append((mount, self.unified))
            root = self._lookup(mount)
            if root is None:
                root = self._kernel_dir(mount, 0o555)
            assert isinstance(root, FakeDirectory)
            self._populate(root, self.unified.control_files("/"))
            mounts.append(cgroup2_mount(mount, hybrid))
        return mounts

    def _resync(self, rel: str) -> None:
        """Give unified cgroup ``rel`` the control files its model now lists (its parent's
        ``cgroup.subtree_control`` changed): new ones appear, dropped ones go stale."""
        assert self.unified is not None
        if rel not in self.unified.nodes:
            return
        directory = self._lookup(self.unified.mount + rel)
        assert isinstance(directory, FakeDirectory)
        wanted = {spec.name: spec for spec in self.unified.control_files(rel)}
        for name, obj in list(directory.entries.items()):
            if isinstance(obj, KernfsFile) and name not in wanted:
                obj.kill()
                directory.remove_entry(name)
            wanted.pop(name, None)
        self._populate(directory, list(wanted.values()))

    def _owner_of(self, path: str) -> tuple[Owner, str] | None:
        """The model owning ``path`` and the path relative to its mount ("/" for the root)."""
        for mount, owner in self._mounts:
            if path == mount:
                return owner, "/"
            if path.startswith(mount + "/"):
                return owner, path[len(mount) :]
        return None

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
            made = self._lookup(directory)
            if made is None:
                made = self._kernel_dir(directory, 0o555 if rel.startswith("/info") else 0o755)
            assert isinstance(made, FakeDirectory)
            self._populate(made, files)

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
        self,
        *,
        cdp: bool = False,
        mba_MBps: bool = False,
        debug: bool = False,
        cdpl2: bool = False,
    ) -> None:
        """``mount -t resctrl [-o cdp,cdpl2,mba_MBps,debug] resctrl /sys/fs/resctrl``.

        Raises:
            OSError: ENODEV without RDT, EBUSY when mounted, EINVAL for ``cdp`` without CDP,
                ``cdpl2`` without L2 CDP, or ``mba_MBps`` without MBA with linear delay and
                MBM local bytes.
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
        l2 = hardware.l2
        if cdpl2 and (l2 is None or not l2.has_cdp):
            self.fs.raise_os_error(errno.EINVAL, RESCTRL_ROOT)
        if mba is not None:
            mba = dataclasses.replace(mba, mba_MBps=mba_MBps)
        if l2 is not None:
            l2 = dataclasses.replace(l2, cdp=cdpl2, cdp_capable=l2.has_cdp)
        topo = dataclasses.replace(hardware, cdp=cdp, cdp_capable=hardware.has_cdp, mba=mba, l2=l2)
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
