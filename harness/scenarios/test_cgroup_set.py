"""Set on a live container, on the run's own host: what it writes to the container's cgroups
beyond the limits (test_cgroup_manager.py checks those on each kind of host)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import init_pid
from harness.subjects.base import Factory


@pytest.mark.requirement("CG-SET-FREEZER")
def test_set_writes_the_freezer_state_it_names(factory: Factory, host: Host, verify: Any) -> None:
    rule = "CG-SET-FREEZER"
    cid = host.container_id("sf")
    config = config_for(cid)
    c = factory.create(cid, config)
    c.run(INIT)
    pid = init_pid(c)
    for state, frozen in (("FROZEN", True), ("THAWED", False)):
        c.set(
            dataclasses.replace(config, cgroups=dataclasses.replace(config.cgroups, freezer=state))
        )
        shown = host.freezer_state(f"/{cid}")
        verify(rule, shown == state, f"Set with freezer {state} left the freezer {shown}")
        verify(rule, host.is_frozen(pid) == frozen, f"init {pid} frozen: {host.is_frozen(pid)}")
