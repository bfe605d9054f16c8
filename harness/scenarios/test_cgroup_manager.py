"""The cgroup manager contract on v1, v2 and hybrid hosts, read back from the kernel.

Each test boots the kind of host it is about (``simulated_host`` with a topology), whatever the
run's preset is, so a v2 rule is checked on every run.  Files, values and texts come from
``harness/spec/resources.toml``.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from typing import Any

import pytest

from harness.fakes.topology import HYBRID_TOPOLOGY
from harness.fakes.topology import V2_TOPOLOGY
from harness.fakes.topology import Topology
from harness.hosts import SimulatedHost
from harness.hosts import simulated_host
from harness.scenarios._support import INIT
from harness.spec import tables
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config

V1 = Topology()
HOSTS: dict[str, Topology] = {"v1": V1, "v2": V2_TOPOLOGY, "hybrid": HYBRID_TOPOLOGY}
CGROUP_ROOT = "/sys/fs/cgroup"

OnHost = Callable[[Topology], AbstractContextManager[tuple[SimulatedHost, Any]]]


@pytest.fixture
def on_host(subject: Any, rtgate_options: Any) -> OnHost:
    """A fresh host of the given kind and a factory of the subject on it."""

    @contextmanager
    def boot(topology: Topology) -> Iterator[tuple[SimulatedHost, Any]]:
        with simulated_host(topology) as host:
            factory = subject.new_factory(host.state_root, host.system, rtgate_options.profile)
            yield host, factory

    return boot


def _config(path: str, *, pid_namespace: bool = True, **limits: int) -> Config:
    namespaces = ("pid", "mount") if pid_namespace else ("mount",)
    return Config(namespaces=namespaces, cgroups=CgroupConfig(path=path, **limits))


def _read(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read()


def _control_value(path: str) -> str:
    """A control file's value; the file must be the kernel's (kernfs reports st_size 0), not a
    regular file a write with O_CREAT left where the controller's file was missing."""
    __tracebackhide__ = True
    assert os.path.exists(path), f"{path} does not exist: is its controller enabled?"
    assert os.stat(path).st_size == 0, f"{path} is not a kernel control file"
    return _read(path).strip()


def _v2_dir(path: str) -> str:
    return os.path.join(CGROUP_ROOT, path.lstrip("/"))


def _limit_file(kind: str, path: str, limit: str) -> str:
    """Where ``limit`` of the container at ``path`` must land on a host of ``kind``."""
    if kind == "v2":
        return os.path.join(_v2_dir(path), tables.v2_file(limit))
    hierarchy, name = tables.v1_limit_file(limit)
    return os.path.join(CGROUP_ROOT, hierarchy, path.lstrip("/"), name)


def _kill_and_destroy(c: Any) -> None:
    c.signal(signal.SIGKILL)
    c.destroy()


# -- choosing the manager ---------------------------------------------------------------------
@pytest.mark.requirement("CG-SELECT-BY-MOUNTINFO")
@pytest.mark.parametrize("kind", ["v1", "v2"])
def test_manager_follows_the_host(on_host: OnHost, kind: str) -> None:
    with on_host(HOSTS[kind]) as (host, factory):
        c = factory.create("sel", _config("/sel"))
        c.run(INIT)
        pid = c.init_process.pid
        if kind == "v2":
            assert pid in host.kernel.cgroup_pids("unified", "/sel"), "init is not in the group"
            assert os.path.isdir(_v2_dir("/sel"))
        else:
            for controller in host.kernel.topology.v1_hierarchies:
                assert pid in host.kernel.cgroup_pids(controller, "/sel"), (
                    f"init is not in the {controller} cgroup of a v1 host"
                )
        _kill_and_destroy(c)


@pytest.mark.requirement("CG-HYBRID-V1-ONLY")
def test_hybrid_host_gets_the_v1_manager(on_host: OnHost) -> None:
    with on_host(HYBRID_TOPOLOGY) as (host, factory):
        c = factory.create("hy", _config("/hy"))
        c.run(INIT)
        pid = c.init_process.pid
        for controller in host.kernel.topology.v1_hierarchies:
            assert pid in host.kernel.cgroup_pids(controller, "/hy"), (
                f"init is not in the {controller} cgroup"
            )
        assert not os.path.exists(os.path.join(CGROUP_ROOT, "unified", "hy")), (
            "the seed knows no cgroup2: nothing is made in the unified hierarchy"
        )
        assert host.kernel.cgroup_of(pid, "unified") == "/"
        _kill_and_destroy(c)


# -- cgroup v2 --------------------------------------------------------------------------------
@pytest.mark.requirement("CG-V2-APPLY")
def test_v2_group_is_made_at_every_level(on_host: OnHost) -> None:
    with on_host(V2_TOPOLOGY) as (host, factory):
        c = factory.create("deep", _config("/pod/deep"))
        c.run(INIT)
        assert os.path.isdir(_v2_dir("/pod")) and os.path.isdir(_v2_dir("/pod/deep"))
        procs = [int(x) for x in _read(os.path.join(_v2_dir("/pod/deep"), "cgroup.procs")).split()]
        assert procs == [c.init_process.pid], f"cgroup.procs should hold init alone: {procs}"
        assert host.kernel.cgroup_pids("unified", "/pod") == []


@pytest.mark.requirement("CG-V2-ENABLE-CONTROLLERS")
def test_v2_controllers_enabled_above_the_group(on_host: OnHost) -> None:
    limits = {"memory_limit": 64 << 20, "pids_limit": 32, "cpu_shares": 1024}
    with on_host(V2_TOPOLOGY) as (_host, factory):
        c = factory.create("en", _config("/tenant/en", **limits))
        c.run(INIT)
        needed = {tables.v2_controller(limit) for limit in limits}
        for level in ("/", "/tenant"):
            enabled = set(_read(os.path.join(_v2_dir(level), "cgroup.subtree_control")).split())
            assert needed <= enabled, f"{level} must enable {sorted(needed - enabled)}"
        own = _read(os.path.join(_v2_dir("/tenant/en"), "cgroup.subtree_control")).split()
        assert own == [], "the group that holds init must not distribute controllers"
        for limit in limits:
            assert os.path.exists(_limit_file("v2", "/tenant/en", limit)), f"{limit} has no file"


@pytest.mark.requirement("CG-V2-FREEZE")
def test_v2_pause_freezes_and_resume_thaws(on_host: OnHost) -> None:
    with on_host(V2_TOPOLOGY) as (host, factory):
        c = factory.create("fz", _config("/fz"))
        c.run(INIT)
        pid = c.init_process.pid
        group = _v2_dir("/fz")
        c.pause()
        assert _read(os.path.join(group, tables.v2_file("freeze"))).strip() == "1"
        events = _read(os.path.join(group, tables.v2_file("events"))).splitlines()
        assert tables.v2_file("frozen") in events
        assert host.kernel.process(pid).state == "frozen"
        assert str(c.status()) == "paused"
        c.resume()
        assert _read(os.path.join(group, tables.v2_file("freeze"))).strip() == "0"
        events = _read(os.path.join(group, tables.v2_file("events"))).splitlines()
        assert tables.v2_file("thawed") in events
        assert host.kernel.process(pid).state == "running"
        assert str(c.status()) == "running"


@pytest.mark.requirement("CG-V2-DESTROY")
def test_v2_destroy_removes_the_group(on_host: OnHost) -> None:
    with on_host(V2_TOPOLOGY) as (_host, factory):
        c = factory.create("gone", _config("/gone"))
        c.run(INIT)
        _kill_and_destroy(c)
        assert not os.path.exists(_v2_dir("/gone"))


@pytest.mark.requirement("CG-V2-DESTROY")
def test_v2_busy_group_fails_after_retries(on_host: OnHost) -> None:
    with on_host(V2_TOPOLOGY) as (host, factory):
        c = factory.create("busy", _config("/busy"))
        c.run(INIT)
        outsider = host.kernel.spawn_process("outsider")
        host.kernel.move_to_cgroup(outsider, "unified", "/busy")
        c.signal(signal.SIGKILL)
        before = host.system.monotonic()
        with pytest.raises(Exception) as info:
            c.destroy()
        wanted = f"{tables.resource_message('cgroup_remove')}map[:{_v2_dir('/busy')}]"
        assert str(info.value) == wanted
        rmdirs = [op for op in host.kernel.log if op.op == "rmdir" and op.path == _v2_dir("/busy")]
        assert len(rmdirs) >= 5, "five rounds before giving up"
        assert host.system.monotonic() - before >= 0.150 - 1e-9


@pytest.mark.requirement("CG-JOINED-NOT-REMOVED")
def test_v2_joined_group_is_never_removed(on_host: OnHost) -> None:
    with on_host(V2_TOPOLOGY) as (host, factory):
        os.mkdir(_v2_dir("/shared"))
        config = Config(namespaces=(), cgroups=CgroupConfig(paths={"": _v2_dir("/shared")}))
        c = factory.create("j2", config)
        c.run(INIT)
        assert c.init_process.pid in host.kernel.cgroup_pids("unified", "/shared")
        _kill_and_destroy(c)
        assert os.path.isdir(_v2_dir("/shared"))


# -- limits, on every kind of host ------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(HOSTS))
@pytest.mark.requirement("CG-SET-MEMORY")
def test_memory_limit_lands(on_host: OnHost, kind: str) -> None:
    with on_host(HOSTS[kind]) as (_host, factory):
        c = factory.create("mem", _config("/mem", memory_limit=256 << 20))
        c.run(INIT)
        assert _control_value(_limit_file(kind, "/mem", "memory_limit")) == str(256 << 20)


@pytest.mark.parametrize("kind", sorted(HOSTS))
@pytest.mark.requirement("CG-SET-PIDS")
def test_pids_limit_lands(on_host: OnHost, kind: str) -> None:
    with on_host(HOSTS[kind]) as (_host, factory):
        c = factory.create("pl", _config("/pl", pids_limit=42))
        c.run(INIT)
        assert _control_value(_limit_file(kind, "/pl", "pids_limit")) == "42"


@pytest.mark.parametrize("kind", sorted(HOSTS))
@pytest.mark.parametrize("shares", sorted(tables.shares_to_weight()))
@pytest.mark.requirement("CG-SET-CPU")
def test_cpu_shares_land(on_host: OnHost, kind: str, shares: int) -> None:
    with on_host(HOSTS[kind]) as (_host, factory):
        c = factory.create("cs", _config("/cs", cpu_shares=shares))
        c.run(INIT)
        wanted = tables.shares_to_weight()[shares] if kind == "v2" else shares
        assert _control_value(_limit_file(kind, "/cs", "cpu_shares")) == str(wanted)


@pytest.mark.parametrize("kind", sorted(HOSTS))
@pytest.mark.requirement("CG-SET-UPDATE")
def test_set_updates_a_running_container(on_host: OnHost, kind: str) -> None:
    with on_host(HOSTS[kind]) as (_host, factory):
        config = _config("/up", pids_limit=10, memory_limit=64 << 20)
        c = factory.create("up", config)
        c.run(INIT)
        c.set(_config("/up", pids_limit=20, memory_limit=128 << 20))
        assert _control_value(_limit_file(kind, "/up", "pids_limit")) == "20"
        assert _control_value(_limit_file(kind, "/up", "memory_limit")) == str(128 << 20)


# -- pids and killing -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(HOSTS))
@pytest.mark.requirement("CG-PIDS-ALL")
def test_processes_lists_the_whole_subtree(on_host: OnHost, kind: str) -> None:
    with on_host(HOSTS[kind]) as (host, factory):
        c = factory.create("ps", _config("/ps"))
        c.run(INIT)
        hierarchy = "unified" if kind == "v2" else "devices"
        base = _v2_dir("/ps") if kind == "v2" else os.path.join(CGROUP_ROOT, "devices", "ps")
        os.mkdir(os.path.join(base, "sub"))
        other = host.kernel.spawn_process("worker")
        host.kernel.move_to_cgroup(other, hierarchy, "/ps/sub")
        assert sorted(c.processes()) == sorted([c.init_process.pid, other])


@pytest.mark.parametrize("kind", ["v2", "hybrid"])
@pytest.mark.requirement("CG-KILL-ALL-V2")
def test_destroy_kills_what_is_left(on_host: OnHost, kind: str) -> None:
    with on_host(HOSTS[kind]) as (host, factory):
        c = factory.create("ka", _config("/ka", pid_namespace=False))
        c.run(INIT)
        child = host.kernel.fork(c.init_process.pid)
        host.kernel.exit_process(c.init_process.pid, 0)
        assert host.is_alive(child), "the forked child outlives init"
        c.destroy()
        assert not host.is_alive(child), "destroy must kill what init left in the cgroup"
        group = _v2_dir("/ka") if kind == "v2" else os.path.join(CGROUP_ROOT, "devices", "ka")
        assert not os.path.exists(group)


@pytest.mark.requirement("CG-V2-FREEZE")
def test_v2_pause_waits_for_frozen(on_host: OnHost) -> None:
    with on_host(V2_TOPOLOGY) as (host, factory):
        c = factory.create("slow", _config("/slow"))
        c.run(INIT)
        # a task that takes a few looks at cgroup.events before it stops
        slow = host.kernel.spawn_process("slow", freeze_resistant_reads=3)
        host.kernel.move_to_cgroup(slow, "unified", "/slow")
        c.pause()
        events = os.path.join(_v2_dir("/slow"), tables.v2_file("events"))
        assert host.kernel.process(slow).state == "frozen", "pause returned before it froze"
        assert tables.v2_file("frozen") in _read(events).splitlines()
