"""The simulated kernel: boots a host tree on a pyfakefs filesystem and hooks its syscalls.

Network namespaces (:mod:`harness.fakes.proc.netns`) are objects with interfaces; each task is
in one, ``/proc/<pid>/ns/net`` reads (``readlink``) as ``net:[<inode>]``, and a named one is a
bind mount of its nsfs file at ``/run/netns/<name>`` (a mountinfo line whose root is
``net:[<inode>]``).

The cgroup layout follows ``Topology.cgroup_mode``: v1 hierarchies at /sys/fs/cgroup/<name>,
cgroup2 at /sys/fs/cgroup ("v2") or /sys/fs/cgroup/unified next to the v1 ones ("hybrid").

It is composed of one layer per concern: the mount table (:mod:`harness.fakes.mounts`), the
VFS hooks with the fault plan and the audit log (:mod:`harness.fakes.vfs`), task and network
namespace calls (:mod:`harness.fakes.tasks`), and the cgroup queries the harness asks
(:mod:`harness.fakes.cgroup.queries`).
"""

from __future__ import annotations

from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.fake_filesystem import OSType

from harness.fakes import fast_paths
from harness.fakes.cgroup.block import partitions
from harness.fakes.cgroup.queries import CgroupQueries
from harness.fakes.cgroup.queries import check_cgroup_layout
from harness.fakes.cgroup.v1 import V1Hierarchy
from harness.fakes.cgroup.v2 import UNIFIED
from harness.fakes.cgroup.v2 import UnifiedHierarchy
from harness.fakes.clock import VirtualClock
from harness.fakes.faults import FaultPlan
from harness.fakes.faults import KernelOp
from harness.fakes.kernfs import ControlFile
from harness.fakes.kernfs_open import attach as attach_kernfs
from harness.fakes.kernfs_ops import MAX_WRITE
from harness.fakes.kernfs_ops import KernfsOps
from harness.fakes.mounts import KernelMounts
from harness.fakes.mounts import Owner
from harness.fakes.proc.files import CGROUP_ROOT
from harness.fakes.proc.files import RESCTRL_ROOT
from harness.fakes.proc.files import base_mounts
from harness.fakes.proc.files import cpuinfo
from harness.fakes.proc.files import mountinfo
from harness.fakes.proc.netns import NetNamespaces
from harness.fakes.proc.netns import ns_link
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.proc.programs import CONTAINER_PROGRAMS
from harness.fakes.proc.programs import ProgramRegistry
from harness.fakes.proc.programs import install_file
from harness.fakes.releases import release_of
from harness.fakes.resctrl.fs import ResctrlFs
from harness.fakes.tasks import KernelTasks
from harness.fakes.topology import DEFAULT_TOPOLOGY
from harness.fakes.topology import Topology
from harness.fakes.vfs import VfsHooks

__all__ = ["MAX_WRITE", "SimulatedKernel"]


class SimulatedKernel(CgroupQueries, KernelMounts, VfsHooks, KernfsOps, KernelTasks):
    """A host (processes, /proc, cgroup v1/v2/hybrid, resctrl) simulated on pyfakefs."""

    def __init__(self, fs: FakeFilesystem, topology: Topology = DEFAULT_TOPOLOGY) -> None:
        check_cgroup_layout(topology)
        if fs.os != OSType.LINUX:
            fs.os = OSType.LINUX  # resets the filesystem, so it comes first
        self.fs = fs
        fast_paths.install(fs)
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
        self._boot()
        self._install_hooks()
        attach_kernfs(fs, self)

    # -- boot -------------------------------------------------------------------------------
    def _boot(self) -> None:
        fs, topo = self.fs, self.topology
        for path in ("/proc/self", "/run", "/tmp", CGROUP_ROOT):
            if not fs.exists(path):
                fs.create_dir(path)
        for program in CONTAINER_PROGRAMS:
            install_file(fs, program)
        mounts = base_mounts() + self._mount_cgroups()
        if topo.resctrl is not None:
            fs.create_dir(RESCTRL_ROOT, 0o755)
        self._mount_lines = mounts
        if topo.resctrl is not None and topo.resctrl_mounted:
            self._mount_resctrl(topo.resctrl)
        text_cpuinfo = cpuinfo(topo)
        self._populate(
            "/proc",
            [
                ControlFile("cpuinfo", lambda: text_cpuinfo),
                ControlFile("partitions", lambda: partitions()),
            ],
        )
        fs.create_dir("/proc/sys/kernel", 0o555)
        release = release_of(topo) + "\n"
        self._populate("/proc/sys/kernel", [ControlFile("osrelease", lambda: release)])
        self._populate(
            "/proc/self", [ControlFile("mountinfo", lambda: mountinfo(self._mount_lines))]
        )
        # the runtime's (and the harness's) own process is in the host's network namespace
        fs.create_dir("/proc/self/ns", 0o511)
        fs.create_symlink("/proc/self/ns/net", ns_link(self.net.init.inode))
