"""Where a subject acts: a simulated host (pyfakefs plus a kernel model) or, later, a real one."""

from __future__ import annotations

from harness.hosts.simulated import SimulatedHost
from harness.hosts.simulated import simulated_host

__all__ = ["SimulatedHost", "simulated_host"]
