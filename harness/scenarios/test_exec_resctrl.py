"""A process started in a running container and the resctrl group its state names: the seed
names one after the container whenever resctrl is mounted, runc only with intelRdt."""

from __future__ import annotations

import dataclasses
import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import EXTRA
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import joined_pid
from harness.scenarios._support.containers import start_extra
from harness.scenarios._support.setting_up import setting_up
from harness.scenarios._support.skips import skip_for_host
from harness.spec import tables
from harness.subjects.api import CgroupConfig
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-EXEC-RDT-WITHOUT-CONFIG")
@pytest.mark.usefixtures("resctrl_host")  # skips where resctrl is not mounted
def test_extra_process_joins_a_group_named_after_a_container_without_intel_rdt(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    """The exec joins state.json's resctrl path if that exists: the seed's names the group
    after the container whenever resctrl is mounted, runc's only with intelRdt."""
    rule = "LC-EXEC-RDT-WITHOUT-CONFIG"
    cid = host.container_id("jw")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    group = host.resctrl_group(cid)
    os.mkdir(group)  # made by something else, after the start
    pid = start_extra(c, host)
    joined = pid in host.resctrl_tasks(cid)
    wanted = tables.state_rdt_path_without_intel_rdt(profile, group) == group
    verify(rule, joined == wanted, f"the extra process {pid} in {group}: {joined}, not {wanted}")


@pytest.mark.requirement("LC-EXEC-RDT-ID-NAMES-FILE")
@pytest.mark.usefixtures("resctrl_host")  # skips where resctrl is not mounted
def test_extra_process_of_a_container_named_after_a_resctrl_file(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    """The seed asks os.Stat, not whether a directory is there: an id that names a file of the
    resctrl root passes, and the join's write goes through that file."""
    rule = "LC-EXEC-RDT-ID-NAMES-FILE"
    cid = "tasks"  # a file of every resctrl root
    if host.container_id(cid) != cid:
        skip_for_host(
            "a container id rtgate may give as it is",
            f"this host gives rtgate's containers ids of their own ({host.container_id(cid)!r}), "
            "so that none is a name a host's own could have",
        )
    tasks_file = os.path.join(host.resctrl_group(""), cid)
    setting_up(os.path.isfile(tasks_file), f"{tasks_file} is not the root's tasks file")
    config = dataclasses.replace(config_for(cid), cgroups=CgroupConfig(path="/rdt-file-id"))
    c = factory.create(cid, config)
    c.run(INIT)
    before = host.live_children()
    got = error_of(lambda: c.start(EXTRA))
    pid = joined_pid(got, rule, profile, verify, step="join_rdt")
    if pid is not None:
        path = os.path.join(tasks_file, "tasks")
        text = os.strerror(errno.ENOTDIR).lower()
        want = tables.exec_tasks_write_error(profile, pid=pid, op="open", path=path, errno=text)
        verify(rule, want in got, f"the cause must be {want!r}: {got!r}")
    left = host.live_children() - before
    verify(rule, not left, f"the extra process must not be left running: {sorted(left)}")
    verify(rule, str(c.status()) == "running", f"the container is {c.status()}, not running")
