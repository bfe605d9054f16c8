"""Fidelity of the simulated kernel: the same probes on the real kernel and on a simulated twin
of this machine, and every place they disagree.

A *probe* is one small kernel interaction through plain ``os`` calls (mkdir a group, write a pid
to ``cgroup.procs``, freeze, ...) that records what the kernel answered.  The real backend runs it
on this machine's cgroupfs (as root, only in groups and with processes it made itself); the
simulated backend runs it in ``booted_kernel`` booted like this machine.  ``rtgate doctor
--fidelity`` and ``tests/fidelity`` compare the two.
"""

from __future__ import annotations

from harness.fidelity._cgroup_probes import v1_probes
from harness.fidelity._cgroup_probes import v2_probes
from harness.fidelity._compare import Comparison
from harness.fidelity._compare import compare
from harness.fidelity._compare import first_difference
from harness.fidelity._compare import observe
from harness.fidelity._context import ProbeContext
from harness.fidelity._model import Difference
from harness.fidelity._model import Observation
from harness.fidelity._model import Probe
from harness.fidelity._model import ProbeFailed
from harness.fidelity._model import ProbeSkipped
from harness.fidelity._model import Step
from harness.fidelity._real import PREFIX
from harness.fidelity._real import RealBackend
from harness.fidelity._resctrl_probes import resctrl_probes
from harness.fidelity._simulated import MachineTwin
from harness.fidelity._simulated import SimulatedBackend
from harness.fidelity._simulated import machine_twin
from harness.hosts.facts import CgroupLayout
from harness.hosts.facts import read_layout

__all__ = [
    "DEFAULT_LAYOUT",
    "PREFIX",
    "Comparison",
    "Difference",
    "MachineTwin",
    "Observation",
    "Probe",
    "ProbeContext",
    "ProbeFailed",
    "ProbeSkipped",
    "RealBackend",
    "SimulatedBackend",
    "Step",
    "all_probes",
    "compare",
    "first_difference",
    "machine_twin",
    "observe",
]

#: the hybrid layout probes are listed for when the host has no cgroupfs at all (they then skip)
DEFAULT_LAYOUT = CgroupLayout(
    v1={
        name: f"/sys/fs/cgroup/{name.removeprefix('name=')}"
        for name in (
            "cpu",
            "cpuacct",
            "cpuset",
            "memory",
            "devices",
            "freezer",
            "blkio",
            "pids",
            "name=systemd",
        )
    },  # fmt: skip
    v2="/sys/fs/cgroup/unified",
    v2_controllers=("hugetlb",),
)


def all_probes(layout: CgroupLayout | None = None) -> list[Probe]:
    """Every probe for ``layout`` (default: this host's, or :data:`DEFAULT_LAYOUT` when it has
    no cgroupfs), resctrl ones last."""
    if layout is None:
        layout = read_layout()
        if layout.mode == "none":
            layout = DEFAULT_LAYOUT
    probes: list[Probe] = []
    for hierarchy, mount in layout.v1.items():
        probes.extend(v1_probes(hierarchy, mount))
    if layout.v2 is not None:
        probes.extend(v2_probes(layout.v2))
    probes.extend(resctrl_probes())
    return probes
