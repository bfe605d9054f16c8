"""Broken: destroy's kill-all signals the container's init only, not every process of its
cgroup, so without a PID namespace a child that outlived init survives delete (and keeps the
cgroup busy)."""

from __future__ import annotations

import signal
from typing import Any

from tests.broken._base import every_step_teardown
from tests.broken._base import factory_with


def teardown_killing_init_only(c: Any) -> None:
    if c.profile.kill_all_wanted(c.config.namespaces) and c.init_process is not None:
        try:
            c.init_process.signal(signal.SIGKILL)  # the defect: init alone, not the cgroup
        except OSError:
            pass
    every_step_teardown(c)


new_factory = factory_with("KillAllSparesChildren", teardown=teardown_killing_init_only)
