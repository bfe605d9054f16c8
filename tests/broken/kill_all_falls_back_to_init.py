"""Broken (runc-1.2): SIGKILL whose kill-all fails (the cgroup's pids cannot be listed, or
cgroup.kill cannot be written) falls back to killing init alone and reports success, as runc
does only for rootless cgroups (v1.2.0 container_linux.go:391-396); for any other container it
returns "unable to kill all processes: <err>" (:402)."""

from __future__ import annotations

import signal
from typing import Any

from reference_impl.container import Container
from reference_impl.states import signal_all_processes
from tests.broken._base import factory_with


def signal_falling_back(c: Any, sig: int) -> None:
    if sig != signal.SIGKILL or not c.profile.kill_all_wanted(c.config.namespaces):
        Container._signal_v12(c, sig)
        return
    try:
        signal_all_processes(c, sig)
    except Exception:  # noqa: BLE001 - the defect: the error is dropped
        if c.init_process is None or not c.has_init():
            raise
        c._signal_init(c.init_process, sig)


new_factory = factory_with("KillAllFallsBackToInit", methods={"_signal_v12": signal_falling_back})
