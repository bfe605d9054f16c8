"""A simulated host for one test: the kernel model, the matching System, a state root.

Everything a scenario may ask a host is answered here from the model: the file reads of
:class:`HostFiles`, plus what only a kernel model can tell (every operation it saw, with its data
and outcome) or do (fail any operation on purpose).
"""

from __future__ import annotations

import dataclasses
import errno
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from contextlib import nullcontext
from typing import Any

from harness.fakes import RUNTIME_PID
from harness.fakes import Fault
from harness.fakes import HookProgram
from harness.fakes import KernelOp
from harness.fakes import ProgramRun
from harness.fakes import SimulatedKernel
from harness.fakes import Topology
from harness.fakes import booted_kernel
from harness.fakes.presets import DEFAULT_PRESET
from harness.hosts.base import RESCTRL
from harness.hosts.base import HostFiles
from harness.hosts.facts import proc_stats
from harness.hosts.machines import machine
from harness.hosts.simulated_system import SimulatedSystem

__all__ = ["HOOK_DIR", "STATE_ROOT", "SimulatedHost", "simulated_host"]

#: where subjects keep their containers' state dirs on a simulated host
STATE_ROOT = "/run/rtgate"
#: where the harness installs simulated hook programs
HOOK_DIR = "/usr/libexec/rtgate-hooks"
#: virtual seconds a process made slow_to_exit takes to end after a fatal signal
SLOW_EXIT_S = 0.05


@dataclasses.dataclass
class SimulatedHost(HostFiles):
    """The kernel, the System the subject gets, and what the model saw."""

    kernel: SimulatedKernel
    system: SimulatedSystem
    state_root: str = STATE_ROOT
    #: the preset the host was booted from ("custom" for a hand-made topology)
    preset: str = "custom"
    name = "simulated"
    #: the operation log holds the bytes of every write
    records_write_data = True
    #: a container's process is a model that runs no program: the harness acts its part out
    executes_programs = False
    virtual_clock = True

    def describe(self) -> str:
        return f"preset {self.preset}"

    # -- hooks -------------------------------------------------------------------------------
    def hook_program(self, name: str, program: HookProgram) -> str:
        """Install (or replace) a simulated program under HOOK_DIR; returns its path."""
        path = os.path.join(HOOK_DIR, name)
        self.kernel.programs.install(path, program)
        return path

    def hook_runs(self, path: str) -> list[ProgramRun]:
        """Each run of the program now installed at ``path``, oldest first."""
        program = self.kernel.programs.get(path)
        return list(program.runs) if program is not None else []

    # -- processes ---------------------------------------------------------------------------
    def start_process(self, comm: str = "outsider") -> int:
        """A process of the harness, in the root cgroups, outside any container."""
        return self.kernel.spawn_process(comm)

    def fork(self, pid: int) -> int:
        """A child of ``pid``, in all of its groups."""
        return self.kernel.fork(pid)

    def end_process(self, pid: int) -> None:
        """``pid`` exits with status 0 (a zombie until its parent reaps it)."""
        self.kernel.exit_process(pid, 0)

    def await_fifo_open(self, pid: int) -> None:
        """Nothing to wait for: the model's init writes its FIFO byte as it is spawned."""

    def close_fifo_unwritten(self, path: str) -> None:
        """Nothing to do: the model's FIFO read returns what was written, never blocking."""

    def runtime_exited(self, waited_for: int | None = None) -> None:
        """One command of a runc-style CLI is over: as when its process exits, the processes
        it started are reparented to the host's init (which reaps them)."""
        self.kernel.runtime_exited()

    def slow_to_exit(self, pid: int) -> None:
        """A fatal signal ends ``pid`` only after :data:`SLOW_EXIT_S` of virtual time, as a
        real process takes its moment to tear down."""
        self.kernel.set_exit_delay(pid, SLOW_EXIT_S)

    def slow_to_freeze(self, reads: int) -> int:
        """A process that stays unfrozen for the next ``reads`` looks at the freezer."""
        return self.kernel.spawn_process("slow", freeze_resistant_reads=reads)

    def write_after_sleep(self, path: str, data: str, seconds: float) -> None:
        """Someone else writes ``data`` to ``path`` once ``seconds`` of virtual time have
        passed: inside whichever sleep of the runtime's reaches that time."""

        def write() -> None:
            with open(path, "w", encoding="ascii") as f:
                f.write(data)

        self.kernel.clock.call_at(self.kernel.clock.monotonic() + seconds, write)

    def live_processes(self) -> set[int]:
        """Live processes a runtime's command could have left: every process of the model."""
        return {stat.pid for stat in proc_stats() if not stat.exited}

    def live_children(self) -> set[int]:
        """Live processes the subject started."""
        return {
            pid for pid in self.kernel.live_pids()
            if (p := self.kernel.process(pid)) is not None and p.ppid == RUNTIME_PID
        }  # fmt: skip

    # -- network namespaces ------------------------------------------------------------------
    def make_netns(self, name: str, interface: str) -> str:
        """A named network namespace of the harness holding a dummy ``interface``, as ``ip
        netns add`` and ``ip -n <ns> link add <interface> type dummy`` make it; its path."""
        path = self.kernel.netns_add(os.path.basename(self.netns_path(name)))
        self.kernel.link_add(path, interface, "dummy")
        return path

    def netns_links(self, path: str) -> list[str]:
        """Names of the interfaces in the namespace mounted at ``path`` (ENOENT: none is)."""
        return sorted(self.kernel.netns(path).links)

    # -- what the kernel saw, and faults -----------------------------------------------------
    def operations(self) -> list[KernelOp]:
        """Every operation on a kernel file since boot, with its data and errno."""
        return self.kernel.log

    def pin_dir(self, path: str) -> None:
        """From now on rmdir of ``path`` fails with EBUSY."""
        self.kernel.faults.fail("rmdir", path, errno.EBUSY, count=None)

    def fail(self, op: str, path: str, err: int, nth: int = 1, every: bool = False) -> Fault:
        """The ``nth`` next ``op`` on ``path`` fails with ``err`` (``every``: it and each one
        after it, until :meth:`clear_faults`)."""
        count = None if every else 1
        return self.kernel.faults.fail(op, path, err, nth=nth, count=count)  # type: ignore[arg-type]

    def fired(self, fault: Fault) -> bool:
        return any(f.fault is fault for f in self.kernel.faults.fired)

    def clear_faults(self) -> None:
        self.kernel.faults.clear()

    def launching(self) -> AbstractContextManager[dict[str, Any]]:
        """Nothing to add to a command's Popen: the simulated kernel's faults need no help."""
        return nullcontext({})

    def commands_run_as_programs(self) -> None:
        """Nothing to do: every operation meets the simulated kernel's faults."""

    @contextmanager
    def runtime_in_resctrl_group(self, group: str) -> Iterator[None]:
        """The runtime runs in resctrl group ``group`` for the block: it writes 0 to the
        group's ``tasks``, as a process moves itself, and what it starts is born there."""
        with open(os.path.join(RESCTRL, group, "tasks"), "w", encoding="ascii") as f:
            f.write("0")
        try:
            yield
        finally:
            with open(os.path.join(RESCTRL, "tasks"), "w", encoding="ascii") as f:
                f.write("0")


@contextmanager
def simulated_host(topology: Topology | str | None = None) -> Iterator[SimulatedHost]:
    """A fresh simulated host, patched in with pyfakefs for the duration of the block.

    ``topology`` is a :class:`Topology`, the name of a preset or of a machine of the suite
    (:mod:`harness.hosts.machines`), or None for the default preset.
    """
    name = "custom"
    if topology is None or isinstance(topology, str):
        name = topology or DEFAULT_PRESET
        topology = machine(name)
    with booted_kernel(topology) as kernel:
        os.makedirs(STATE_ROOT, 0o711, exist_ok=True)
        os.makedirs(HOOK_DIR, 0o755, exist_ok=True)
        yield SimulatedHost(kernel=kernel, system=SimulatedSystem(kernel), preset=name)
