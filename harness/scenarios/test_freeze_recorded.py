"""Freeze records the freezer state in the cgroup manager's config, which is the container's
own (692f6e1 cgroups/fs/apply_raw.go:218-227; v1.2.0 cgroups/fs/fs.go:206-220, the manager
made from the config's Cgroups, factory_linux.go:57, 96), and puts the old state back when it
fails.  What shows it: a Set that fails writes the container's config back (692f6e1
container_linux.go:199-205; v1.2.0 :177-183), freezer state included, on a group someone
thawed from outside meanwhile.  A Set that works makes the config it was given the
container's (692f6e1 container_linux.go:216; v1.2.0 :197), and the v1 manager keeps its own
(its Set records nothing): from then on a Pause records FROZEN where no Set writes it back."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import limit_file
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.machines import OnHost
from harness.spec import tables
from harness.subjects.base import Container


def _thaw_and_fail_a_set(host: Host, c: Container, path: str) -> str:
    """Thaw the group from outside, then a Set whose pids write fails, so that Set writes the
    container's config back; the freezer state after it."""
    name, _, thawed = tables.freezer_file("v1")
    with open(os.path.join(host.cgroup_dir("freezer", path), name), "w") as f:
        f.write(thawed)
    assert str(c.status()) == "running", "the group thawed from outside must read running"
    fault = inject(host, "write", limit_file(host, "v1", path, "pids_limit"), errno.EIO)
    got = error_of(lambda: c.set(cgroup_config(path, pids_limit=16)))
    host.clear_faults()
    assert host.fired(fault) and got != "no error", f"the Set must fail at pids.max: {got!r}"
    return host.freezer_state(path)


@contextlib.contextmanager
def _paused(on_host: OnHost, name: str) -> Iterator[tuple[Host, Container, str]]:
    """A paused container with a pids limit on a v1 host: the host, it, its cgroup path."""
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path(name)
        c = factory.create(host.container_id(name), cgroup_config(path, pids_limit=8))
        c.run(INIT)
        c.pause()
        yield host, c, path


@pytest.mark.requirement("CG-FREEZE-RECORDED")
def test_pause_records_frozen_in_the_config(on_host: OnHost, verify: Any) -> None:
    rule = "CG-FREEZE-RECORDED"
    _, frozen, _ = tables.freezer_file("v1")
    with _paused(on_host, "frec") as (host, c, path):
        shown = _thaw_and_fail_a_set(host, c, path)
        verify(rule, shown == frozen, f"the written-back config must freeze again: {shown}")
        status = str(c.status())
        verify(rule, status == "paused", f"after the written-back config: {status}, not paused")


@pytest.mark.requirement("CG-FREEZE-RESTORED")
def test_failed_resume_restores_frozen_in_the_config(on_host: OnHost, verify: Any) -> None:
    rule = "CG-FREEZE-RESTORED"
    name, frozen, _ = tables.freezer_file("v1")
    with _paused(on_host, "frst") as (host, c, path):
        state = os.path.join(host.cgroup_dir("freezer", path), name)
        fault = inject(host, "write", state, errno.EIO)
        got = error_of(c.resume)
        host.clear_faults()
        assert host.fired(fault) and got != "no error", f"the thaw must fail: {got!r}"
        shown = _thaw_and_fail_a_set(host, c, path)
        verify(rule, shown == frozen, f"a failed Resume must leave FROZEN recorded: {shown}")


@pytest.mark.requirement("CG-SET-CONFIG-REPLACED")
def test_after_a_set_pause_records_frozen_elsewhere(on_host: OnHost, verify: Any) -> None:
    rule = "CG-SET-CONFIG-REPLACED"
    _, _, thawed = tables.freezer_file("v1")
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("fset")
        c = factory.create(host.container_id("fset"), cgroup_config(path, pids_limit=8))
        c.run(INIT)
        # the config given names no freezer state, so Set writes none
        c.set(cgroup_config(path, pids_limit=12))
        c.pause()
        shown = _thaw_and_fail_a_set(host, c, path)
        verify(rule, shown == thawed, f"the written-back config must not freeze: {shown}")
        status = str(c.status())
        verify(rule, status == "running", f"after the written-back config: {status}, not running")
