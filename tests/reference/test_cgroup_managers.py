"""The reference's cgroup managers on simulated v1, v2 and hybrid hosts: which one a host gets,
and the behaviour later profiles switch on (joining the unified hierarchy, cgroup.kill)."""

from __future__ import annotations

import dataclasses
import os
import re
import signal

import pytest

from harness.fakes.topology import HYBRID_TOPOLOGY
from harness.fakes.topology import V2_TOPOLOGY
from harness.fakes.topology import Topology
from harness.hosts import simulated_host
from harness.spec import tables
from reference_impl import CgroupConfig
from reference_impl import Config
from reference_impl import Factory
from reference_impl import Process
from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import FsManager
from reference_impl.cgroups import cgroup_mode
from reference_impl.cgroups import kill_all
from reference_impl.cgroups import new_manager
from reference_impl.cgroups import shares_to_weight
from reference_impl.profiles import RUNC_1_2
from reference_impl.profiles import SEED

INIT = Process(args=("/bin/sleep", "infinity"))


@pytest.mark.parametrize(
    ("topology", "mode", "manager"),
    [
        (Topology(), ("v1", None), FsManager),
        (HYBRID_TOPOLOGY, ("hybrid", "/sys/fs/cgroup/unified"), FsManager),
        (V2_TOPOLOGY, ("v2", "/sys/fs/cgroup"), Fs2Manager),
    ],
)
def test_mountinfo_picks_the_manager(
    topology: Topology, mode: tuple[str, str], manager: type
) -> None:
    with simulated_host(topology) as host:
        assert cgroup_mode() == mode
        assert type(new_manager(CgroupConfig(path="/x"), host.system, RUNC_1_2)) is manager


def test_shares_convert_as_the_spec_says() -> None:
    for shares, weight in tables.shares_to_weight().items():
        assert shares_to_weight(shares) == weight
    assert shares_to_weight(0) == 0


def test_hybrid_join_unified_when_the_profile_says_so() -> None:
    profile = dataclasses.replace(SEED, cgroup_join_unified=True)
    with simulated_host(HYBRID_TOPOLOGY) as host:
        c = Factory(host.state_root, host.system, profile).create(
            "hj", Config(namespaces=("pid",), cgroups=CgroupConfig(path="/hj"))
        )
        c.run(INIT)
        pid = c.init_process.pid
        assert host.kernel.cgroup_of(pid, "unified") == "/hj"
        c.signal(signal.SIGKILL)
        c.destroy()
        assert not os.path.exists("/sys/fs/cgroup/unified/hj")


@pytest.mark.parametrize("use_kill_file", [False, True])
def test_kill_all_on_v2(use_kill_file: bool) -> None:
    with simulated_host(V2_TOPOLOGY) as host:
        manager = new_manager(CgroupConfig(path="/k"), host.system, RUNC_1_2)
        first = host.kernel.spawn_process("first")
        manager.apply(first)
        second = host.kernel.fork(first)
        kill_all(manager, host.system, signal.SIGKILL, use_kill_file=use_kill_file)
        assert not host.is_alive(first) and not host.is_alive(second)
        writes = [op.path for op in host.kernel.log if op.op == "write"]
        kill = "/sys/fs/cgroup/k/cgroup.kill"
        freeze = "/sys/fs/cgroup/k/cgroup.freeze"
        if use_kill_file:
            assert kill in writes and freeze not in writes
        else:
            assert kill not in writes and freeze in writes


def test_kill_all_on_hybrid_goes_through_the_unified_group() -> None:
    """runc 1.2 writes cgroup.kill of m.Path("") on hybrid hosts too (v1.2.0
    init_linux.go:701-710); without a unified group it freezes and signals each pid."""
    with simulated_host(HYBRID_TOPOLOGY) as host:
        manager = new_manager(CgroupConfig(path="/k"), host.system, RUNC_1_2)
        first = host.kernel.spawn_process("first")
        manager.apply(first)
        kill_all(manager, host.system, signal.SIGKILL, use_kill_file=True)
        assert not host.is_alive(first)
        writes = [op.path for op in host.kernel.log if op.op == "write"]
        assert "/sys/fs/cgroup/unified/k/cgroup.kill" in writes
        v1_only = new_manager(CgroupConfig(path="/v1"), host.system, SEED)
        other = host.kernel.spawn_process("other")
        v1_only.apply(other)
        kill_all(v1_only, host.system, signal.SIGKILL, use_kill_file=True)
        assert not host.is_alive(other)
        assert "/sys/fs/cgroup/freezer/v1/freezer.state" in [
            op.path for op in host.kernel.log if op.op == "write"
        ]


@pytest.mark.parametrize(
    ("topology", "group", "error"),
    [
        (Topology(), "/sys/fs/cgroup/memory/b", "Failed to remove paths: map[memory:{group}]"),
        (V2_TOPOLOGY, "/sys/fs/cgroup/b", "rmdir {group}: device or resource busy"),
    ],
)
def test_busy_group_is_retried_on_ebusy(topology: Topology, group: str, error: str) -> None:
    """runc 1.2's RemovePath: one rmdir, then ten EBUSY retries 1 ms doubling (v1.2.0
    cgroups/utils.go:228-289); v2's Destroy returns the rmdir error (fs2/fs2.go:157-159)."""
    with simulated_host(topology) as host:
        manager = new_manager(CgroupConfig(path="/b"), host.system, RUNC_1_2)
        init = host.kernel.spawn_process("init")
        manager.apply(init)
        host.end_process(init)
        host.pin_dir(group)
        before = host.system.monotonic()
        with pytest.raises(Exception, match=f"^{re.escape(error.format(group=group))}$"):
            manager.destroy()
        rmdirs = [op for op in host.kernel.log if op.op == "rmdir" and op.path == group]
        assert len(rmdirs) == 12
        assert host.system.monotonic() - before == pytest.approx(1.023)
