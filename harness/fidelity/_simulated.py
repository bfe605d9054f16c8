"""The simulated backend: the same probes inside ``booted_kernel`` booted as a twin of this
machine (same cgroup mode, hierarchies, v2 controllers, CPU flags and CPU count).

Where the simulated kernel cannot express part of the machine yet, the twin is booted without it
and :func:`machine_twin` says what was left out; the probes of the missing part then fail on the
simulated side and show up as differences.  Nothing is skipped to hide a difference.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from harness.errors import FakeKernelError
from harness.fidelity._context import ProbeContext
from harness.fidelity._model import Observation
from harness.fidelity._model import Probe
from harness.hosts.capture import cgroup_fields
from harness.hosts.facts import CgroupLayout
from harness.hosts.facts import cpu_flags
from harness.hosts.facts import read_layout

if TYPE_CHECKING:  # harness.fakes is imported when first used: a broken simulation must not
    # keep the real side (or ``rtgate doctor``) from running; it shows up as differences instead
    from harness.fakes import SimulatedKernel
    from harness.fakes import Topology

__all__ = ["MachineTwin", "SimulatedBackend", "SimulatedContext", "machine_twin"]


@dataclass(frozen=True, slots=True)
class MachineTwin:
    """The topology the simulated backend boots, and what of the machine it leaves out."""

    topology: Topology
    #: one sentence per part of the machine the simulation could not be given
    left_out: tuple[str, ...]


def _wanted(layout: CgroupLayout) -> dict[str, object]:
    """Topology arguments describing ``layout`` and this CPU, whether Topology knows them yet."""
    flags = cpu_flags()
    wanted = cgroup_fields(layout)
    wanted["resctrl_mounted"] = False
    wanted["cpu_flags"] = tuple(f for f in flags if f not in ("cat_l3", "rdt_a")) or None
    wanted = {key: value for key, value in wanted.items() if value is not None}
    if "cat_l3" not in flags:
        wanted["resctrl"] = None  # no RDT hardware: no /sys/fs/resctrl at all
    return wanted


def _boots(topology: Topology) -> str | None:
    from harness.fakes import booted_kernel

    try:
        with booted_kernel(topology):
            return None
    except FakeKernelError as err:
        return str(err)


def _fallbacks(topology: Topology) -> list[tuple[str, Topology]]:
    """Ever smaller twins to try when the full one does not boot, each with what it drops."""
    plain = tuple(n for n in topology.v1_controllers if not n.startswith("name="))
    steps: list[tuple[str, Topology]] = []
    if topology.cgroup_mode != "v1":
        steps.append(("booted as 'v1'", dataclasses.replace(topology, cgroup_mode="v1")))
    if plain != topology.v1_controllers:
        smaller = dataclasses.replace(steps[-1][1] if steps else topology, v1_controllers=plain)
        steps.append(("booted without named v1 hierarchies", smaller))
    return steps


@cache
def machine_twin() -> MachineTwin:
    """The closest topology to this machine that the simulated kernel boots (computed once)."""
    from harness.fakes import Topology

    layout = read_layout()
    known = {f.name for f in dataclasses.fields(Topology)}
    wanted = _wanted(layout)
    left_out = [
        f"Topology has no field {key!r} (wanted {value!r})"
        for key, value in wanted.items()
        if key not in known and value
    ]
    kwargs = {key: value for key, value in wanted.items() if key in known}
    topology = Topology(**kwargs)  # type: ignore[arg-type]
    failure = _boots(topology)
    for what, smaller in _fallbacks(topology) if failure is not None else []:
        left_out.append(f"the full twin does not boot ({failure}); {what}")
        topology, failure = smaller, _boots(smaller)
        if failure is None:
            break
    if failure is not None:
        left_out.append(f"the twin does not boot: {failure}")
    return MachineTwin(topology, tuple(left_out))


class SimulatedContext(ProbeContext):
    """A probe run on a simulated kernel: processes are the kernel's, nothing needs cleanup."""

    poll_deadline = 0.2
    poll_interval = 0.0

    def __init__(self, kernel: SimulatedKernel) -> None:
        super().__init__("rtgate-fidelity-sim")
        self.kernel = kernel
        self._reaped: dict[int, int] = {}

    def _spawn(self) -> int:
        return self.kernel.spawn_process("sleep")

    def _kill(self, pid: int, sig: int) -> None:
        if pid in self._reaped:
            raise ProcessLookupError(3, "No such process")
        self.kernel.deliver_signal(pid, sig)

    def _exit_status(self, pid: int) -> int | None:
        if pid in self._reaped:
            return self._reaped[pid]
        process = self.kernel.process(pid)
        if process is None or process.state != "zombie":
            return None
        self._reaped[pid] = self.kernel.reap(pid)
        return self._reaped[pid]

    def _pending_signals(self, pid: int) -> set[int]:
        process = self.kernel.process(pid)
        if process is None or process.pending_signal is None:
            return set()
        return {process.pending_signal}


class SimulatedBackend:
    """Runs probes on a fresh simulated twin of this machine, one kernel per probe."""

    name = "simulated"

    def __init__(self, twin: MachineTwin | None = None) -> None:
        self._twin = twin

    @property
    def twin(self) -> MachineTwin:
        """The topology it boots (built on first use)."""
        if self._twin is None:
            self._twin = machine_twin()
        return self._twin

    def run(self, probe: Probe) -> Observation:
        """Run one probe on a freshly booted simulated kernel.

        Raises:
            FakeKernelError: the twin does not boot at all.
            ImportError: the simulated kernel does not import.
        """
        from harness.fakes import booted_kernel

        with booted_kernel(self.twin.topology) as kernel:
            ctx = SimulatedContext(kernel)
            probe.run(ctx, probe.mount)
            return ctx.observation()
