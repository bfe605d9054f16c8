"""Fault injection for programs on a real host: any runtime binary's syscalls, failed with the
kernel's own errnos, on rtgate's own paths only.

The engine speaks the simulated kernel's fault vocabulary (a :class:`~harness.fakes.faults.
FaultPlan` of operation, path pattern, errno, which attempts), so a scenario arms the same
fault on either host.  Its mechanism is seccomp user notification (:mod:`.seccomp`): the
runtime's command runs under a filter that sends the syscalls of the armed operations to a
thread of the harness, which reads what each would do (:mod:`.syscalls`), fails the ones the
plan names and lets every other one run (:mod:`.supervisor`).  Nothing of the runtime changes
and nothing is installed; it needs root, x86_64 and Linux 5.5.
"""

from __future__ import annotations

from harness.hosts.inject.seccomp import unsupported
from harness.hosts.inject.supervisor import supervised
from harness.hosts.inject.syscalls import INJECTABLE_OPS

__all__ = ["INJECTABLE_OPS", "supervised", "unsupported"]
