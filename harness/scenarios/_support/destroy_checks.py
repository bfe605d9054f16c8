"""The two ends of a destroy cell, as checks of the cell's rule: a destroy the state refuses,
which must leave everything as it was, and one that goes through, which must leave nothing."""

from __future__ import annotations

from typing import Any

from harness.hosts import Host
from harness.scenarios._support.containers import container_dirs
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import state_name
from harness.subjects.base import Container

__all__ = ["GONE", "KEPT", "destroy_goes_through", "destroy_refused"]

#: what a refused destroy leaves: everything
KEPT = {"state-dir": True, "cgroup": True, "rdt": False}
#: what a destroy that went through leaves: nothing
GONE = {"state-dir": False, "cgroup": False, "rdt": False}


def destroy_refused(
    c: Container, host: Host, pid: int, want: str, verify: Any, rule: str, after: str = ""
) -> None:
    """Destroy fails with ``want`` and leaves init, the container's dirs and the state as it
    was, or as ``after`` (a loaded container refreshes to the state init shows first)."""
    before = state_name(c)
    kept = after or before
    got = error_of(c.destroy)
    verify(rule, got == want, f"destroy of a {before} container returned {got!r}, not {want!r}")
    now = state_name(c)
    verify(rule, now == kept, f"a refused destroy of a {before} container left {now}, not {kept}")
    left = container_dirs(host, c)
    verify(rule, left == KEPT, f"a refused destroy must keep the container's dirs: {left}")
    verify(rule, host.is_alive(pid), "a refused destroy must not touch init")


def destroy_goes_through(c: Container, host: Host, pid: int, verify: Any, rule: str) -> None:
    """Destroy succeeds: the state stopped, the container's dirs gone, init dead."""
    before = state_name(c)
    got = error_of(c.destroy)
    verify(rule, got == "no error", f"destroy of a {before} container failed: {got!r}")
    verify(rule, host.dies(pid), "after destroy no process of the container may live")
    after = state_name(c)
    verify(rule, after == "stopped", f"after destroy the state is {after}, not stopped")
    left = container_dirs(host, c)
    verify(rule, left == GONE, f"destroy must remove the container's dirs: {left}")
