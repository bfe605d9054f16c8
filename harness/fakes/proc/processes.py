"""The process table: pids, parents, PID and network namespaces, signals, exit and reaping.

It knows nothing of files.  Cgroup and resctrl membership are stored on each task (hierarchy name
-> cgroup path, and the resctrl group), because the kernel keeps them on the task too; the
cgroup and resctrl models read and change them.  The v1 freezer freezes and thaws tasks through
:meth:`ProcessTable.freeze` and :meth:`ProcessTable.thaw`, the cgroup2 freezer through
:meth:`ProcessTable.freeze2` and :meth:`ProcessTable.thaw2`: a task frozen by v1 holds a fatal
signal until thawed, one frozen by cgroup2 dies at once (its fatal signal wakes it).

Each task is in one network namespace (its inode, see :mod:`harness.fakes.proc.netns`): its
parent's, or one the kernel model chose at spawn (a new one, or one joined by path).  An exiting
task drops it, as ``exit_task_namespaces`` does, before it becomes a zombie; ``on_exit`` tells the
kernel.

Exit statuses follow ``subprocess.Popen.returncode`` (what ``RealSystem.wait`` returns): the exit
code, or ``-signal`` for a task killed by a signal.
"""

from __future__ import annotations

import errno
import signal as signal_module
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Literal

from harness.errors import FakeKernelError
from harness.fakes._parse import KernelErrno
from harness.fakes.clock import VirtualClock
from harness.fakes.proc.netns import INIT_NET_INODE

__all__ = [
    "FATAL_BY_DEFAULT",
    "HOST_INIT_PID",
    "RUNTIME_PID",
    "ProcState",
    "ProcessTable",
    "SimProcess",
    "Task",
]

ProcState = Literal["running", "frozen", "zombie"]

#: the pid the runtime under test has; the parent (ppid) of every process it spawns
RUNTIME_PID = 999
#: the host's init, which adopts orphans and reaps them at once
HOST_INIT_PID = 1
FIRST_PID = 1000
#: signals whose default action is not "terminate": ignore (CHLD, CONT, URG, WINCH) or stop
#: (STOP, TSTP, TTIN, TTOU; stopping is not modelled, these are ignored)
_NOT_FATAL: frozenset[int] = frozenset(
    {
        signal_module.SIGCHLD,
        signal_module.SIGCONT,
        signal_module.SIGURG,
        signal_module.SIGWINCH,
        signal_module.SIGSTOP,
        signal_module.SIGTSTP,
        signal_module.SIGTTIN,
        signal_module.SIGTTOU,
    }
)
#: every signal number 1..64 whose default action terminates the task
FATAL_BY_DEFAULT: frozenset[int] = frozenset(range(1, 65)) - _NOT_FATAL - {32, 33}
_UNBLOCKABLE: frozenset[int] = frozenset({signal_module.SIGKILL, signal_module.SIGSTOP})


@dataclass(slots=True)
class Task:
    """A task as the kernel holds it (mutable; the public view is :class:`SimProcess`)."""

    pid: int
    #: None: a child of the runtime (becomes a zombie until reaped); else the parent's pid
    parent: int | None
    comm: str
    start_time: int
    cgroups: dict[str, str]
    resctrl_group: str
    #: pid of the init of the task's innermost PID namespace; None for the host namespace
    pidns: int | None
    #: inode of the task's network namespace; None once it has exited (a zombie holds none)
    netns: int | None = INIT_NET_INODE
    zombie: bool = False
    exit_code: int | None = None
    frozen: bool = False
    #: stopped by the cgroup2 freezer (``cgroup.freeze``)
    frozen2: bool = False
    #: freezer.state reads that observe this task still not frozen before it freezes
    freeze_resist: int = 0
    #: a fatal signal waiting for the task to thaw
    pending: int | None = None
    #: seconds of virtual time a fatal signal takes to end the task (a process tearing down a
    #: large address space); 0: at once
    exit_delay: float = 0.0
    #: a fatal signal arrived and the task ends once ``exit_delay`` has passed
    dying: bool = False
    ignored: set[int] = field(default_factory=set)
    #: what execve gave it: /proc/<pid>/cmdline, environ and the cwd link
    argv: tuple[str, ...] = ()
    environ: tuple[str, ...] = ()
    cwd: str = "/"

    @property
    def state(self) -> ProcState:
        """running, frozen (by either freezer) or zombie."""
        if self.zombie:
            return "zombie"
        return "frozen" if self.frozen or self.frozen2 else "running"

    @property
    def ppid(self) -> int:
        """The parent pid as /proc shows it."""
        return RUNTIME_PID if self.parent is None else self.parent


@dataclass(frozen=True, slots=True)
class SimProcess:
    """A snapshot of one process, for assertions."""

    pid: int
    ppid: int
    comm: str
    state: ProcState
    start_time: int
    exit_code: int | None
    #: hierarchy -> cgroup path, like "/mycontainer" (a copy); v1 hierarchies by name ("cpu",
    #: "name=systemd"), the cgroup2 hierarchy as "unified"
    cgroups: dict[str, str]
    #: "/" for the default group, else "/<group>"
    resctrl_group: str
    #: pid of the init of its PID namespace, None for the host namespace
    pidns: int | None
    #: a fatal signal held until the task is thawed
    pending_signal: int | None
    #: inode of its network namespace, None after it exited
    netns: int | None = INIT_NET_INODE

    @classmethod
    def of(cls, task: Task) -> SimProcess:
        """Freeze a task's current state into a value."""
        return cls(
            pid=task.pid,
            ppid=task.ppid,
            comm=task.comm,
            state=task.state,
            start_time=task.start_time,
            exit_code=task.exit_code,
            cgroups=dict(task.cgroups),
            resctrl_group=task.resctrl_group,
            pidns=task.pidns,
            pending_signal=task.pending,
            netns=task.netns,
        )


class ProcessTable:
    """All tasks of the simulated host, with fork, exit, kill and wait semantics."""

    def __init__(
        self,
        clock: VirtualClock,
        hierarchies: tuple[str, ...],
        on_created: Callable[[Task], None],
        on_gone: Callable[[int], None],
        on_exit: Callable[[Task], None] | None = None,
    ) -> None:
        self._clock = clock
        self._on_exit = on_exit
        self._hierarchies = hierarchies
        self._on_created = on_created
        self._on_gone = on_gone
        self._tasks: dict[int, Task] = {}
        self._next_pid = FIRST_PID

    # -- lookup -----------------------------------------------------------------------------
    def get(self, pid: int) -> Task | None:
        """The task with ``pid`` (zombies included), or None."""
        return self._tasks.get(pid)

    def tasks(self) -> list[Task]:
        """Every task, zombies included, in pid order."""
        return [self._tasks[pid] for pid in sorted(self._tasks)]

    def live(self) -> list[Task]:
        """Every task that has not exited, in pid order."""
        return [task for task in self.tasks() if not task.zombie]

    # -- creation ---------------------------------------------------------------------------
    def spawn(
        self,
        comm: str,
        *,
        parent: int | None = None,
        namespaces: tuple[str, ...] = (),
        freeze_resistant_reads: int = 0,
        netns: int | None = None,
        program: tuple[tuple[str, ...], tuple[str, ...], str] | None = None,
    ) -> Task:
        """Create a task; it inherits the parent's groups, or starts in the roots.

        ``netns``: the inode of the network namespace it gets (new or joined, the kernel model
        decides); None: its parent's, or the host's for a child of the runtime.
        ``program``: the argv, environment and working directory it runs with; None: its
        parent's (a fork), or ``comm`` alone in / with no environment.

        Raises:
            FakeKernelError: when ``parent`` is not a live task (it could not fork).
        """
        pid = self._next_pid
        self._next_pid += 1
        if parent is None:
            cgroups = {name: "/" for name in self._hierarchies}
            resctrl_group, pidns, inherited_net = "/", None, INIT_NET_INODE
        else:
            source = self._tasks.get(parent)
            if source is None or source.zombie:
                raise FakeKernelError(f"pid {parent} is not a live process and cannot fork")
            cgroups, resctrl_group, pidns = dict(source.cgroups), source.resctrl_group, source.pidns
            inherited_net = source.netns
            if program is None:
                program = (source.argv, source.environ, source.cwd)
        argv, environ, cwd = program if program is not None else ((comm,), (), "/")
        if "pid" in namespaces:
            pidns = pid
        task = Task(
            pid=pid,
            parent=parent,
            comm=comm[:15],
            start_time=self._clock.ticks(),
            cgroups=cgroups,
            resctrl_group=resctrl_group,
            pidns=pidns,
            netns=inherited_net if netns is None else netns,
            freeze_resist=freeze_resistant_reads,
            argv=argv,
            environ=environ,
            cwd=cwd,
        )
        self._tasks[pid] = task
        self._on_created(task)
        return task

    # -- signals ----------------------------------------------------------------------------
    def deliver(self, pid: int, sig: int) -> None:
        """``kill(pid, sig)`` for one pid.

        Raises:
            KernelErrno: EINVAL for a bad signal number, ESRCH for no such process.
            FakeKernelError: for pid <= 0 (process groups are not modelled).
        """
        if pid <= 0:
            raise FakeKernelError(f"kill({pid}, ...) targets a process group; not modelled")
        if not 0 <= sig <= 64:
            raise KernelErrno(errno.EINVAL)
        task = self._tasks.get(pid)
        if task is None:
            raise KernelErrno(errno.ESRCH)
        if sig == 0 or task.zombie:
            return
        if sig in task.ignored and sig not in _UNBLOCKABLE:
            return
        if sig not in FATAL_BY_DEFAULT:
            return
        if task.frozen:
            # A task frozen by the v1 freezer only acts on signals once thawed.
            if task.pending != signal_module.SIGKILL:
                task.pending = sig
            return
        self._kill(task, -sig)

    def ignore_signals(self, pid: int, *sigs: int) -> None:
        """Let a task ignore (handle) signals; SIGKILL and SIGSTOP cannot be ignored.

        Raises:
            KernelErrno: ESRCH for no such task, EINVAL for SIGKILL/SIGSTOP.
        """
        task = self._tasks.get(pid)
        if task is None or task.zombie:
            raise KernelErrno(errno.ESRCH)
        if any(sig in _UNBLOCKABLE for sig in sigs):
            raise KernelErrno(errno.EINVAL)
        task.ignored.update(sigs)

    # -- freezer ----------------------------------------------------------------------------
    def freeze(self, task: Task) -> None:
        """The freezer stopped ``task``."""
        if not task.zombie:
            task.frozen = True

    def freeze2(self, task: Task) -> None:
        """The cgroup2 freezer stopped ``task``."""
        if not task.zombie:
            task.frozen2 = True

    def thaw2(self, task: Task) -> None:
        """The cgroup2 freezer let ``task`` run again."""
        task.frozen2 = False

    def thaw(self, task: Task) -> None:
        """The freezer let ``task`` run again; a pending fatal signal now kills it."""
        if task.zombie or not task.frozen:
            return
        task.frozen = False
        if task.pending is not None:
            sig, task.pending = task.pending, None
            self._kill(task, -sig)

    def set_exit_delay(self, pid: int, seconds: float) -> None:
        """Make a fatal signal take ``seconds`` of virtual time to end ``pid``.

        Raises:
            KernelErrno: ESRCH for no such live task.
        """
        task = self._tasks.get(pid)
        if task is None or task.zombie:
            raise KernelErrno(errno.ESRCH)
        task.exit_delay = seconds

    # -- exit and wait ----------------------------------------------------------------------
    def exit(self, pid: int, code: int = 0) -> None:
        """The task calls ``exit(code)``.

        Raises:
            FakeKernelError: for no such live task, or a frozen one (frozen tasks run no code).
        """
        task = self._tasks.get(pid)
        if task is None or task.zombie:
            raise FakeKernelError(f"pid {pid} is not a live process; it cannot exit")
        if task.frozen or task.frozen2:
            raise FakeKernelError(f"pid {pid} is frozen; a frozen task cannot exit")
        self._terminate(task, code)

    def reap(self, pid: int) -> int:
        """``waitpid`` by the runtime: the status of a zombie child, which then disappears.

        Raises:
            KernelErrno: ECHILD when ``pid`` is not (or no longer) a child of the runtime.
            FakeKernelError: when the child is still alive (the caller must check first).
        """
        task = self._tasks.get(pid)
        if task is None or task.parent is not None:
            raise KernelErrno(errno.ECHILD)
        if not task.zombie:
            raise FakeKernelError(f"pid {pid} is still alive; waiting would block forever")
        del self._tasks[pid]
        self._on_gone(pid)
        assert task.exit_code is not None
        return task.exit_code

    def orphan_runtime_children(self) -> None:
        """The runtime process exits: its live children are reparented to the host's init,
        which reaps its zombie children at once."""
        for task in list(self._tasks.values()):
            if task.parent is not None:
                continue
            if task.zombie:
                del self._tasks[task.pid]
                self._on_gone(task.pid)
            else:
                task.parent = HOST_INIT_PID

    def _kill(self, task: Task, status: int) -> None:
        """A fatal signal ends ``task``: at once, or after its ``exit_delay`` (once)."""
        if not task.exit_delay:
            self._terminate(task, status)
            return
        if task.dying:
            return
        task.dying = True

        def end() -> None:
            if self._tasks.get(task.pid) is task and not task.zombie:
                self._terminate(task, status)

        self._clock.call_at(self._clock.monotonic() + task.exit_delay, end)

    def _terminate(self, task: Task, status: int) -> None:
        task.frozen = False
        task.frozen2 = False
        task.pending = None
        task.exit_code = status
        task.netns = None  # exit_task_namespaces
        if self._on_exit is not None:
            self._on_exit(task)
        for child in self._tasks.values():
            if child.parent == task.pid:
                child.parent = HOST_INIT_PID
        if task.parent is None:
            task.zombie = True
        else:
            del self._tasks[task.pid]
            self._on_gone(task.pid)
        if task.pidns == task.pid:
            # zap_pid_ns_processes: every other member of the namespace gets SIGKILL.
            for member in list(self._tasks.values()):
                alive = self._tasks.get(member.pid) is member and not member.zombie
                if alive and member.pidns == task.pid and member is not task:
                    self.deliver(member.pid, signal_module.SIGKILL)
