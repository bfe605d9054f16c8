"""The resources of config.json as the command line's create applies them: cpu shares land as
given on cgroup v1 and as runc's specconv converts them on cgroup v2.

Each rule boots the cgroup host it is about (``cli_on``); values come from
``harness/spec/resources.toml`` (the shares_to_weight table, the control files).
"""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import MACHINES
from harness.scenarios._support.cgroup_hosts import V2
from harness.scenarios._support.cgroup_hosts import control_value
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.cgroup_hosts import limit_file
from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.machines import cgroups_are
from harness.spec import tables
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import Resources

RULE = "CLI-CREATE-CPU-SHARES"


def _created_value(
    cli: CommandLine, host: Host, kind: str, name: str, resources: Resources | None, verify: Any
) -> str:
    """The cpu file of a container created from a bundle with ``resources``, then deleted;
    a create that fails is the rule's failure."""
    cid = host.container_id(name)
    result = cli("create", "--bundle", cli.bundle(name, resources=resources), cid)
    verify(RULE, result.exit_code == 0, f"create with {resources}: {result.describe()}")
    try:
        return control_value(limit_file(host, kind, f"/{cid}", "cpu_shares"))
    finally:
        cli("delete", "--force", cid)


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement(RULE)
def test_cpu_shares_of_config_json_land(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """cpu.shares on v1 and hybrid, cpu.weight on v2; shares 0, like a config without cpu,
    leave the file as the kernel made it."""
    with cli_on(MACHINES[kind], cgroups_are(kind)) as (host, cli):
        untouched = tables.cpu_default(kind)
        for name, resources in (("cpu-none", None), ("cpu-0", Resources(cpu_shares=0))):
            got = _created_value(cli, host, kind, name, resources, verify)
            verify(RULE, got == untouched, f"{resources} gave {got!r}, not {untouched}")
        for shares, weight in sorted(tables.shares_to_weight().items()):
            bundled = Resources(cpu_shares=shares)
            got = _created_value(cli, host, kind, f"cpu-{shares}", bundled, verify)
            want = str(weight if kind == "v2" else shares)
            verify(RULE, got == want, f"config.json's cpu shares {shares} gave {got!r}, not {want}")


@V2
@pytest.mark.requirement(RULE)
def test_cpu_shares_that_wrap_fail_create_on_v2(cli_on: CliOnHost, verify: Any) -> None:
    """runc's conversion is Go's uint64 arithmetic: shares 1 give a weight past the kernel's
    range, whose write the kernel refuses, and create fails on it."""
    with cli_on(MACHINES["v2"], cgroups_are("v2")) as (host, cli):
        shares, weight = tables.shares_wrapped()
        cid = host.container_id("cpu-wrap")
        bundle = cli.bundle("cpu-wrap", resources=Resources(cpu_shares=shares))
        result = cli("create", "--bundle", bundle, cid)
        try:
            verify(RULE, result.exit_code != 0, f"shares {shares} must fail: {result.describe()}")
            weight_file = limit_file(host, "v2", f"/{cid}", "cpu_shares")
            refused = f'"{weight}": write {weight_file}: {os.strerror(errno.ERANGE).lower()}'
            told = refused in result.stderr_tail
            verify(RULE, told, f"create must say {refused!r}: {result.stderr_tail!r}")
        finally:
            cli("delete", "--force", cid)
        verify(RULE, cli.state(cid) is None, f"the failed create left {cid}")
