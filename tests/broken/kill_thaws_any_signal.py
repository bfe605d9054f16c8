"""Broken: Signal thaws a paused container whatever the signal, not only for SIGKILL, so a
`kill <id> TERM` (or WINCH) resumes a container its user paused."""

from __future__ import annotations

from typing import Any

from reference_impl.cgroups.fs import THAWED
from reference_impl.container import Container
from reference_impl.status import Status
from tests.broken._base import factory_with


def signal_then_thaw(self: Any, sig: int, all_processes: bool = False) -> None:
    paused = self.current_status() == Status.PAUSED
    Container.signal(self, sig, all_processes)
    if paused:
        self.cgroup_manager.freeze(THAWED)  # the defect: any signal thaws


new_factory = factory_with("KillThawsAnySignal", methods={"signal": signal_then_thaw})
