"""The simulated kernel: processes, /proc, cgroup v1, resctrl and fault injection on pyfakefs.

A runtime patched by pyfakefs uses plain ``os``/``open``/``pathlib``/``shutil`` at the real
absolute paths and cannot tell this kernel from a host for what it covers.  See
``reference/kernel-cgroup-resctrl-semantics.md`` for the behaviour it follows.
"""

from __future__ import annotations

from harness.fakes.clock import VirtualClock
from harness.fakes.faults import Fault
from harness.fakes.faults import FaultOp
from harness.fakes.faults import FaultPlan
from harness.fakes.faults import FiredFault
from harness.fakes.faults import KernelOp
from harness.fakes.fixtures import booted_kernel
from harness.fakes.kernel import SimulatedKernel
from harness.fakes.proc.processes import RUNTIME_PID
from harness.fakes.proc.processes import SimProcess
from harness.fakes.proc.programs import HookProgram
from harness.fakes.proc.programs import ProgramRegistry
from harness.fakes.proc.programs import ProgramRun
from harness.fakes.topology import MbaTopology
from harness.fakes.topology import MonitoringTopology
from harness.fakes.topology import ResctrlTopology
from harness.fakes.topology import Topology

__all__ = [
    "RUNTIME_PID",
    "Fault",
    "FaultOp",
    "FaultPlan",
    "FiredFault",
    "KernelOp",
    "MbaTopology",
    "MonitoringTopology",
    "ProgramRegistry",
    "ProgramRun",
    "ResctrlTopology",
    "SimProcess",
    "HookProgram",
    "SimulatedKernel",
    "Topology",
    "VirtualClock",
    "booted_kernel",
]
