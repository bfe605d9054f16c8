"""Task and network-namespace calls of the kernel: spawn, fork, exit, signals, reaping,
/proc/<pid>, and ``ip netns``/``ip link``.

:class:`KernelTasks` is a mixin of :class:`~harness.fakes.kernel.SimulatedKernel`.  The process
table (:mod:`harness.fakes.proc.processes`) keeps the tasks; this layer charges ``pids.max`` at
fork, tells the freezers of a new task, gives each task its /proc directory, and keeps the
network namespaces a task or a bind mount holds (:mod:`harness.fakes.proc.netns`).
"""

from __future__ import annotations

import errno
import posixpath
from collections.abc import Callable
from typing import NoReturn

from pyfakefs.fake_file import FakeDirectory
from pyfakefs.fake_file import FakeFile
from pyfakefs.fake_filesystem import FakeFilesystem

from harness.errors import FakeKernelError
from harness.fakes._parse import KernelErrno
from harness.fakes.cgroup.v1 import V1Hierarchy
from harness.fakes.cgroup.v2 import UnifiedHierarchy
from harness.fakes.faults import FaultPlan
from harness.fakes.faults import LoggedOp
from harness.fakes.kernfs import ControlFile
from harness.fakes.proc.files import NETNS_RUN_DIR
from harness.fakes.proc.files import MountLine
from harness.fakes.proc.files import nul_list
from harness.fakes.proc.files import pid_cgroup
from harness.fakes.proc.files import pid_stat
from harness.fakes.proc.netns import NetNamespace
from harness.fakes.proc.netns import NetNamespaces
from harness.fakes.proc.netns import ns_link
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.proc.processes import SimProcess
from harness.fakes.proc.processes import Task

__all__ = ["KernelTasks"]

#: where fds 0, 1 and 2 of every simulated process point
STDIO_TARGET = "/dev/null"


class KernelTasks:
    """Processes and network namespaces; the kernel provides the attributes below."""

    fs: FakeFilesystem
    hierarchies: dict[str, V1Hierarchy]
    unified: UnifiedHierarchy | None
    _table: ProcessTable
    #: every live network namespace
    net: NetNamespaces
    #: mount point -> inode of each network namespace bind-mounted on a file
    _netns_mounts: dict[str, int]
    #: the lines of /proc/self/mountinfo (the mount table's)
    _mount_lines: list[MountLine]
    #: make kernfs files in a directory / remove a kernel directory (the VFS layer's)
    _populate: Callable[[str | FakeDirectory, list[ControlFile]], None]
    _drop_tree: Callable[[str], None]
    #: pyfakefs' own unlink, past the hooks (the VFS layer's)
    _orig_remove: Callable[[str], None]
    #: the armed faults and the audit log's recorder (the VFS layer's)
    faults: FaultPlan
    _record: Callable[[LoggedOp, str, bytes | None, int | None], None]

    # -- /proc/<pid> ------------------------------------------------------------------------
    def _task_created(self, task: Task) -> None:
        directory = f"/proc/{task.pid}"
        made = self.fs.create_dir(directory, 0o555)
        ids = {name: hier.hierarchy_id for name, hier in self.hierarchies.items()}
        unified = self.unified is not None
        self._populate(
            made,
            [
                ControlFile("stat", lambda: pid_stat(task)),
                ControlFile("cgroup", lambda: pid_cgroup(task, ids, unified=unified)),
                # a zombie has no memory map: both read empty
                ControlFile("cmdline", lambda: "" if task.zombie else nul_list(task.argv)),
                ControlFile("environ", lambda: "" if task.zombie else nul_list(task.environ)),
            ],
        )
        self.fs.create_symlink(f"{directory}/cwd", task.cwd)
        self.fs.create_dir(f"{directory}/ns", 0o511)
        assert task.netns is not None
        self.fs.create_symlink(f"{directory}/ns/net", ns_link(task.netns))
        # fds 0-2: what a runtime that gives a process no IO leaves it (Go's os/exec opens
        # /dev/null for a nil Stdin, Stdout and Stderr)
        self.fs.create_dir(f"{directory}/fd", 0o500)
        for fd in range(3):
            self.fs.create_symlink(f"{directory}/fd/{fd}", STDIO_TARGET)

    def _task_exited(self, task: Task) -> None:
        """``exit_task_namespaces``: a zombie's ns links read ENOENT; its network namespace
        goes when nothing else holds it."""
        link = f"/proc/{task.pid}/ns/net"
        if self.fs.islink(link):
            self.fs.remove_object(link)
        if self.fs.islink(f"/proc/{task.pid}/cwd"):  # nor a working directory (ENOENT)
            self.fs.remove_object(f"/proc/{task.pid}/cwd")
        for fd in range(3):  # an exited task holds no files
            if self.fs.islink(f"/proc/{task.pid}/fd/{fd}"):
                self.fs.remove_object(f"/proc/{task.pid}/fd/{fd}")
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
        program: tuple[tuple[str, ...], tuple[str, ...], str] | None = None,
    ) -> int:
        """Start a process: it joins the parent's groups (when ``parent`` is None, the runtime's:
        the cgroup roots, and the resctrl group the runtime is in, the default one unless it
        wrote 0 to another's ``tasks``).

        ``program``: its argv, environment and working directory (see ``ProcessTable.spawn``).

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
            program=program,
        )
        if parent is None and self.resctrl is not None:
            # a child of the runtime starts in the runtime's own group (pid 0 in tasks moves it)
            task.resctrl_group = self.resctrl.writer_group
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

    def execve(self, pid: int, argv: tuple[str, ...], environ: tuple[str, ...]) -> None:
        """The process execs a program: /proc/<pid>/cmdline, environ and its comm are the new
        program's; its pid, groups, namespaces and working directory stay.

        Raises:
            FakeKernelError: for no such live task, or a frozen one (frozen tasks run no code).
        """
        task = self._table.get(pid)
        if task is None or task.zombie or task.state == "frozen":
            raise FakeKernelError(f"pid {pid} is not a running process and cannot exec")
        task.argv, task.environ = argv, environ
        task.comm = posixpath.basename(argv[0])[:15] if argv else task.comm

    def exit_process(self, pid: int, code: int = 0) -> None:
        """The process exits with ``code``; a PID-namespace init takes its namespace along."""
        self._table.exit(pid, code)

    def runtime_exited(self) -> None:
        """The runtime's process ends (one runc-style command is over): its children live on
        under the host's init, which reaps them when they exit."""
        self._table.orphan_runtime_children()

    def check_fork(self, program: str) -> None:
        """The runtime's fork(2) of a child that is to exec ``program``: a fault armed on
        ("fork", ``program``) fails it, and no process is made."""
        err = self.faults.check("fork", program)
        if err is not None:
            self._record("fork", program, None, err)
            self.fs.raise_os_error(err)

    def deliver_signal(self, pid: int, sig: int) -> None:
        """``kill(2)``: ESRCH for a missing pid, frozen tasks hold fatal signals until thawed; a
        fault armed on ("kill", /proc/<pid>) fails it first, and nothing is delivered."""
        err = self.faults.check("kill", f"/proc/{pid}")
        if err is not None:
            self._record("kill", f"/proc/{pid}", None, err)
            self.fs.raise_os_error(err)
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

    def set_exit_delay(self, pid: int, seconds: float) -> None:
        """Make a fatal signal take ``seconds`` of virtual time to end ``pid``."""
        try:
            self._table.set_exit_delay(pid, seconds)
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
