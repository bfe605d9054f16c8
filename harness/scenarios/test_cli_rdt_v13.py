"""Intel RDT of runtime-spec v1.3.0 through the command line: ``schemata`` and
``enableMonitoring`` (config-linux.md:754-786), for runtimes that announce them.

A rule here runs only where the runtime's ``features`` sets ``linux.intelRdt.schemata`` (or
``.monitoring``) true (features-linux.md:235-238); elsewhere it skips saying what the runtime
announced.  Its bundles declare ociVersion 1.3.0, the catalog's ``spec_version`` of the rules,
when the runtime's ``ociVersionMax`` reaches it, and the rule skips when it does not (a run of
``--oci-version`` 1.3.0 or later declares that version; an older one skips these rules whole).
The machines are those of the older rules: L3 CAT with MBA and monitoring (176 RMIDs).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.rdt_cli import CAT_MACHINE
from harness.scenarios._support.rdt_cli import CDP_MACHINE
from harness.scenarios._support.rdt_cli import L2_MACHINE
from harness.scenarios._support.rdt_cli import MBA_MACHINE
from harness.scenarios._support.rdt_cli import cache_masks
from harness.scenarios._support.rdt_cli import cat_and_mba_usable
from harness.scenarios._support.rdt_cli import cdp_mounted
from harness.scenarios._support.rdt_cli import create_with
from harness.scenarios._support.rdt_cli import group_masks
from harness.scenarios._support.rdt_cli import group_mb
from harness.scenarios._support.rdt_cli import l2_usable
from harness.scenarios._support.rdt_cli import l3_masks
from harness.scenarios._support.rdt_cli import left_behind
from harness.scenarios._support.rdt_cli import make_group
from harness.scenarios._support.rdt_cli import mb_values
from harness.scenarios._support.rdt_cli import mon_group
from harness.scenarios._support.rdt_cli import monitoring_usable
from harness.scenarios._support.rdt_cli import rdt_usable
from harness.scenarios._support.rdt_cli import root_domains
from harness.scenarios._support.rdt_cli import stop_and_delete
from harness.scenarios._support.rdt_cli import valid_line
from harness.scenarios._support.rdt_cli import valid_mb_schema
from harness.scenarios._support.rdt_cli import valid_schema
from harness.scenarios._support.runtime_features import announced_or_skip
from harness.scenarios._support.runtime_features import features_faults
from harness.scenarios._support.runtime_features import require_announced
from harness.scenarios._support.runtime_features import require_oci_version
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import IntelRdt

SCHEMATA = "linux.intelRdt.schemata"
MONITORING = "linux.intelRdt.monitoring"


def _create(cli: CommandLine, host: Any, name: str, rdt: IntelRdt, version: str) -> Any:
    """Create ``name`` with ``rdt`` in a bundle declaring ``version``: (its id, the record)."""
    cid = host.container_id(name)
    bundle = cli.bundle(name, intel_rdt=rdt, oci_version=version or None)
    return cid, cli("create", "--bundle", bundle, cid)


# -- what the rules above hang on -----------------------------------------------------------
@pytest.mark.requirement("CLI-FEATURES-OCI-VERSIONS")
def test_features_name_the_oci_versions_the_runtime_accepts(cli: CommandLine, host: Host) -> None:
    """The v1.3 rules trust ``features``: its versions decide which ociVersion their bundles
    declare, so what it says of them is checked first, and held to."""
    document = announced_or_skip(cli)
    faults = features_faults(document)
    assert faults == [], f"features: {'; '.join(faults)} (it printed {document})"
    for key in ("ociVersionMin", "ociVersionMax"):
        version, name = document[key], f"feat-{key[-3:].lower()}"
        cid = host.container_id(name)
        bundle = cli.bundle(name, oci_version=version)
        result = cli("create", "--bundle", bundle, cid)
        assert result.exit_code == 0, (
            f"{result.describe()}; the bundle declares ociVersion {version}, the {key} of the"
            " runtime's features, which it MUST accept"
        )
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()


# -- schemata -------------------------------------------------------------------------------
@pytest.mark.requirement("CLI-RDT-SCHEMATA")
def test_schemata_lines_are_written(cli_on: CliOnHost) -> None:
    with cli_on(MBA_MACHINE, cat_and_mba_usable) as (host, cli):
        version = require_announced(cli, SCHEMATA)
        l3, mb = valid_schema(host), valid_mb_schema()
        cid, result = _create(cli, host, "lines", IntelRdt(schemata=(l3, mb)), version)
        assert result.exit_code == 0, result.describe()
        assert cli.init_pid(cid) in host.resctrl_tasks(cid), f"init is not in {cid}/tasks"
        assert group_masks(cid) == l3_masks(l3), f"{cid}: L3 {group_masks(cid)}, not {l3}"
        assert group_mb(cid) == mb_values(mb), f"{cid}: MB {group_mb(cid)}, not {mb}"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert not os.path.exists(host.resctrl_group(cid)), "delete left the group"


@pytest.mark.requirement("CLI-RDT-SCHEMATA-LAST")
def test_schemata_lines_are_written_after_the_older_fields(cli_on: CliOnHost) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        version = require_announced(cli, SCHEMATA)
        older, newer = valid_schema(host), valid_schema(host, shift=1)
        assert l3_masks(older) != l3_masks(newer), f"{older} and {newer} must differ"
        rdt = IntelRdt(l3_cache_schema=older, schemata=(newer,))
        cid, result = _create(cli, host, "last", rdt, version)
        assert result.exit_code == 0, (
            f"{result.describe()}; schemata's {newer} is to be written after l3CacheSchema's"
            f" {older}"
        )
        assert group_masks(cid) == l3_masks(newer), (
            f"{cid}/schemata holds {group_masks(cid)}: schemata's {newer} was not written last"
            f" (l3CacheSchema is {older})"
        )
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()


@pytest.mark.parametrize(
    ("machine", "needs", "resources"),
    [
        pytest.param(L2_MACHINE, l2_usable, ("L2",), id="l2"),
        pytest.param(CDP_MACHINE, cdp_mounted, ("L3CODE", "L3DATA"), id="cdp"),
    ],
)
@pytest.mark.requirement("CLI-RDT-SCHEMATA-CACHES")
def test_schemata_lines_reach_caches_the_older_fields_cannot(
    cli_on: CliOnHost, machine: str, needs: Any, resources: tuple[str, ...]
) -> None:
    with cli_on(machine, needs) as (host, cli):
        version = require_announced(cli, SCHEMATA)
        lines = tuple(valid_line(r, root_domains(r), shift=i) for i, r in enumerate(resources))
        cid, result = _create(cli, host, f"cache-{machine}", IntelRdt(schemata=lines), version)
        assert result.exit_code == 0, result.describe()
        for resource, line in zip(resources, lines, strict=True):
            got = group_masks(cid, resource)
            assert got == cache_masks(line, resource), f"{cid}: {resource} {got}, not {line}"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert not os.path.exists(host.resctrl_group(cid)), "delete left the group"


# -- monitoring -----------------------------------------------------------------------------
@pytest.mark.requirement("CLI-RDT-MONITORING")
def test_monitoring_group_holds_init_and_goes_at_delete(cli_on: CliOnHost) -> None:
    with cli_on(MBA_MACHINE, monitoring_usable) as (host, cli):
        version = require_announced(cli, MONITORING)
        rdt = IntelRdt(l3_cache_schema=valid_schema(host), enable_monitoring=True)
        cid, result = _create(cli, host, "mon", rdt, version)
        assert result.exit_code == 0, result.describe()
        mon = mon_group(cid, cid)
        assert os.path.isdir(host.resctrl_group(mon)), f"no monitoring group {mon}"
        pid = cli.init_pid(cid)
        assert pid in host.resctrl_tasks(mon), f"init {pid} is not in {mon}/tasks"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert not os.path.exists(host.resctrl_group(mon)), f"delete left {mon}"


@pytest.mark.requirement("CLI-RDT-MONITORING-CLOSID")
def test_monitoring_group_in_a_closid_group_goes_and_the_group_stays(
    cli_on: CliOnHost,
) -> None:
    with cli_on(MBA_MACHINE, monitoring_usable) as (host, cli):
        version = require_announced(cli, MONITORING)
        team = make_group(host, host.container_id("montm"), valid_schema(host))
        rdt = IntelRdt(clos_id=team, enable_monitoring=True)
        cid, result = _create(cli, host, "monjoin", rdt, version)
        assert result.exit_code == 0, result.describe()
        mon = mon_group(team, cid)
        assert os.path.isdir(host.resctrl_group(mon)), f"no monitoring group {mon}"
        assert cli.init_pid(cid) in host.resctrl_tasks(mon), f"init is not in {mon}/tasks"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert not os.path.exists(host.resctrl_group(mon)), f"delete left {mon}"
        assert os.path.isdir(host.resctrl_group(team)), f"delete removed {team}"


# -- before v1.3 ---------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["schemata", "enableMonitoring"])
@pytest.mark.requirement("CLI-RDT-V13-FIELDS-UNKNOWN")
def test_v13_fields_are_unknown_to_runc_before_them(cli_on: CliOnHost, field: str) -> None:
    with cli_on(MBA_MACHINE, monitoring_usable) as (host, cli):
        older, newer = valid_schema(host), valid_schema(host, shift=1)
        if field == "schemata":
            rdt = IntelRdt(l3_cache_schema=older, schemata=(newer,))
        else:
            rdt = IntelRdt(l3_cache_schema=older, enable_monitoring=True)
        cid, result, _ = create_with(cli, host, f"v13{field[:3]}", rdt)
        assert result.exit_code == 0, result.describe()
        assert group_masks(cid) == l3_masks(older), (
            f"{cid}/schemata holds {group_masks(cid)}, not l3CacheSchema's {older}: the"
            f" schemata line {newer} was written"
        )
        mon = mon_group(cid, cid)
        assert not os.path.exists(host.resctrl_group(mon)), f"enableMonitoring made {mon}"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()


# -- the default CLOS -----------------------------------------------------------------------
@pytest.mark.requirement("CLI-RDT-CLOSID-ROOT")
def test_closid_slash_is_the_default_group(cli_on: CliOnHost) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        version = require_oci_version(cli, "closID '/' (the default CLOS)")
        # the runtime runs in a group of its own, so that init is born outside the default
        home = make_group(host, host.container_id("rthome"), valid_schema(host))
        groups = sorted(os.listdir(host.resctrl_group("")))
        with host.runtime_in_resctrl_group(home):
            cid, result = _create(cli, host, "rootclos", IntelRdt(clos_id="/"), version)
        assert result.exit_code == 0, result.describe()
        pid = cli.init_pid(cid)
        assert pid in host.resctrl_tasks(""), (
            f"init {pid} is not in the default group's tasks; the runtime ran in {home}, whose"
            f" tasks are {host.resctrl_tasks(home)}"
        )
        made = sorted(os.listdir(host.resctrl_group("")))
        assert made == groups, f"closID '/' made {sorted(set(made) - set(groups))}"
        deleted = stop_and_delete(cli, host, cid)
        assert deleted.exit_code == 0, deleted.describe()
        assert os.path.isfile(os.path.join(host.resctrl_group(""), "tasks")), "resctrl is gone"


@pytest.mark.requirement("CLI-RDT-CLOSID-SLASH-REFUSED")
def test_closid_slash_is_refused_before_it_named_the_default_group(cli_on: CliOnHost) -> None:
    with cli_on(CAT_MACHINE, rdt_usable) as (host, cli):
        cid, result, before = create_with(cli, host, "slashclos", IntelRdt(clos_id="/"))
        assert result.exit_code != 0, (
            f"{result.describe()}; runc 1.1 and 1.2 refuse a closID holding '/'"
        )
        left = left_behind(cli, host, cid, (cid,), before)
        assert left == [], f"the refused create left {left}"
