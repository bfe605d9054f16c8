"""``update`` changes a created container's limits, read back from its group: by flags, and by
``--resources FILE`` (a linux.resources document).

The container starts with the first memory_swap_v2 row of ``harness/spec/resources.toml`` and
is raised past it (update_memory_swap), so that on cgroup v1 the runtime must write swap before
memory; the v2 files and conversions come from the same tables.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import MACHINES
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.limits import created
from harness.scenarios._support.limits import read_limit
from harness.scenarios._support.limits import swap_accounted
from harness.scenarios._support.machines import CliOnHost
from harness.spec import tables
from harness.spec.limit_tables import cpu_max
from harness.spec.limit_tables import memory_swap_v2
from harness.spec.limit_tables import update_memory_swap
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import Resources

RULE = "CLI-UPDATE-RESOURCES"
#: what update sets besides memory: a pids limit, cpu shares whose v2 weight the spec worked
#: out, and a cfs quota and period
PIDS_LIMIT, SHARES, QUOTA_US, PERIOD_US = 128, 1024, 20000, 100000


def _first() -> Resources:
    """What the container is created with: less of everything update sets."""
    row = memory_swap_v2()[0]
    return Resources(
        memory_limit=row.memory, memory_swap=row.swap, pids_limit=PIDS_LIMIT // 2,
        cpu_shares=SHARES // 2, cpu_quota=QUOTA_US // 2, cpu_period=PERIOD_US * 2,
    )  # fmt: skip


def _wanted(kind: str, cpu: bool) -> dict[str, str]:
    """The files update must leave, and what they read (``cpu``: the flags set cpu too)."""
    row = update_memory_swap()
    want = {
        "memory_limit": str(row.memory),
        "memory_swap": row.v2 if kind == "v2" else str(row.swap),
        "pids_limit": str(PIDS_LIMIT),
    }
    if cpu and kind == "v2":
        want.update(cpu_shares=str(tables.shares_to_weight()[SHARES]))
        want.update(cpu_max=cpu_max(QUOTA_US, PERIOD_US))
    elif cpu:
        want.update(cpu_shares=str(SHARES), cpu_quota=str(QUOTA_US), cpu_period=str(PERIOD_US))
    return want


def _updated(
    cli: CommandLine,
    host: Host,
    kind: str,
    name: str,
    how: Callable[[], tuple[str, ...]],
    verify: Any,
) -> dict[str, str]:
    """Create ``name``, update it with the arguments ``how()`` gives once it exists, and read
    back every file of :func:`_wanted`."""
    with created(cli, host, name, _first(), (RULE,), verify) as cid:
        argv = how()
        result = cli("update", *argv, cid)
        verify(RULE, result.exit_code == 0, f"update {' '.join(argv)}: {result.describe()}")
        return {limit: read_limit(host, kind, cid, limit) for limit in _wanted(kind, True)}


def _compare(got: dict[str, str], want: dict[str, str], verify: Any) -> None:
    verify.each(
        *((RULE, got[k] == v, f"{k} after update: {got[k]!r}, not {v!r}") for k, v in want.items())
    )


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement(RULE)
def test_update_flags_change_limits(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    row = update_memory_swap()
    flags = (
        "--memory", str(row.memory), "--memory-swap", str(row.swap),
        "--pids-limit", str(PIDS_LIMIT), "--cpu-share", str(SHARES),
        "--cpu-quota", str(QUOTA_US), "--cpu-period", str(PERIOD_US),
    )  # fmt: skip
    with cli_on(MACHINES[kind], swap_accounted(kind)) as (host, cli):
        got = _updated(cli, host, kind, "update-flags", lambda: flags, verify)
    _compare(got, _wanted(kind, True), verify)


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement(RULE)
def test_update_resources_file_changes_limits(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """A file of memory and pids alone: cpu keeps what create wrote."""
    row = update_memory_swap()
    document = {"memory": {"limit": row.memory, "swap": row.swap}, "pids": {"limit": PIDS_LIMIT}}
    with cli_on(MACHINES[kind], swap_accounted(kind)) as (host, cli):
        path = os.path.join(host.bundle_root, f"{host.container_id('update-file')}.json")

        def written() -> tuple[str, ...]:
            with open(path, "w", encoding="utf-8") as f:
                json.dump(document, f)
            return ("--resources", path)

        try:
            got = _updated(cli, host, kind, "update-file", written, verify)
        finally:
            if os.path.exists(path):
                os.unlink(path)
    want = _wanted(kind, False)
    _compare({k: got[k] for k in want}, want, verify)
