"""Broken: destroy never kills the processes left in the cgroup, even without a PID namespace."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl import states
from tests.broken._base import factory_with


def teardown_without_kill_all(c: Any) -> None:
    config = c.config
    # The defect: the teardown acts as if the container always had its own PID namespace.
    c.config = dataclasses.replace(config, namespaces=(*config.namespaces, "pid"))
    try:
        states.destroy(c)
    finally:
        c.config = config


new_factory = factory_with("NoKillAll", teardown=teardown_without_kill_all)
