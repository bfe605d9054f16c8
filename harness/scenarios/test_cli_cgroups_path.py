"""A relative cgroupsPath through the command line (runtime-spec v1.0.2 config-linux.md:179-184):
the runtime picks where it goes, so the harness finds init's group in /proc/<init>/cgroup rather
than at the top of a hierarchy, reads the limits there, and holds the runtime to its one MUST:
the same value, the same place.  runtime-tools' linux_cgroups_relative_* tests do the same per
resource; here one container carries a memory and a pids limit.

runc puts a relative path under its own group (libcontainer/cgroups/fs/paths.go:167-175), the
harness's on a real host: the value is a name of this run, so ``rtgate cleanup`` finds a group a
runtime left there too (harness/hosts/leftovers.py walks every depth).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import MACHINES
from harness.scenarios._support.cgroup_hosts import control_value
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.machines import cgroups_are
from harness.spec.limit_tables import cgroup_file
from harness.subjects.command_line import CONTAINER_NAMESPACES
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import Resources

RELATIVE = "CLI-CREATE-CGROUPS-PATH-RELATIVE"
MEMORY_LIMIT, PIDS_LIMIT = 96 << 20, 48
#: each limit, the value its file reads
WANT = {"memory_limit": str(MEMORY_LIMIT), "pids_limit": str(PIDS_LIMIT)}


def _create(cli: CommandLine, host: Host, name: str, value: str) -> tuple[str, Any]:
    """Create ``name`` with cgroupsPath ``value``: its id and the create's result."""
    cid = host.container_id(name)
    config = ContainerConfig(
        args=("/bin/sleep", "600"), hostname=cid, namespaces=CONTAINER_NAMESPACES,
        cgroups_path=value,
        resources=Resources(memory_limit=MEMORY_LIMIT, pids_limit=PIDS_LIMIT),
    )  # fmt: skip
    return cid, cli("create", "--bundle", cli.bundle_of(name, config), cid)


def _groups(cli: CommandLine, host: Host, kind: str, cid: str) -> dict[str, str]:
    """Init's group in the hierarchy of each limit, from /proc/<init>/cgroup."""
    pid = int((cli.state(cid) or {}).get("pid") or 0)
    assert pid > 0, f"state of {cid} names no init pid: {cli.state(cid)}"
    return {limit: host.cgroup_of(pid, cgroup_file(kind, limit)[0]) for limit in WANT}


def _faults(host: Host, kind: str, value: str, groups: dict[str, str]) -> list[str]:
    """How the groups differ from a relative path's: ``<somewhere>/<value>`` with the limits."""
    faults = []
    for limit, path in groups.items():
        hierarchy, name = cgroup_file(kind, limit)
        if not path.endswith("/" + value):
            faults.append(f"init's {hierarchy} group is {path}, not <a place>/{value}")
            continue
        got = control_value(os.path.join(host.cgroup_dir(hierarchy, path), name))
        if got != WANT[limit]:
            faults.append(f"{hierarchy} {path}/{name} reads {got!r}, not {WANT[limit]!r}")
    return faults


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement(RELATIVE)
def test_relative_cgroups_path_is_one_place(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """Two containers one after the other with the same relative value: each is created, its
    init sits in <place>/<value> with the limits, both get the same place, and each delete
    removes the group."""
    with cli_on(MACHINES[kind], cgroups_are(kind)) as (host, cli):
        value = host.container_id("relative").lstrip("/")
        seen: list[dict[str, str]] = []
        for name in ("relative-a", "relative-b"):
            cid, result = _create(cli, host, name, value)
            try:
                verify(RELATIVE, result.exit_code == 0, f"create ({name}): {result.describe()}")
                groups = _groups(cli, host, kind, cid)
                seen.append(groups)
                verify.each(*((RELATIVE, False, f"{name}: {f}")
                              for f in _faults(host, kind, value, groups)))  # fmt: skip
            finally:
                deleted = cli("delete", "--force", cid)
            left = sorted(
                {
                    host.cgroup_dir(cgroup_file(kind, limit)[0], path)
                    for limit, path in (seen[-1].items() if seen else ())
                }  # fmt: skip
            )
            left = [d for d in left if os.path.isdir(d)]
            verify(RELATIVE, deleted.exit_code == 0 and not left,
                   f"delete ({name}): {deleted.describe()}; groups left: {left}")  # fmt: skip
        verify(RELATIVE, len(seen) == 2 and seen[0] == seen[1],
               f"cgroupsPath {value!r} twice, two places: {seen}")  # fmt: skip
