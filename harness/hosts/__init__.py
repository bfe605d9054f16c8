"""Where a subject acts: a simulated host (pyfakefs plus a kernel model) or this machine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from harness.hosts.base import HookProgram
from harness.hosts.base import HostCannot
from harness.hosts.protocol import Host
from harness.hosts.real import RealHost
from harness.hosts.real import real_host
from harness.hosts.real import real_host_unavailable
from harness.hosts.simulated import SimulatedHost
from harness.hosts.simulated import simulated_host

__all__ = [
    "HookProgram",
    "Host",
    "HostCannot",
    "RealHost",
    "SimulatedHost",
    "open_host",
    "real_host",
    "real_host_unavailable",
    "simulated_host",
]


@contextmanager
def open_host(kind: str, preset: str | None = None) -> Iterator[Host]:
    """A fresh host of ``kind`` ("simulated" booted from ``preset``, or "real")."""
    if kind == "real":
        with real_host() as host:
            yield host
    else:
        with simulated_host(preset) as sim:
            yield sim
