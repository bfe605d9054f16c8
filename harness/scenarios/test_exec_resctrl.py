"""A process started in a running container and the resctrl group its state names: the seed
names one after the container whenever resctrl is mounted, runc only with intelRdt."""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import start_extra
from harness.spec import tables
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-EXEC-RDT-WITHOUT-CONFIG")
def test_extra_process_joins_a_group_named_after_a_container_without_intel_rdt(
    factory: Factory, rdt: Host, profile: str, verify: Any
) -> None:
    """The exec joins state.json's resctrl path if that exists: the seed's names the group
    after the container whenever resctrl is mounted, runc's only with intelRdt."""
    rule = "LC-EXEC-RDT-WITHOUT-CONFIG"
    cid = rdt.container_id("jw")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    group = rdt.resctrl_group(cid)
    os.mkdir(group)  # made by something else, after the start
    pid = start_extra(c, rdt)
    joined = pid in rdt.resctrl_tasks(cid)
    wanted = tables.state_rdt_path_without_intel_rdt(profile, group) == group
    verify(rule, joined == wanted, f"the extra process {pid} in {group}: {joined}, not {wanted}")
