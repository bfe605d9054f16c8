"""The seed's joined cgroups (``Cgroups.Paths``): which of the given paths Apply records and
enters (692f6e1 cgroups/fs/apply_raw.go:117-130, cgroups/utils.go:359-368 EnterPid).  A path
is recorded when its subsystem is mounted, whether or not it exists, and init is written only
into those that exist; state.json's cgroup_paths shows what was recorded."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import state_file
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.machines import v1_without
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config
from harness.subjects.base import Factory

#: the joined groups made before the container, and the one named without a group
_MADE = ("devices", "freezer")
_WITHOUT = "memory"


@contextmanager
def _joined_start(
    host: Host, factory: Factory, name: str, rule: str, verify: Any
) -> Iterator[dict[str, Any]]:
    """Start a container joining ``/<name>`` in the hierarchies of ``_MADE`` (made first) and
    of ``_WITHOUT`` (no group); yields its state.json and stops it after."""
    shared = host.cgroup_path(name)
    paths = {h: host.cgroup_dir(h, shared) for h in (*_MADE, _WITHOUT)}
    for hierarchy in _MADE:
        os.makedirs(paths[hierarchy])
    c = factory.create(host.container_id(name), Config(cgroups=CgroupConfig(paths=paths)))
    got = error_of(lambda: c.run(INIT))
    verify(rule, got == "no error", f"Start joining {paths} failed: {got!r}")
    for hierarchy in _MADE:
        pids = host.cgroup_pids(hierarchy, shared)
        verify(rule, init_pid(c) in pids, f"init is not in the joined {hierarchy} group")
    yield state_file(host, c.id)


@pytest.mark.requirement("CG-JOINED-UNMOUNTED-SKIPPED")
def test_a_joined_path_of_an_unmounted_subsystem_is_skipped(on_host: OnHost, verify: Any) -> None:
    # apply_raw.go:119-126: d.path(name) finds no mount point (NotFound), and the path is left
    # out of m.Paths
    rule = "CG-JOINED-UNMOUNTED-SKIPPED"
    with on_host("v1-no-memory", v1_without(_WITHOUT)) as (host, factory):
        with _joined_start(host, factory, "jun", rule, verify) as state:
            recorded = sorted(state.get("cgroup_paths") or {})
            verify(rule, recorded == sorted(_MADE), f"state.json records {recorded}")


@pytest.mark.requirement("CG-JOINED-MISSING-RECORDED")
def test_a_joined_path_that_does_not_exist_is_recorded(on_host: OnHost, verify: Any) -> None:
    # apply_raw.go:127-129 records every path of a mounted subsystem; EnterPid (utils.go:361)
    # writes init only where the path exists, and makes nothing
    rule = "CG-JOINED-MISSING-RECORDED"
    with boot(on_host, "v1") as (host, factory):
        with _joined_start(host, factory, "jmiss", rule, verify) as state:
            missing = host.cgroup_dir(_WITHOUT, host.cgroup_path("jmiss"))
            recorded = (state.get("cgroup_paths") or {}).get(_WITHOUT)
            verify(rule, recorded == missing, f"state.json records {recorded!r}, not {missing!r}")
            verify(rule, not os.path.exists(missing), f"{missing} was made; it is only joined")
