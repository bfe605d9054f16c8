"""Intel RDT through the command line: ``linux.intelRdt`` in config.json, as users set it.

runtime-spec v1.0.2 (config-linux.md#intelrdt): with intelRdt set the runtime MUST write the
container's pid to ``tasks`` in a sub-directory of a mounted resctrl named by ``closID`` (the
container id without one) and MUST write ``l3CacheSchema`` to its ``schemata``; without resctrl
mounted it MUST generate an error; and a create that errs leaves the host as it was (runtime.md).

Each rule boots the machine it is about (``cli_on``): a host without resctrl, or one with L3 CAT.
On a real host the same rule runs when the probe finds this machine is of that kind, and skips
with what it found otherwise.  The resctrl files are read and written as the kernel's
Documentation/arch/x86/resctrl.rst describes them: ``info/L3/{cbm_mask,min_cbm_bits,bit_usage}``
to choose masks, one ``L3:<id>=<cbm>;...`` line ended by a newline per write, ``tasks`` one pid
per line, and ``schemata`` lines compared by value (names may be padded, masks zero-padded).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.rdt_cli import CAT_MACHINE
from harness.scenarios._support.rdt_cli import WITHOUT_RESCTRL
from harness.scenarios._support.rdt_cli import create_with
from harness.scenarios._support.rdt_cli import group_masks
from harness.scenarios._support.rdt_cli import invalid_schema
from harness.scenarios._support.rdt_cli import l3_masks
from harness.scenarios._support.rdt_cli import left_behind
from harness.scenarios._support.rdt_cli import make_group
from harness.scenarios._support.rdt_cli import rdt_usable
from harness.scenarios._support.rdt_cli import stop_and_delete
from harness.scenarios._support.rdt_cli import valid_schema
from harness.subjects.oci import IntelRdt


# -- no resctrl -----------------------------------------------------------------------------
@pytest.mark.parametrize(("machine", "needs"), WITHOUT_RESCTRL)
@pytest.mark.requirement("CLI-RDT-UNSUPPORTED")
def test_create_with_a_schema_and_no_resctrl_fails(
    cli_on: CliOnHost, machine: str, needs: Any
) -> None:
    with cli_on(machine, needs) as (host, cli):
        cid, result, before = create_with(cli, host, "nores", IntelRdt(l3_cache_schema="L3:0=3"))
        assert result.exit_code != 0, f"{result.describe()}; resctrl is not mounted"
        left = left_behind(cli, host, cid, (cid,), before)
        assert left == [], f"the refused create left {left}"


@pytest.mark.parametrize("shape", ["closid", "empty"])
@pytest.mark.parametrize(("machine", "needs"), WITHOUT_RESCTRL)
@pytest.mark.requirement("CLI-RDT-UNSUPPORTED-NO-SCHEMA")
def test_create_with_no_schema_and_no_resctrl_fails(
    cli_on: CliOnHost, machine: str, needs: Any, shape: str
) -> None:
    with cli_on(machine, needs) as (host, cli):
        clos = host.container_id("nowhere") if shape == "closid" else None
        name = f"noschema-{shape}"
        cid, result, before = create_with(cli, host, name, IntelRdt(clos_id=clos))
        assert result.exit_code != 0, (
            f"{result.describe()}; config.json sets intelRdt {IntelRdt(clos_id=clos).to_json()}"
            " and resctrl is not mounted"
        )
        left = left_behind(cli, host, cid, (cid, clos) if clos else (cid,), before)
        assert left == [], f"the refused create left {left}"


# -- L3 CAT ---------------------------------------------------------------------------------
# a group named by closID needs closID (runc v1.1.0), which the seed's config does not know
@pytest.mark.parametrize(
    "named_by", ["id", pytest.param("closid", marks=pytest.mark.needs("CLI-RDT-CLOSID-KEPT"))]
)
@pytest.mark.requirement("CLI-RDT-GROUP")
def test_group_holds_schema_and_init(cli_on: CliOnHost, named_by: str) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        schema = valid_schema(host)
        cid = host.container_id(f"grp-{named_by}")
        # a closID names its group as it is spelt, a capital first letter too
        clos = host.container_id("Xgrp-Clos") if named_by == "closid" else None
        group = clos or cid
        rdt = IntelRdt(clos_id=clos, l3_cache_schema=schema)
        _, result, _ = create_with(cli, host, f"grp-{named_by}", rdt)
        assert result.exit_code == 0, result.describe()
        pid = cli.init_pid(cid)
        assert os.path.isdir(host.resctrl_group(group)), f"no resctrl group {group}"
        assert pid in host.resctrl_tasks(group), f"init {pid} is not in {group}/tasks"
        assert group_masks(group) == l3_masks(schema), (
            f"{group}/schemata holds {group_masks(group)}; the config says {schema}"
        )
        if clos is not None:
            assert not os.path.exists(host.resctrl_group(cid)), "a group named by the id"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        if clos is None:
            assert not os.path.exists(host.resctrl_group(cid)), "delete left the group"


@pytest.mark.requirement("CLI-RDT-CLOSID-KEPT")
def test_joined_closid_group_is_kept(cli_on: CliOnHost) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        team = make_group(host, host.container_id("team"), valid_schema(host))
        masks = group_masks(team)
        cid, result, _ = create_with(cli, host, "joiner", IntelRdt(clos_id=team))
        assert result.exit_code == 0, result.describe()
        pid = cli.init_pid(cid)
        assert pid in host.resctrl_tasks(team), f"init {pid} did not join {team}"
        assert not os.path.exists(host.resctrl_group(cid)), "a group named by the id"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert os.path.isdir(host.resctrl_group(team)), "delete removed a group it did not make"
        assert group_masks(team) == masks, f"{team}/schemata changed: {group_masks(team)}"
        assert pid not in host.resctrl_tasks(team), f"init {pid} is still in {team}/tasks"


@pytest.mark.parametrize("kind", ["out-of-range", "non-hex"])
@pytest.mark.requirement("CLI-RDT-INVALID-SCHEMA")
def test_refused_schema_fails_create_and_leaves_nothing(cli_on: CliOnHost, kind: str) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        schema = invalid_schema(host, kind)
        cid, result, before = create_with(
            cli, host, f"bad-{kind}", IntelRdt(l3_cache_schema=schema)
        )
        assert result.exit_code != 0, f"{result.describe()}; the kernel refuses {schema}"
        left = left_behind(cli, host, cid, (cid,), before)
        assert left == [], f"the refused create left {left}"
