"""Monitoring on a node with no RMID left: runtime-spec v1.3.0 asks an error of a runtime whose
MON group cannot be made, "e.g. the maximum number of MON groups is reached"
(config-linux.md:784-786), and an error of create leaves the node as it was.

Every monitoring group takes an RMID, and a node has ``info/L3_MON/num_rmids`` of them
(kernel Documentation/arch/x86/resctrl.rst); when none is free, mkdir in ``mon_groups`` fails
with ENOSPC and ``info/last_cmd_status`` says "Out of RMIDs".  The rule takes every free RMID
with monitoring groups of its own in the default group, as other tenants' groups would, and
the container joins a group made beforehand (its closID), so that only its MON group wants an
RMID.  A freed RMID may wait in limbo before the kernel gives it out again (resctrl.rst,
max_threshold_occupancy): docs/fleet-recipe.md says what that means on a busy node.
"""

from __future__ import annotations

import errno
import os

import pytest

from harness.hosts import Host
from harness.hosts.base import RESCTRL
from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.rdt_cli import MBA_MACHINE
from harness.scenarios._support.rdt_cli import cache_info
from harness.scenarios._support.rdt_cli import group_masks
from harness.scenarios._support.rdt_cli import left_behind
from harness.scenarios._support.rdt_cli import make_group
from harness.scenarios._support.rdt_cli import mon_group
from harness.scenarios._support.rdt_cli import monitoring_usable
from harness.scenarios._support.rdt_cli import valid_schema
from harness.scenarios._support.runtime_features import require_announced
from harness.scenarios._support.setting_up import setting_up
from harness.subjects.oci import IntelRdt

MONITORING = "linux.intelRdt.monitoring"


def take_free_rmids(host: Host, tag: str) -> list[str]:
    """Make monitoring groups in the default group (named for this run, removed with its
    other groups) until the kernel refuses one with ENOSPC; the paths made, relative to
    resctrl's root.  At most ``num_rmids`` tries: RMIDs in limbo cannot be counted, only
    found out by asking."""
    made = []
    for i in range(int(cache_info("L3_MON", "num_rmids"))):
        name = os.path.join("mon_groups", host.container_id(f"{tag}{i}"))
        try:
            os.mkdir(os.path.join(RESCTRL, name))
        except OSError as err:
            setting_up(err.errno == errno.ENOSPC, f"mkdir {name}: {err}")
            return made
        made.append(name)
    setting_up(False, f"{len(made)} monitoring groups made and RMIDs still free")
    return made


@pytest.mark.requirement("CLI-RDT-MONITORING-EXHAUSTED")
def test_create_with_every_rmid_taken_fails_and_leaves_nothing(cli_on: CliOnHost) -> None:
    with cli_on(MBA_MACHINE, monitoring_usable) as (host, cli):
        version = require_announced(cli, MONITORING)
        team = make_group(host, host.container_id("rmteam"), valid_schema(host))
        masks = group_masks(team)
        taken = take_free_rmids(host, "rmid-")
        name = "normid"
        cid = host.container_id(name)
        bundle = cli.bundle(
            name, intel_rdt=IntelRdt(clos_id=team, enable_monitoring=True), oci_version=version
        )
        before = host.live_processes()
        result = cli("create", "--bundle", bundle, cid)
        mon = mon_group(team, cid)
        assert result.exit_code != 0, (
            f"{result.describe()}; {len(taken)} monitoring groups hold every free RMID, so "
            f"mkdir {mon} fails with ENOSPC and create must fail"
        )
        left = left_behind(cli, host, cid, (mon,), before)
        assert left == [], f"the refused create left {left}"
        assert os.path.isdir(host.resctrl_group(team)), f"the refused create removed {team}"
        assert group_masks(team) == masks, f"{team}/schemata changed: {group_masks(team)}"
