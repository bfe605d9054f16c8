"""This machine as a host: real processes, real cgroupfs, real hook programs, real faults.

The machine is shared.  A real host owns a prefix, ``rtgate-<pid>-t<start time>-<n>`` (unique
per process, so xdist workers never meet, and per process ever, so a reused pid never meets an
old run's leftovers: :mod:`.ownership`), and every container id, cgroup, resctrl group, state
dir, hook program and mount it hands out carries it.  :meth:`RealHost.close` runs even when a
test fails or a signal stops the run (:mod:`harness.interrupts`): it undoes the host's mounts,
thaws its groups, kills and reaps the processes it or its subject started, removes its groups
deepest first and its directories, and reports whatever it could not undo.  It never signals,
moves or removes anything without the prefix or that it did not start.

A fault (an ``rmdir`` that fails with EBUSY, a write to ``freezer.state`` that fails) reaches the
subject's commands run as programs, through the syscall fault engine (:mod:`.command_faults`).
What the real kernel cannot be made to do on purpose (fail an operation of the harness's own
process, keep one task from freezing) raises :class:`HostCannot` with the reason, which the
scenario turns into a skip.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from typing import Any

from harness import interrupts
from harness.hookscripts import hook_runs
from harness.hookscripts import write_recording_hook
from harness.hosts.base import CGROUP_ROOT
from harness.hosts.base import POLL_INTERVAL_S
from harness.hosts.base import RESCTRL
from harness.hosts.base import SETTLE_DEADLINE_S
from harness.hosts.base import HookProgram
from harness.hosts.base import HostCannot
from harness.hosts.base import HostFiles
from harness.hosts.base import KernelOp
from harness.hosts.base import ProgramRun
from harness.hosts.command_faults import CommandFaults
from harness.hosts.facts import child_stats
from harness.hosts.facts import describe_real
from harness.hosts.netns import NamedNamespaces
from harness.hosts.netns import interfaces_of
from harness.hosts.ownership import kill
from harness.hosts.ownership import mark_children
from harness.hosts.ownership import owner_tag
from harness.hosts.ownership import pids_in
from harness.hosts.ownership import remove_group
from harness.hosts.ownership import start_helper
from harness.hosts.ownership import thaw
from harness.hosts.processes import descendants
from harness.hosts.processes import end_new_descendants
from harness.hosts.processes import in_fifo_open
from harness.hosts.processes import reap
from harness.hosts.processes import set_child_subreaper
from harness.hosts.processes import zombie_children
from harness.hosts.runtime_group import in_resctrl_group
from reference_impl.system import ProcessSpec
from reference_impl.system import RealSystem

__all__ = [
    "PREFIX",
    "RealHost",
    "TrackedSystem",
    "describe_real",
    "real_host",
    "close_open_hosts",
    "real_host_unavailable",
]

#: every name a real host hands out starts with this
PREFIX = "rtgate"
RUN_DIR = "/run"
#: a helper process outlives a crashed run by at most this many seconds
_HELPER_SECONDS = "600"
_hosts = itertools.count(1)
#: hosts made and not closed yet: what a stopping run closes when its owner's teardown never
#: comes (a signal between a fixture's setup and pytest's record of its teardown)
_open_hosts: dict[int, RealHost] = {}
#: the processes below this one when it made its first host (pid 0: taken, none), which no
#: host ends
_before_hosts: dict[int, int] = {}


def real_host_unavailable() -> str | None:
    """Why this machine cannot be a real host (what was probed), or None."""
    if os.geteuid() != 0:
        return f"a real host needs root to make cgroups and mounts (euid is {os.geteuid()})"
    if not os.path.isdir(CGROUP_ROOT) or not os.listdir(CGROUP_ROOT):
        return f"no cgroup filesystem is mounted at {CGROUP_ROOT}"
    return None


class TrackedSystem(RealSystem):
    """The real System, remembering every process it started so the host can clean up."""

    def __init__(self) -> None:
        super().__init__()
        self.started: dict[int, subprocess.Popen[bytes]] = {}

    def spawn(self, spec: ProcessSpec) -> int:
        with interrupts.shielded():  # started means remembered, whatever signal comes
            pid = super().spawn(spec)
            self.started[pid] = self._children[pid]
        return pid


# -- what the subject did, seen through Python's audit hooks ---------------------------------
_recorders: list[list[KernelOp]] = []
_AUDITED = {"os.mkdir": "mkdir", "os.rmdir": "rmdir", "os.remove": "unlink", "os.rename": "rename"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """Record kernel-file operations made in this process (the in-process subject's), and the
    programs it runs under the run dir (its hooks)."""
    if not _recorders or (event not in ("open", "subprocess.Popen") and event not in _AUDITED):
        return
    path = args[0]
    if event == "subprocess.Popen":
        path = path if path is not None else (list(args[1])[:1] or [None])[0]
        if isinstance(path, (str, bytes)):
            path = os.fsdecode(path)
            if path.startswith(RUN_DIR + "/"):
                _record(KernelOp("exec", path))
        return
    if not isinstance(path, str) or not path.startswith(("/sys/", RUN_DIR + "/")):
        return
    if event == "open":
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        if not flags & _WRITE_FLAGS:
            return
        op = KernelOp("write", path)
    else:
        op = KernelOp(_AUDITED[event], path)  # type: ignore[arg-type]
    _record(op)


def _record(op: KernelOp) -> None:
    for recorder in _recorders:
        recorder.append(op)


_audit_installed = False


def _start_recording(log: list[KernelOp]) -> None:
    global _audit_installed
    if not _audit_installed:
        sys.addaudithook(_audit)  # hooks cannot be removed; it is idle without recorders
        _audit_installed = True
    _recorders.append(log)


class RealHost(HostFiles):
    """This machine, under a prefix of its own."""

    name = "real"
    preset = "real"
    #: Python's audit events show the path of a write, not its bytes or its result
    records_write_data = False
    settle_s = SETTLE_DEADLINE_S
    #: a container's process runs the program its args name
    executes_programs = True
    virtual_clock = False

    def __init__(self) -> None:
        # a signal stops the process in order (harness.interrupts), so this host is closed
        interrupts.install()
        mark_children()
        self.prefix = f"{PREFIX}-{owner_tag()}-{next(_hosts)}"
        self.root = os.path.join(RUN_DIR, self.prefix)
        self.state_root = os.path.join(self.root, "state")
        self.hook_dir = os.path.join(self.root, "hooks")
        self.bundle_root = os.path.join(self.root, "bundles")
        self.system = TrackedSystem()
        self._helpers: dict[int, subprocess.Popen[bytes]] = {}
        self._pins: list[str] = []
        self._log: list[KernelOp] = []
        self.command_faults = CommandFaults(self.prefix)
        #: the tasks file of the resctrl group the subject's commands start in (None: the
        #: harness's own group)
        self._runtime_tasks: str | None = None
        #: named network namespaces this host mounted
        self._netns = NamedNamespaces()
        # Processes a subject starts in commands of their own (runc-style CLIs) outlive those
        # commands; as this host's subreaper it gets them when orphaned and reaps them as an
        # init would (this machine's pid 1 may not), so a dead init leaves no zombie.
        set_child_subreaper(True)
        self._closed = False
        _open_hosts[id(self)] = self
        if not _before_hosts:
            _before_hosts.update(descendants() or {0: 0})
        os.makedirs(self.state_root, 0o711)
        os.makedirs(os.path.join(self.hook_dir, ".runs"), 0o755)
        _start_recording(self._log)

    def describe(self) -> str:
        return "this host"

    # -- names -------------------------------------------------------------------------------
    def container_id(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def cgroup_path(self, name: str) -> str:
        return "/" + self.container_id(name.lstrip("/"))

    # -- hooks -------------------------------------------------------------------------------
    def hook_program(self, name: str, program: HookProgram) -> str:
        """Write a shell script that records its run, then behaves as ``program`` says."""
        return write_recording_hook(
            self.hook_dir,
            name,
            exit_code=program.code,
            hang=program.behaviour == "hang",
            stderr=program.stderr,
            stdout=program.stdout,
            hang_s=int(_HELPER_SECONDS),
            init_program=program.init_program,
            init_wait_s=program.init_wait_s,
        )

    def hook_runs(self, path: str) -> list[ProgramRun]:
        """Each recorded run of the hook at ``path``, oldest first."""
        return [
            ProgramRun(
                args=run.args,
                env=run.env,
                stdin=run.stdin,
                at=run.at_ns / 1e9,
                seq=run.seq,
                pid=run.pid,
                init_argv0=run.init_argv0,
            )
            for run in hook_runs(self.hook_dir, os.path.basename(path))
        ]

    # -- processes ---------------------------------------------------------------------------
    def start_process(self, comm: str = "outsider") -> int:
        """A sleeping process of the harness, where the harness runs (no container's)."""
        return self._helper(["sleep", _HELPER_SECONDS])

    def _helper(self, argv: list[str]) -> int:
        """Start a helper process of the harness; it is killed and reaped at close."""
        with interrupts.shielded():  # started means remembered, whatever signal comes
            proc = start_helper(argv)
            self._helpers[proc.pid] = proc
        return proc.pid

    def _check_own(self, pid: int) -> None:
        if pid not in self._helpers and pid not in self.system.started:
            raise HostCannot(f"pid {pid} was not started by this run; a real host leaves it alone")

    def fork(self, pid: int) -> int:
        """A second process in every cgroup of ``pid`` that this host owns.

        A real process cannot be made to fork from outside; a harness process moved into the
        same groups is, for the cgroup rules, the same thing: a process of the container's
        cgroup that is not its init.
        """
        self._check_own(pid)
        other = self.start_process("fork")
        with open(f"/proc/{pid}/cgroup", encoding="utf-8") as f:
            lines = [line.rstrip("\n").split(":", 2) for line in f]
        for _, controllers, path in lines:
            if not path.lstrip("/").startswith(self.prefix):
                continue
            hierarchy = "unified" if controllers == "" else controllers.split(",")[0]
            hierarchy = hierarchy.removeprefix("name=")
            self.move_to_cgroup(other, hierarchy, path)
        return other

    def end_process(self, pid: int) -> None:
        """``pid`` ends (SIGTERM) and is waited for until it is a zombie or gone."""
        self._check_own(pid)
        os.kill(pid, signal.SIGTERM)
        self.await_exit(pid)

    def await_fifo_open(self, pid: int) -> None:
        """Wait until ``pid`` sleeps in the open of a FIFO, waiting for the other end
        (/proc/<pid>/wchan says wait_for_partner; /proc/<pid>/syscall shows the open)."""
        deadline = time.monotonic() + SETTLE_DEADLINE_S
        while not in_fifo_open(pid):
            if time.monotonic() > deadline:
                raise AssertionError(f"pid {pid} never blocked in the open of a FIFO")
            time.sleep(POLL_INTERVAL_S)

    def close_fifo_unwritten(self, path: str) -> None:
        """A writer opens the FIFO and closes it without writing (a helper process: the open
        blocks until the reader comes)."""
        self._helper(["/bin/sh", "-c", ': > "$0"', path])

    def runtime_exited(self, waited_for: int | None = None) -> None:
        """Reap the exited orphans a subject's commands left, as an init would; not the
        processes this host or its System wait for themselves, nor ``waited_for`` (a command
        whose exit status its caller still wants)."""
        own = set(self.system.started) | set(self._helpers) | {waited_for}
        for pid in zombie_children():
            if pid not in own:
                reap(pid)

    def slow_to_exit(self, pid: int) -> None:
        """Nothing to do: the real kernel ends a killed process a moment after kill(2)
        returns (its exit runs in the task's own context), never at once."""

    def slow_to_freeze(self, reads: int) -> int:
        raise HostCannot(
            "a real kernel cannot be made to keep one task from freezing for a number of reads"
        )

    def write_after_sleep(self, path: str, data: str, seconds: float) -> None:
        raise HostCannot("a real host cannot place a write inside a runtime's sleep")

    def live_processes(self) -> set[int]:
        """Live processes a runtime's command could have left: the live children of this
        process, which as the host's subreaper receives whatever a command leaves behind."""
        return {stat.pid for stat in child_stats() if not stat.exited}

    def live_children(self) -> set[int]:
        """Live processes the subject started."""
        return {pid for pid in self.system.started if self.is_alive(pid)}

    # -- network namespaces ------------------------------------------------------------------
    def make_netns(self, name: str, interface: str) -> str:
        """A named network namespace holding a virtual ``interface`` (see
        :meth:`NamedNamespaces.make`); returns its path, which :meth:`close` unmounts and
        removes."""
        path = self.netns_path(name)
        self._netns.make(path, interface)
        return path

    def netns_links(self, path: str) -> list[str]:
        """Names of the interfaces in the namespace mounted at ``path`` (see
        :func:`interfaces_of`)."""
        return interfaces_of(path)

    # -- what the kernel saw, and faults -----------------------------------------------------
    def operations(self) -> list[KernelOp]:
        """Writes, mkdirs, rmdirs, unlinks and renames of kernel and run files made in this
        process since the host was made; paths only (no data, no errno)."""
        return self._log

    def pin_dir(self, path: str) -> None:
        """rmdir of ``path`` fails with EBUSY: a bind mount of the directory on itself makes it
        a mount point (the VFS refuses to remove one) and changes nothing else."""
        if not os.path.basename(path.rstrip("/")).startswith(self.prefix):
            raise HostCannot(f"{path} does not carry this run's prefix; it is not ours to pin")
        _run(["mount", "--bind", path, path])
        self._pins.append(path)

    def fail(self, op: str, path: str, err: int, nth: int = 1, every: bool = False) -> Any:
        """The ``nth`` next ``op`` on ``path`` by the subject's command fails with ``err``
        (``every``: each one from then on); see :class:`CommandFaults` for what it reaches."""
        return self.command_faults.arm(op, path, err, nth=nth, every=every)

    def fired(self, fault: Any) -> bool:
        return self.command_faults.fired(fault)

    def launching(self) -> AbstractContextManager[dict[str, Any]]:
        """Around the Popen of one command of the subject: what puts it under the faults,
        and in the resctrl group of :meth:`runtime_in_resctrl_group`."""
        return in_resctrl_group(self._runtime_tasks, self.command_faults.launching())

    @contextmanager
    def runtime_in_resctrl_group(self, group: str) -> Iterator[None]:
        """The subject's commands start in resctrl group ``group`` (one of this host's, by
        its path below the root) for the block: what they start is born there."""
        self._runtime_tasks = os.path.join(RESCTRL, group, "tasks")
        try:
            yield
        finally:
            self._runtime_tasks = None

    def commands_run_as_programs(self) -> None:
        self.command_faults.commands_run_as_programs()

    def clear_faults(self) -> None:
        self.command_faults.clear()
        while self._pins:
            _run(["umount", self._pins.pop()])

    # -- cleanup -----------------------------------------------------------------------------
    def _thawed_groups(self) -> list[str]:
        """Every cgroup and resctrl group of this host, deepest first, thawed (a task the v1
        freezer holds does not die of SIGKILL)."""
        roots = (
            [CGROUP_ROOT]
            if self.cgroup_mode() == "v2"
            else [os.path.join(CGROUP_ROOT, name) for name in sorted(os.listdir(CGROUP_ROOT))]
        )
        groups = []
        for root in roots:
            for top in self._prefixed(root):
                for parent, dirs, _ in os.walk(top):
                    groups.extend(os.path.join(parent, d) for d in dirs)
                groups.append(top)
        # resctrl: removing a group takes its monitoring groups and files along
        if os.path.isdir(os.path.join(RESCTRL, "info")):
            groups += self._prefixed(os.path.join(RESCTRL, "mon_groups")) + self._prefixed(RESCTRL)
        for group in groups:
            thaw(group)
        return sorted(groups, key=lambda p: p.count("/"), reverse=True)

    def _prefixed(self, root: str) -> list[str]:
        if not os.path.isdir(root):
            return []
        return [os.path.join(root, n) for n in sorted(os.listdir(root))
                if n.startswith(self.prefix) and os.path.isdir(os.path.join(root, n))]  # fmt: skip

    def close(self) -> list[str]:
        """Undo everything this host made; returns what could not be undone.  Once: a
        second call finds nothing to do."""
        if self._closed:
            return []
        self._closed = True
        _open_hosts.pop(id(self), None)
        problems: list[str] = []
        if self._log in _recorders:
            _recorders.remove(self._log)
        try:
            self.clear_faults()
        except OSError as err:
            problems.append(str(err))
        groups = self._thawed_groups()
        if interrupts.received():  # stopping: a command cut short still runs and makes groups
            end_new_descendants(_before_hosts, SETTLE_DEADLINE_S)  # and state under root
            groups = self._thawed_groups()  # listed once nothing of the run can add one
        procs = {**self.system.started, **self._helpers}
        for proc in procs.values():
            if proc.returncode is None:
                proc.kill()  # Popen never signals a pid it has already reaped
        # what a subject started in other processes (a runc-style CLI's init) is not our
        # child, but it sits in our groups, which only hold what this run put there
        for group in groups:
            for pid in pids_in(group):
                if pid not in procs:
                    kill(pid)
        for pid, proc in procs.items():
            try:
                proc.wait(timeout=SETTLE_DEADLINE_S)
            except subprocess.TimeoutExpired:
                problems.append(f"process {pid} did not die")
        deadline = time.monotonic() + SETTLE_DEADLINE_S
        while any(pids_in(g) for g in groups) and time.monotonic() < deadline:
            self.runtime_exited()  # killed orphans become our zombies: reap them
            time.sleep(POLL_INTERVAL_S)
        self.runtime_exited()
        for group in groups:
            problem = remove_group(group, SETTLE_DEADLINE_S)
            if problem:
                problems.append(problem)
        problems += self._netns.remove_all()
        set_child_subreaper(False)
        shutil.rmtree(self.root, ignore_errors=True)
        if os.path.exists(self.root):
            problems.append(f"{self.root} could not be removed")
        return problems


def close_open_hosts() -> list[str]:
    """Close every host of this process still open (see :data:`_open_hosts`); what could not
    be undone."""
    problems: list[str] = []
    with interrupts.shielded(raise_after=False):
        for host in list(_open_hosts.values()):
            problems += host.close()
    return problems


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise OSError(f"{' '.join(argv)}: {done.stderr.strip() or done.returncode}")


@contextmanager
def real_host() -> Iterator[RealHost]:
    """This machine as a host for one test; everything it made is removed on exit.

    Raises:
        AssertionError: at exit, when something could not be removed (named).
    """
    host = None
    try:
        with interrupts.shielded():  # a signal now waits until the host is whole, then
            host = RealHost()  # unwinds through close below
        yield host
    finally:
        if host is not None:
            with interrupts.shielded():  # a second signal does not cut the cleanup short
                problems = host.close()
            if problems:
                raise AssertionError("the real host could not clean up: " + "; ".join(problems))
