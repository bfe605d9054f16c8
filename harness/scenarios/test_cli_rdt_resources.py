"""Intel RDT through the command line beyond one L3 schema: memory bandwidth, CDP hosts, and a
CLOS two containers share.

runtime-spec v1.0.2 config-linux.md#intelrdt: a ``memBwSchema`` is written to the group's
``schemata`` alone or with the ``l3CacheSchema`` as one value (lines 512-519); a ``closID``
without schemas names a group made beforehand that the container is assigned to (line 525), and
delete MUST NOT remove what the runtime did not make (runtime.md).  A CDP host's resctrl has
L3CODE and L3DATA in place of L3 (kernel Documentation/arch/x86/resctrl.rst, "cdp" mount
option), so a plain L3 schema cannot be applied there and create MUST fail, leaving nothing.

Each rule boots the machine it is about on a simulated run; on a real host it runs where the
probe finds that hardware and skips naming what it found.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.rdt_cli import CAT_MACHINE
from harness.scenarios._support.rdt_cli import CDP_MACHINE
from harness.scenarios._support.rdt_cli import FEW_CLOSIDS_MACHINE
from harness.scenarios._support.rdt_cli import MBA_MACHINE
from harness.scenarios._support.rdt_cli import MBA_MACHINES
from harness.scenarios._support.rdt_cli import cat_and_mba_usable
from harness.scenarios._support.rdt_cli import cdp_mounted
from harness.scenarios._support.rdt_cli import create_with
from harness.scenarios._support.rdt_cli import group_masks
from harness.scenarios._support.rdt_cli import group_mb
from harness.scenarios._support.rdt_cli import l3_masks
from harness.scenarios._support.rdt_cli import left_behind
from harness.scenarios._support.rdt_cli import make_group
from harness.scenarios._support.rdt_cli import mb_values
from harness.scenarios._support.rdt_cli import mba_usable
from harness.scenarios._support.rdt_cli import neither_cat_nor_mba
from harness.scenarios._support.rdt_cli import plain_l3_on_cdp
from harness.scenarios._support.rdt_cli import rdt_usable
from harness.scenarios._support.rdt_cli import stop_and_delete
from harness.scenarios._support.rdt_cli import take_free_closids
from harness.scenarios._support.rdt_cli import valid_mb_schema
from harness.scenarios._support.rdt_cli import valid_schema
from harness.subjects.oci import IntelRdt


# -- memory bandwidth -----------------------------------------------------------------------
@pytest.mark.parametrize("machine", MBA_MACHINES, ids=["intel", "amd"])
@pytest.mark.requirement("CLI-RDT-MBA")
def test_mem_bw_schema_alone_is_written(cli_on: CliOnHost, machine: str) -> None:
    with cli_on(machine, mba_usable) as (host, cli):
        schema = valid_mb_schema()
        cid, result, _ = create_with(cli, host, "mba", IntelRdt(mem_bw_schema=schema))
        assert result.exit_code == 0, result.describe()
        assert os.path.isdir(host.resctrl_group(cid)), f"no resctrl group {cid}"
        assert cli.init_pid(cid) in host.resctrl_tasks(cid), f"init is not in {cid}/tasks"
        assert group_mb(cid) == mb_values(schema), (
            f"{cid}/schemata has MB {group_mb(cid)}; the config's memBwSchema is {schema}"
        )
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert not os.path.exists(host.resctrl_group(cid)), "delete left the group"


@pytest.mark.parametrize("machine", MBA_MACHINES, ids=["intel", "amd"])
@pytest.mark.requirement("CLI-RDT-L3-MB")
def test_both_schemas_are_written_together(cli_on: CliOnHost, machine: str) -> None:
    with cli_on(machine, cat_and_mba_usable) as (host, cli):
        l3, mb = valid_schema(host), valid_mb_schema()
        rdt = IntelRdt(l3_cache_schema=l3, mem_bw_schema=mb)
        cid, result, _ = create_with(cli, host, "l3mb", rdt)
        assert result.exit_code == 0, result.describe()
        assert group_masks(cid) == l3_masks(l3), f"{cid}: L3 {group_masks(cid)}, not {l3}"
        assert group_mb(cid) == mb_values(mb), f"{cid}: MB {group_mb(cid)}, not {mb}"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()


# -- CDP ------------------------------------------------------------------------------------
@pytest.mark.requirement("CLI-RDT-CDP-PLAIN-L3")
def test_plain_l3_schema_on_a_cdp_host_fails_and_leaves_nothing(cli_on: CliOnHost) -> None:
    with cli_on(CDP_MACHINE, cdp_mounted) as (host, cli):
        schema = plain_l3_on_cdp()
        cid, result, before = create_with(cli, host, "cdp", IntelRdt(l3_cache_schema=schema))
        assert result.exit_code != 0, (
            f"{result.describe()}; resctrl is mounted with cdp and has no L3 resource for {schema}"
        )
        left = left_behind(cli, host, cid, (cid,), before)
        assert left == [], f"the refused create left {left}"


# -- a shared CLOS --------------------------------------------------------------------------
@pytest.mark.requirement("CLI-RDT-CLOSID-SHARED")
def test_two_containers_share_a_closid_group(cli_on: CliOnHost) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        team = make_group(host, host.container_id("shared"), valid_schema(host))
        masks = group_masks(team)
        first, made, _ = create_with(cli, host, "mate-a", IntelRdt(clos_id=team))
        assert made.exit_code == 0, made.describe()
        second, made, _ = create_with(cli, host, "mate-b", IntelRdt(clos_id=team))
        assert made.exit_code == 0, made.describe()
        pids = {cid: cli.init_pid(cid) for cid in (first, second)}
        for cid, pid in pids.items():
            assert pid in host.resctrl_tasks(team), f"{cid}'s init {pid} is not in {team}/tasks"
        deleted = stop_and_delete(cli, host, first)
        assert deleted.exit_code == 0, deleted.describe()
        assert os.path.isdir(host.resctrl_group(team)), f"deleting {first} removed {team}"
        assert pids[second] in host.resctrl_tasks(team), (
            f"deleting {first} took {second}'s init {pids[second]} out of {team}/tasks"
        )
        deleted = stop_and_delete(cli, host, second)
        assert deleted.exit_code == 0, deleted.describe()
        assert os.path.isdir(host.resctrl_group(team)), f"the last delete removed {team}"
        assert group_masks(team) == masks, f"{team}/schemata changed: {group_masks(team)}"


# -- no CLOSID left -------------------------------------------------------------------------
def _create_with_every_closid_taken(cli_on: CliOnHost, name: str) -> tuple[Any, list[str]]:
    """Create ``name`` with an L3 schema once groups of other owners hold every free CLOSID:
    the command's record, and what it left."""
    with cli_on(FEW_CLOSIDS_MACHINE, rdt_usable) as (host, cli):
        schema = valid_schema(host)
        take_free_closids(host, f"{name}-")
        cid, result, before = create_with(cli, host, name, IntelRdt(l3_cache_schema=schema))
        return result, left_behind(cli, host, cid, (cid,), before)


@pytest.mark.requirement("CLI-RDT-CLOSID-EXHAUSTED")
def test_create_with_every_closid_taken_fails_and_leaves_nothing(cli_on: CliOnHost) -> None:
    result, left = _create_with_every_closid_taken(cli_on, "noclos")
    assert result.exit_code != 0, f"{result.describe()}; every CLOSID is taken (ENOSPC)"
    assert left == [], f"the refused create left {left}"


@pytest.mark.requirement("CLI-RDT-CLOSID-EXHAUSTED-STATUS")
def test_exhausted_closids_error_carries_last_cmd_status(cli_on: CliOnHost) -> None:
    result, _ = _create_with_every_closid_taken(cli_on, "nostat")
    said = result.stderr_tail.lower()
    assert result.exit_code != 0 and "last_cmd_status" in said and "out of closids" in said, (
        f"{result.describe()}; the error must carry info/last_cmd_status, which says the"
        " kernel is out of CLOSIDs"
    )


# -- update ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("machine", "needs", "flag", "joined"),
    [
        pytest.param(CAT_MACHINE, rdt_usable, "--l3-cache-schema", False, id="l3"),
        pytest.param(MBA_MACHINE, cat_and_mba_usable, "--mem-bw-schema", False, id="mb"),
        # runc keeps the config's closID and sets only the schemas (v1.1.5 update.go:326-327),
        # so the group written is the one the closID names (intelrdt.go:512-524)
        pytest.param(CAT_MACHINE, rdt_usable, "--l3-cache-schema", True, id="closid"),
    ],
)
@pytest.mark.requirement("CLI-RDT-UPDATE")
def test_update_rewrites_the_schema_of_a_container(
    cli_on: CliOnHost, machine: str, needs: Any, flag: str, joined: bool
) -> None:
    with cli_on(machine, needs) as (host, cli):
        first, name = valid_schema(host), f"upd{flag[2:4]}{'clos' if joined else ''}"
        team = make_group(host, host.container_id(f"{name}t"), first) if joined else None
        rdt = IntelRdt(clos_id=team) if joined else IntelRdt(l3_cache_schema=first)
        cid, made, _ = create_with(cli, host, name, rdt)
        assert made.exit_code == 0, made.describe()
        group = team or cid
        if flag == "--l3-cache-schema":
            new, wanted = valid_schema(host, shift=1), lambda: group_masks(group)
            expected = l3_masks(new)
        else:
            new, wanted = valid_mb_schema(), lambda: group_mb(group)
            expected = mb_values(new)
        status = cli.status(cid)
        updated = cli("update", flag, new, cid)
        assert updated.exit_code == 0, updated.describe()
        assert wanted() == expected, f"{group}/schemata after update {flag} {new}: {wanted()}"
        assert cli.status(cid) == status, f"update turned {status} into {cli.status(cid)}"
        if joined:
            assert not os.path.exists(host.resctrl_group(cid)), (
                f"update made a group {cid} of the container's own; its closID names {team}"
            )
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()


def _updated_without_intel_rdt(cli: Any, host: Any, name: str) -> tuple[str, str]:
    """Create ``name`` with no intelRdt, then ``update --l3-cache-schema`` it: (its id, the
    schema).  The update must succeed."""
    cid = host.container_id(name)
    made = cli("create", "--bundle", cli.bundle(name), cid)
    assert made.exit_code == 0, made.describe()
    assert not os.path.exists(host.resctrl_group(cid)), f"create made a group {cid}"
    schema = valid_schema(host)
    updated = cli("update", "--l3-cache-schema", schema, cid)
    assert updated.exit_code == 0, (
        f"{updated.describe()}; runc gives a container made without intelRdt a group first"
    )
    assert os.path.isdir(host.resctrl_group(cid)), f"update {schema} made no group {cid}"
    return cid, schema


@pytest.mark.requirement("CLI-RDT-UPDATE-NEW-GROUP")
def test_update_gives_a_container_without_intel_rdt_a_group(cli_on: CliOnHost) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        cid, _ = _updated_without_intel_rdt(cli, host, "updnew")
        pid = cli.init_pid(cid)
        assert pid in host.resctrl_tasks(cid), f"init {pid} is not in {cid}/tasks after update"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert not os.path.exists(host.resctrl_group(cid)), "delete left the group update made"


@pytest.mark.requirement("CLI-RDT-UPDATE-NEW-GROUP-SCHEMA")
def test_update_writes_its_schema_to_the_group_it_makes(cli_on: CliOnHost) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        cid, schema = _updated_without_intel_rdt(cli, host, "updnewsch")
        assert group_masks(cid) == l3_masks(schema), (
            f"{cid}/schemata holds {group_masks(cid)} after update --l3-cache-schema {schema}"
        )
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()


# -- a closID group's schemata --------------------------------------------------------------
@pytest.mark.parametrize("schema", ["same", "other"])
@pytest.mark.requirement("CLI-RDT-CLOSID-SCHEMA-COMPARED")
def test_closid_schema_is_compared_with_the_group(cli_on: CliOnHost, schema: str) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        team = make_group(host, host.container_id(f"cmp{schema}"), valid_schema(host))
        masks = group_masks(team)
        asked = valid_schema(host, shift=0 if schema == "same" else 1)
        rdt = IntelRdt(clos_id=team, l3_cache_schema=asked)
        cid, result, before = create_with(cli, host, f"cmp-{schema}", rdt)
        if schema == "same":
            assert result.exit_code == 0, f"{result.describe()}; {team} holds {asked} already"
            deleted = stop_and_delete(cli, host, cid)
            assert deleted.exit_code == 0, deleted.describe()
        else:
            assert result.exit_code != 0, (
                f"{result.describe()}; {team}/schemata holds {masks}, the config {asked}"
            )
            left = left_behind(cli, host, cid, (cid,), before)
            assert left == [], f"the refused create left {left}"
        assert group_masks(team) == masks, f"{team}/schemata changed: {group_masks(team)}"


@pytest.mark.requirement("CLI-RDT-CLOSID-WITHOUT-CAT-MBA")
def test_closid_is_joined_where_resctrl_has_neither_l3_nor_mb(cli_on: CliOnHost) -> None:
    with cli_on(CDP_MACHINE, neither_cat_nor_mba) as (host, cli):
        team = host.container_id("cdpteam")
        os.mkdir(host.resctrl_group(team))  # its schemata the kernel's default
        cid, made, _ = create_with(cli, host, "cdpjoin", IntelRdt(clos_id=team))
        assert made.exit_code == 0, made.describe()
        pid = cli.init_pid(cid)
        assert pid in host.resctrl_tasks(team), (
            f"init {pid} is not in {team}/tasks: the closID was ignored on a host whose resctrl"
            " has neither info/L3 nor info/MB"
        )
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert os.path.isdir(host.resctrl_group(team)), f"delete removed {team}"
