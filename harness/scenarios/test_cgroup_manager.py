"""The cgroup manager contract on v1, v2 and hybrid hosts, read back from the kernel.

Each test asks ``on_host`` for the kind of host it is about: a simulated run boots it whatever
the run's preset is, so a v2 rule is checked on every run; a real run uses this machine when it
is of that kind and skips, naming its cgroup mode, when not.  Files, values and texts come from
``harness/spec/resources.toml``.
"""

from __future__ import annotations

import errno
import os
import signal
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import make_init_gone
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.machines import cgroups_are
from harness.scenarios._support.skips import skip_for_host
from harness.scenarios._support.skips import slow_task_in
from harness.spec import tables
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config
from harness.subjects.base import Container

#: the machine each cgroup mode is checked on (harness/hosts/machines.py)
MACHINES = {"v1": "cgroup-v1", "v2": "cgroup-v2", "hybrid": "cgroup-hybrid"}
#: the rule that brings cgroup v2 (runc v1.0.0-rc9): a v2 case runs only where it holds, so
#: never under the seed, which knows cgroup v1 alone
V2 = pytest.mark.needs("CG-V2-APPLY")


def _kinds(*kinds: str) -> list[Any]:
    """The cgroup modes a test is parametrized over, the v2 case marked :data:`V2`."""
    return [pytest.param(k, marks=V2) if k == "v2" else k for k in kinds]


def _boot(on_host: OnHost, kind: str) -> Any:
    """``on_host`` for a host whose cgroups are ``kind``."""
    return on_host(MACHINES[kind], cgroups_are(kind))


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


def _limit_file(host: Host, kind: str, path: str, limit: str) -> str:
    """Where ``limit`` of the container at ``path`` must land on a host of ``kind``."""
    if kind == "v2":
        return os.path.join(host.cgroup_dir("unified", path), tables.v2_file(limit))
    hierarchy, name = tables.v1_limit_file(limit)
    return os.path.join(host.cgroup_dir(hierarchy, path), name)


def _kill_and_destroy(c: Container) -> None:
    c.signal(signal.SIGKILL)
    c.destroy()


# -- choosing the manager ---------------------------------------------------------------------
@pytest.mark.requirement("CG-SELECT-BY-MOUNTINFO")
@pytest.mark.parametrize("kind", ["v1", "v2", "hybrid"])
def test_manager_follows_the_host(on_host: OnHost, kind: str) -> None:
    with _boot(on_host, kind) as (host, factory):
        c = factory.create(host.container_id("sel"), _config(host.cgroup_path("sel")))
        c.run(INIT)
        pid = c.init_process.pid
        if kind == "v2":
            assert pid in host.cgroup_pids("unified", host.cgroup_path("sel")), (
                "init is not in the group"
            )
            assert os.path.isdir(host.cgroup_dir("unified", host.cgroup_path("sel")))
        else:
            for controller in host.v1_hierarchies():
                assert pid in host.cgroup_pids(controller, host.cgroup_path("sel")), (
                    f"init is not in the {controller} cgroup of a v1 host"
                )
        _kill_and_destroy(c)


@pytest.mark.requirement("CG-HYBRID-V1-ONLY")
def test_hybrid_host_gets_the_v1_manager(on_host: OnHost) -> None:
    with _boot(on_host, "hybrid") as (host, factory):
        c = factory.create(host.container_id("hy"), _config(host.cgroup_path("hy")))
        c.run(INIT)
        pid = c.init_process.pid
        for controller in host.v1_hierarchies():
            assert pid in host.cgroup_pids(controller, host.cgroup_path("hy")), (
                f"init is not in the {controller} cgroup"
            )
        assert not os.path.exists(host.cgroup_dir("unified", host.cgroup_path("hy"))), (
            "the seed knows no cgroup2: nothing is made in the unified hierarchy"
        )
        assert host.cgroup_of(pid, "unified") != host.cgroup_path("hy")
        _kill_and_destroy(c)


def _verify_best_effort_join(
    on_host: OnHost, verify: Any, rule: str, hierarchy: str, refused: str
) -> None:
    """On the hybrid machine: start with a ``refused`` ("nothing", "mkdir" or "write") join of
    ``hierarchy`` (its directory below /sys/fs/cgroup) must succeed, init in every v1
    controller's group, and in that one only if allowed."""
    shown = {"systemd": "name=systemd"}.get(hierarchy, hierarchy)  # in /proc/<pid>/cgroup
    with _boot(on_host, "hybrid") as (host, factory):
        if not os.path.isdir(host.cgroup_dir(hierarchy, "/")):
            skip_for_host(f"the {shown} hierarchy", host.describe_cgroups())
        path = host.cgroup_path(f"be-{refused}")
        group = host.cgroup_dir(hierarchy, path)
        target = {"mkdir": group, "write": os.path.join(group, "cgroup.procs")}.get(refused)
        fault = inject(host, refused, target, errno.EACCES) if target else None
        c = factory.create(host.container_id(f"be-{refused}"), _config(path))
        got = error_of(lambda: c.run(INIT))
        assert fault is None or host.fired(fault), f"the {refused} in {group} never happened"
        verify(rule, got == "no error", f"start must succeed with the {refused} refused: {got!r}")
        pid = c.init_process.pid if c.init_process is not None else None
        joined = host.cgroup_of(pid, shown) == path if pid else False
        want = fault is None
        verify(rule, joined is want, f"init {pid} in {group}: {joined}, want {want}")
        for other in set(host.v1_hierarchies()) - {hierarchy}:
            inside = pid in host.cgroup_pids(other, path)
            verify(rule, inside, f"init {pid} is not in its {other} cgroup")
        _kill_and_destroy(c)


@pytest.mark.requirement("CG-HYBRID-JOINS-UNIFIED")
@pytest.mark.parametrize("refused", ["nothing", "mkdir", "write"])
def test_hybrid_host_joins_the_unified_group_best_effort(
    on_host: OnHost, verify: Any, refused: str
) -> None:
    _verify_best_effort_join(on_host, verify, "CG-HYBRID-JOINS-UNIFIED", "unified", refused)


@pytest.mark.requirement("CG-NAMED-SYSTEMD-BEST-EFFORT")
@pytest.mark.parametrize("refused", ["nothing", "mkdir", "write"])
def test_the_named_systemd_hierarchy_is_joined_best_effort(
    on_host: OnHost, verify: Any, refused: str
) -> None:
    rule = "CG-NAMED-SYSTEMD-BEST-EFFORT"
    _verify_best_effort_join(on_host, verify, rule, "systemd", refused)


# -- cgroup v2 --------------------------------------------------------------------------------
@pytest.mark.requirement("CG-V2-APPLY")
def test_v2_group_is_made_at_every_level(on_host: OnHost) -> None:
    with _boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("deep"), _config(host.cgroup_path("pod/deep")))
        c.run(INIT)
        assert os.path.isdir(host.cgroup_dir("unified", host.cgroup_path("pod"))) and os.path.isdir(
            host.cgroup_dir("unified", host.cgroup_path("pod/deep"))
        )
        procs = [
            int(x)
            for x in _read(
                os.path.join(
                    host.cgroup_dir("unified", host.cgroup_path("pod/deep")), "cgroup.procs"
                )
            ).split()
        ]
        assert procs == [c.init_process.pid], f"cgroup.procs should hold init alone: {procs}"
        assert host.cgroup_pids("unified", host.cgroup_path("pod")) == []


@pytest.mark.requirement("CG-V2-ENABLE-CONTROLLERS")
def test_v2_controllers_enabled_above_the_group(on_host: OnHost) -> None:
    limits = {"memory_limit": 64 << 20, "pids_limit": 32, "cpu_shares": 1024}
    with _boot(on_host, "v2") as (host, factory):
        c = factory.create(
            host.container_id("en"), _config(host.cgroup_path("tenant/en"), **limits)
        )
        c.run(INIT)
        needed = {tables.v2_controller(limit) for limit in limits}
        for level in ("/", host.cgroup_path("tenant")):
            enabled = set(
                _read(
                    os.path.join(host.cgroup_dir("unified", level), "cgroup.subtree_control")
                ).split()
            )
            assert needed <= enabled, f"{level} must enable {sorted(needed - enabled)}"
        own = _read(
            os.path.join(
                host.cgroup_dir("unified", host.cgroup_path("tenant/en")), "cgroup.subtree_control"
            )
        ).split()
        assert own == [], "the group that holds init must not distribute controllers"
        for limit in limits:
            assert os.path.exists(_limit_file(host, "v2", host.cgroup_path("tenant/en"), limit)), (
                f"{limit} has no file"
            )


@pytest.mark.requirement("CG-V2-FREEZE")
def test_v2_pause_freezes_and_resume_thaws(on_host: OnHost) -> None:
    with _boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("fz"), _config(host.cgroup_path("fz")))
        c.run(INIT)
        pid = c.init_process.pid
        group = host.cgroup_dir("unified", host.cgroup_path("fz"))
        c.pause()
        assert _read(os.path.join(group, tables.v2_file("freeze"))).strip() == "1"
        events = _read(os.path.join(group, tables.v2_file("events"))).splitlines()
        assert tables.v2_file("frozen") in events
        assert host.is_frozen(pid), "a paused container's init is frozen"
        assert str(c.status()) == "paused"
        c.resume()
        assert _read(os.path.join(group, tables.v2_file("freeze"))).strip() == "0"
        events = _read(os.path.join(group, tables.v2_file("events"))).splitlines()
        assert tables.v2_file("thawed") in events
        assert host.is_alive(pid) and not host.is_frozen(pid), "resume thaws init"
        assert str(c.status()) == "running"


@pytest.mark.requirement("CG-V2-DESTROY")
def test_v2_destroy_removes_the_group(on_host: OnHost) -> None:
    with _boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("gone"), _config(host.cgroup_path("gone")))
        c.run(INIT)
        _kill_and_destroy(c)
        assert not os.path.exists(host.cgroup_dir("unified", host.cgroup_path("gone")))


@pytest.mark.requirement("CG-V2-DESTROY")
def test_v2_busy_group_fails_after_retries(on_host: OnHost, profile: str) -> None:
    busy = tables.cgroup_busy(profile)
    with _boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("busy"), _config(host.cgroup_path("busy")))
        c.run(INIT)
        outsider = host.start_process()
        host.move_to_cgroup(outsider, "unified", host.cgroup_path("busy"))
        c.signal(signal.SIGKILL)
        before = host.system.monotonic()
        with pytest.raises(Exception) as info:
            c.destroy()
        group = host.cgroup_dir("unified", host.cgroup_path("busy"))
        wanted = tables.teardown_error("cgroup", busy.error("v2", {"": group}), profile)
        assert str(info.value) == wanted
        rmdirs = [op for op in host.operations() if op.op == "rmdir" and op.path == group]
        assert len(rmdirs) >= busy.rmdirs, f"{busy.rmdirs} rmdirs before giving up"
        assert host.system.monotonic() - before >= busy.wait - 1e-9


# -- limits, on every kind of host ------------------------------------------------------------
@pytest.mark.parametrize("kind", _kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-MEMORY")
def test_memory_limit_lands(on_host: OnHost, kind: str) -> None:
    with _boot(on_host, kind) as (host, factory):
        c = factory.create(
            host.container_id("mem"), _config(host.cgroup_path("mem"), memory_limit=256 << 20)
        )
        c.run(INIT)
        assert _control_value(
            _limit_file(host, kind, host.cgroup_path("mem"), "memory_limit")
        ) == str(256 << 20)


@pytest.mark.parametrize("kind", _kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-PIDS")
def test_pids_limit_lands(on_host: OnHost, kind: str) -> None:
    with _boot(on_host, kind) as (host, factory):
        c = factory.create(host.container_id("pl"), _config(host.cgroup_path("pl"), pids_limit=42))
        c.run(INIT)
        assert _control_value(_limit_file(host, kind, host.cgroup_path("pl"), "pids_limit")) == "42"


@pytest.mark.parametrize("kind", _kinds(*sorted(MACHINES)))
@pytest.mark.parametrize("shares", sorted(tables.shares_to_weight()))
@pytest.mark.requirement("CG-SET-CPU")
def test_cpu_shares_land(on_host: OnHost, kind: str, shares: int) -> None:
    with _boot(on_host, kind) as (host, factory):
        c = factory.create(
            host.container_id("cs"), _config(host.cgroup_path("cs"), cpu_shares=shares)
        )
        c.run(INIT)
        wanted = tables.shares_to_weight()[shares] if kind == "v2" else shares
        assert _control_value(_limit_file(host, kind, host.cgroup_path("cs"), "cpu_shares")) == str(
            wanted
        )


@pytest.mark.parametrize("kind", _kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-UPDATE")
def test_set_updates_a_running_container(on_host: OnHost, kind: str) -> None:
    with _boot(on_host, kind) as (host, factory):
        config = _config(host.cgroup_path("up"), pids_limit=10, memory_limit=64 << 20)
        c = factory.create(host.container_id("up"), config)
        c.run(INIT)
        c.set(_config(host.cgroup_path("up"), pids_limit=20, memory_limit=128 << 20))
        assert _control_value(_limit_file(host, kind, host.cgroup_path("up"), "pids_limit")) == "20"
        assert _control_value(
            _limit_file(host, kind, host.cgroup_path("up"), "memory_limit")
        ) == str(128 << 20)


#: the limit a Set writes last of memory and pids: memory before pids on v1 (692f6e1
#: fs/apply_raw.go:20-34), pids before memory on v2 (v1.2.0 cgroups/fs2/fs2.go:173-180)
_WRITTEN_LAST = {"v1": "pids_limit", "hybrid": "pids_limit", "v2": "memory_limit"}
_OLD = {"pids_limit": 10, "memory_limit": 64 << 20}
_NEW = {"pids_limit": 20, "memory_limit": 128 << 20}


@pytest.mark.parametrize("kind", _kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-RESTORED")
def test_set_whose_write_fails_puts_the_old_limits_back(
    on_host: OnHost, kind: str, verify: Any
) -> None:
    rule = "CG-SET-RESTORED"
    with _boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("sb")
        c = factory.create(host.container_id("sb"), _config(path, **_OLD))
        c.run(INIT)
        files = {limit: _limit_file(host, kind, path, limit) for limit in _OLD}
        fault = inject(host, "write", files[_WRITTEN_LAST[kind]], errno.EIO)
        got = error_of(lambda: c.set(_config(path, **_NEW)))
        assert host.fired(fault), "the fault never fired"
        eio = os.strerror(errno.EIO).lower()
        verify(rule, eio in got.lower(), f"Set must return the write's error: {got!r}")
        for limit, file in files.items():
            value = _control_value(file)
            verify(rule, value == str(_OLD[limit]), f"{file} reads {value} after the failed Set")


@pytest.mark.parametrize("kind", _kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-STOPPED")
def test_set_of_a_stopped_container_is_refused(
    on_host: OnHost, kind: str, profile: str, verify: Any
) -> None:
    rule = "CG-SET-STOPPED"
    with _boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("ss")
        c = factory.create(host.container_id("ss"), _config(path, **_OLD))
        c.run(INIT)
        make_init_gone(host, c)
        got = error_of(lambda: c.set(_config(path, **_NEW)))
        want = tables.message("set_refused", profile)
        verify(rule, want in got, f"Set of a stopped container must fail with {want!r}: {got!r}")
        for limit in _OLD:
            value = _control_value(_limit_file(host, kind, path, limit))
            verify(rule, value == str(_OLD[limit]), f"{limit} reads {value} after the refused Set")


# -- pids and killing -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", _kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-PIDS-ALL")
def test_processes_lists_the_whole_subtree(on_host: OnHost, kind: str) -> None:
    with _boot(on_host, kind) as (host, factory):
        c = factory.create(host.container_id("ps"), _config(host.cgroup_path("ps")))
        c.run(INIT)
        hierarchy = "unified" if kind == "v2" else "devices"
        base = host.cgroup_dir(hierarchy, host.cgroup_path("ps"))
        os.mkdir(os.path.join(base, "sub"))
        other = host.start_process()
        host.move_to_cgroup(other, hierarchy, host.cgroup_path("ps/sub"))
        assert sorted(c.processes()) == sorted([c.init_process.pid, other])


@pytest.mark.parametrize("kind", _kinds("v2", "hybrid"))
@pytest.mark.requirement("CG-KILL-ALL-V2")
def test_destroy_kills_what_is_left(on_host: OnHost, kind: str) -> None:
    with _boot(on_host, kind) as (host, factory):
        c = factory.create(
            host.container_id("ka"), _config(host.cgroup_path("ka"), pid_namespace=False)
        )
        c.run(INIT)
        child = host.fork(c.init_process.pid)
        host.end_process(c.init_process.pid)
        assert host.is_alive(child), "the forked child outlives init"
        c.destroy()
        assert host.dies(child), "destroy must kill what init left in the cgroup"
        hierarchy = "unified" if kind == "v2" else "devices"
        group = host.cgroup_dir(hierarchy, host.cgroup_path("ka"))
        assert not os.path.exists(group)


@pytest.mark.parametrize("kind", ["v2", "hybrid"])
@pytest.mark.requirement("CG-KILL-ALL-CGROUP-KILL")
def test_kill_all_goes_through_cgroup_kill(
    on_host: OnHost, kind: str, profile: str, verify: Any
) -> None:
    hierarchy, name = tables.kill_all_file(profile, kind)
    with _boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("ck")
        c = factory.create(host.container_id("ck"), _config(path, pid_namespace=False))
        c.run(INIT)
        kill = os.path.join(host.cgroup_dir(hierarchy, path), name)
        if not os.path.exists(kill):
            pytest.skip(f"this kernel has no {kill} (cgroup.kill came in Linux 5.14)")
        child = host.fork(c.init_process.pid)
        host.end_process(c.init_process.pid)
        c.destroy()
        writes = [op for op in host.operations() if op.op == "write" and op.path == kill]
        rule = "CG-KILL-ALL-CGROUP-KILL"
        verify(rule, writes, f"destroy must kill the cgroup's processes through {kill}")
        verify(rule, host.dies(child), "destroy must kill what init left in the cgroup")


@pytest.mark.requirement("CG-V2-FREEZE")
def test_v2_pause_waits_for_frozen(on_host: OnHost) -> None:
    with _boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("slow"), _config(host.cgroup_path("slow")))
        c.run(INIT)
        # a task that takes a few looks at cgroup.events before it stops
        slow = slow_task_in(host, "unified", host.cgroup_path("slow"))
        c.pause()
        events = os.path.join(
            host.cgroup_dir("unified", host.cgroup_path("slow")), tables.v2_file("events")
        )
        assert host.is_frozen(slow), "pause returned before it froze"
        assert tables.v2_file("frozen") in _read(events).splitlines()


# -- v1 edge values, as the seed's fs manager writes them -------------------------------------
def _set_under(rule: str, verify: Any, c: Container, config: Config) -> None:
    """``c.set(config)``; its failure is a failed check of ``rule``, not a bare error."""
    try:
        c.set(config)
    except Exception as err:  # noqa: BLE001 - whatever it raised, the rule failed
        verify(rule, False, f"Set failed: {err}")


@pytest.mark.requirement("CG-SET-UNLIMITED")
def test_v1_minus_one_lifts_the_limits(on_host: OnHost, verify: Any) -> None:
    # pids.go:30-36 writes "max" for a negative limit (the kernel refuses "-1" there);
    # memory.go:145-148 writes "-1", which the kernel reads as unlimited
    with _boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("unl")
        c = factory.create(
            host.container_id("unl"), _config(path, pids_limit=8, memory_limit=1 << 26)
        )
        c.run(INIT)
        _set_under("CG-SET-UNLIMITED", verify, c, _config(path, pids_limit=-1, memory_limit=-1))
        for limit in ("pids_limit", "memory_limit"):
            got = _control_value(_limit_file(host, "v1", path, limit))
            want = tables.v1_unlimited(limit)
            verify("CG-SET-UNLIMITED", got == want, f"{limit} -1 must read back {want!r}: {got!r}")


@pytest.mark.requirement("CG-SET-ZERO-UNCHANGED")
def test_v1_zero_leaves_the_limits(on_host: OnHost, verify: Any) -> None:
    # pids.go:30, memory.go:145, cpu.go:71: a zero value is skipped, not written
    limits = {"pids_limit": 8, "memory_limit": 1 << 26, "cpu_shares": 512}
    with _boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("zero")
        c = factory.create(host.container_id("zero"), _config(path, **limits))
        c.run(INIT)
        zero = _config(path, pids_limit=0, memory_limit=0, cpu_shares=0)
        _set_under("CG-SET-ZERO-UNCHANGED", verify, c, zero)
        for limit, value in limits.items():
            got = _control_value(_limit_file(host, "v1", path, limit))
            verify("CG-SET-ZERO-UNCHANGED", got == str(value), f"{limit} 0 changed it to {got!r}")


@pytest.mark.requirement("CG-SET-CPU-CLAMPED")
def test_v1_clamped_cpu_shares_fail_set(on_host: OnHost, verify: Any) -> None:
    # apply_raw.go:205-209 reads cpu.shares back after the write; 353-357 name the clamped value
    low, high = tables.v1_cpu_shares_bounds()
    cases = {low - 1: ("cpu_shares_min", low), high + 1: ("cpu_shares_max", high)}
    with _boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("clamp")
        c = factory.create(host.container_id("clamp"), _config(path, cpu_shares=1024))
        c.run(INIT)
        for shares, (key, kept) in cases.items():
            want = tables.resource_message(key, shares=kept)
            try:
                c.set(_config(path, cpu_shares=shares))
            except Exception as err:  # noqa: BLE001 - any error type; its text is the rule
                got = str(err)
            else:
                got = "(no error)"
            verify(
                "CG-SET-CPU-CLAMPED", got == want, f"shares {shares}: want {want!r}, got {got!r}"
            )
