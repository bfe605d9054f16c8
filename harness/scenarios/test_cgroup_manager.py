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
from harness.scenarios._support.cgroup_hosts import MACHINES
from harness.scenarios._support.cgroup_hosts import V2
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.cgroup_hosts import limit_file
from harness.scenarios._support.cgroup_hosts import read_text
from harness.scenarios._support.containers import EXTRA
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.machines import v2_without
from harness.scenarios._support.skips import skip_for_host
from harness.scenarios._support.skips import slow_task_in
from harness.spec import tables
from harness.subjects.base import Container
from harness.subjects.base import Factory


def _kill_and_destroy(c: Container) -> None:
    c.signal(signal.SIGKILL)
    c.destroy()


# -- choosing the manager ---------------------------------------------------------------------
@pytest.mark.requirement("CG-SELECT-BY-MOUNTINFO")
@pytest.mark.parametrize("kind", ["v1", "v2", "hybrid"])
def test_manager_follows_the_host(on_host: OnHost, kind: str) -> None:
    with boot(on_host, kind) as (host, factory):
        # a path that starts with a letter, as given: a strip of more than its leading slash
        # (or of nothing) names another directory
        path = host.cgroup_path("Xsel")
        c = factory.create(host.container_id("sel"), cgroup_config(path))
        c.run(INIT)
        pid = c.init_process.pid
        if kind == "v2":
            assert pid in host.cgroup_pids("unified", path), "init is not in the group"
            assert os.path.isdir(host.cgroup_dir("unified", path))
        else:
            for controller in host.v1_hierarchies():
                assert pid in host.cgroup_pids(controller, path), (
                    f"init is not in the {controller} cgroup of a v1 host"
                )
        _kill_and_destroy(c)


@pytest.mark.requirement("CG-HYBRID-V1-ONLY")
def test_hybrid_host_gets_the_v1_manager(on_host: OnHost) -> None:
    with boot(on_host, "hybrid") as (host, factory):
        c = factory.create(host.container_id("hy"), cgroup_config(host.cgroup_path("hy")))
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
    with boot(on_host, "hybrid") as (host, factory):
        if not os.path.isdir(host.cgroup_dir(hierarchy, "/")):
            skip_for_host(f"the {shown} hierarchy", host.describe_cgroups())
        path = host.cgroup_path(f"Xbe-{refused}")  # a letter first: the path as given
        group = host.cgroup_dir(hierarchy, path)
        target = {"mkdir": group, "write": os.path.join(group, "cgroup.procs")}.get(refused)
        fault = inject(host, refused, target, errno.EACCES) if target else None
        c = factory.create(host.container_id(f"be-{refused}"), cgroup_config(path))
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
@pytest.mark.parametrize(
    ("kind", "hierarchy"),
    [("v1", "memory"), ("v1", "cpuset"), pytest.param("v2", "unified", marks=V2)],
)
@pytest.mark.parametrize("level", ["group", "parent"])
@pytest.mark.requirement("CG-APPLY-MKDIR-ERROR")
def test_a_refused_cgroup_mkdir_fails_start_with_its_error(
    on_host: OnHost, kind: str, hierarchy: str, level: str, verify: Any
) -> None:
    # 692f6e1 apply_raw.go:299 (v1.2.0 fs/paths.go:182): MkdirAll's *PathError as it is, which
    # names the level that failed; the cpuset's own parents first (cpuset.go:150-157), v2 level
    # by level (fs2/create.go:95)
    rule = "CG-APPLY-MKDIR-ERROR"
    with boot(on_host, kind) as (host, factory):
        parent = host.cgroup_path(f"mk-{hierarchy}-{level}")
        path = parent if level == "group" else f"{parent}/leaf"
        c = factory.create(host.container_id(f"mk-{hierarchy}-{level}"), cgroup_config(path))
        refused = host.cgroup_dir(hierarchy, parent)
        fault = inject(host, "mkdir", refused, errno.EACCES)
        got = error_of(lambda: c.run(INIT))
        assert host.fired(fault), f"start never made {refused}"
        want = path_error("mkdir", refused, errno.EACCES)
        verify(rule, want in got, f"start must fail with the mkdir's {want!r}: {got!r}")


#: what a sum of pauses may fall short by (the clock's float arithmetic, not a shorter pause)
_SLACK_S = 1e-6


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.parametrize("refused", ["once", "always"])
@pytest.mark.requirement("CG-APPLY-PROCS-EINVAL-RETRIED")
def test_a_pid_refused_with_einval_is_written_again(
    on_host: OnHost, kind: str, refused: str, verify: Any
) -> None:
    # v1.2.0 cgroups/utils.go:386-401: EINVAL means the task is in TASK_NEW; sleep 30 ms and
    # write again, five writes in all, then return the last write's error unwrapped
    rule = "CG-APPLY-PROCS-EINVAL-RETRIED"
    tries, pause = tables.procs_einval_retries()
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("einval")
        c = factory.create(host.container_id("einval"), cgroup_config(path))
        hierarchy = "unified" if kind == "v2" else "*"  # the first group written
        procs = os.path.join(host.cgroup_dir(hierarchy, path), "cgroup.procs")
        fault = inject(host, "write", procs, errno.EINVAL, every=refused == "always")
        start, before = len(host.operations()), host.system.monotonic()
        got = error_of(lambda: c.start(INIT))
        slept = host.system.monotonic() - before
        host.clear_faults()
        assert host.fired(fault), f"no write to {procs} happened"
        writes = [op for op in host.operations()[start:] if op.op == "write" and op.errno]
        where = sorted({op.path for op in writes})
        einval = os.strerror(errno.EINVAL).lower()
        if refused == "once":
            verify(rule, got == "no error", f"one EINVAL must be written again: {got!r}")
            verify(rule, slept >= pause - _SLACK_S, f"no {pause} s pause before the second write")
            pid = str(init_pid(c))
            placed = all(pid in read_text(w).split() for w in where)
            verify(rule, placed, f"init {pid} is not in {where} after the second write")
            return
        verify(rule, len(writes) == tries, f"{tries} writes must be refused: {len(writes)}")
        want = f"write {where[0]}: {einval}" if len(where) == 1 else f"one path: {where}"
        verify(rule, got.endswith(want), f"the fifth write's error must end it: {want!r}, {got!r}")
        verify(rule, "failed to write" not in got, f"the last EINVAL is returned as it is: {got!r}")
        verify(rule, slept >= tries * pause - _SLACK_S, f"{tries} pauses of {pause} s: {slept}")


@pytest.mark.requirement("CG-APPLY-PROCS-EINVAL-RETRIED")
def test_a_process_started_in_a_running_container_is_written_again_after_einval(
    factory: Factory, host: Host, verify: Any
) -> None:
    # v1.2.0 process_linux.go:164-185: the join of a process started in a running container
    # writes its pid through WriteCgroupProc too, EINVAL's second write included
    rule = "CG-APPLY-PROCS-EINVAL-RETRIED"
    cid = host.container_id("einval-exec")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    procs = os.path.join(host.cgroup_dir(host.process_hierarchy(), f"/{cid}"), "cgroup.procs")
    fault = inject(host, "write", procs, errno.EINVAL)
    before = host.live_children()
    got = error_of(lambda: c.start(EXTRA))
    host.clear_faults()
    assert host.fired(fault), f"no write to {procs} happened"
    verify(rule, got == "no error", f"one EINVAL must be written again: {got!r}")
    new = host.live_children() - before
    verify(rule, len(new) == 1, f"the process must run: new pids {sorted(new)}")
    placed = host.cgroup_pids(host.process_hierarchy(), f"/{cid}")
    verify(rule, set(new) <= set(placed), f"{sorted(new)} is not in the group: {placed}")


@pytest.mark.requirement("CG-V2-APPLY")
def test_v2_group_is_made_at_every_level(on_host: OnHost) -> None:
    with boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("deep"), cgroup_config(host.cgroup_path("pod/deep")))
        c.run(INIT)
        assert os.path.isdir(host.cgroup_dir("unified", host.cgroup_path("pod"))) and os.path.isdir(
            host.cgroup_dir("unified", host.cgroup_path("pod/deep"))
        )
        procs = [
            int(x)
            for x in read_text(
                os.path.join(
                    host.cgroup_dir("unified", host.cgroup_path("pod/deep")), "cgroup.procs"
                )
            ).split()
        ]
        assert procs == [c.init_process.pid], f"cgroup.procs should hold init alone: {procs}"
        assert host.cgroup_pids("unified", host.cgroup_path("pod")) == []


@pytest.mark.requirement("CG-V2-ENABLE-CONTROLLERS")
def test_v2_controllers_enabled_above_the_group(on_host: OnHost, verify: Any) -> None:
    rule = "CG-V2-ENABLE-CONTROLLERS"
    limits = {"memory_limit": 64 << 20, "pids_limit": 32, "cpu_shares": 1024}
    with boot(on_host, "v2") as (host, factory):
        path = host.cgroup_path("tenant/en")
        c = factory.create(host.container_id("en"), cgroup_config(path, **limits))
        # a limit whose controller is not enabled above the group has no file: Start fails
        got = error_of(lambda: c.run(INIT))
        verify(rule, got == "no error", f"a start with memory, pids and cpu limits failed: {got!r}")
        needed = {tables.v2_controller(limit) for limit in limits}
        for level in ("/", host.cgroup_path("tenant")):
            control = os.path.join(host.cgroup_dir("unified", level), "cgroup.subtree_control")
            enabled = set(read_text(control).split())
            verify(rule, needed <= enabled, f"{level} must enable {sorted(needed - enabled)}")
        own_control = os.path.join(host.cgroup_dir("unified", path), "cgroup.subtree_control")
        own = read_text(own_control).split()
        verify(rule, own == [], f"the group that holds init distributes controllers: {own}")
        for limit in limits:
            exists = os.path.exists(limit_file(host, "v2", path, limit))
            verify(rule, exists, f"{limit} has no file")


@pytest.mark.requirement("CG-V2-FREEZE")
def test_v2_pause_freezes_and_resume_thaws(on_host: OnHost) -> None:
    with boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("fz"), cgroup_config(host.cgroup_path("fz")))
        c.run(INIT)
        pid = c.init_process.pid
        group = host.cgroup_dir("unified", host.cgroup_path("fz"))
        c.pause()
        assert read_text(os.path.join(group, tables.v2_file("freeze"))).strip() == "1"
        events = read_text(os.path.join(group, tables.v2_file("events"))).splitlines()
        assert tables.v2_file("frozen") in events
        assert host.is_frozen(pid), "a paused container's init is frozen"
        assert str(c.status()) == "paused"
        c.resume()
        assert read_text(os.path.join(group, tables.v2_file("freeze"))).strip() == "0"
        events = read_text(os.path.join(group, tables.v2_file("events"))).splitlines()
        assert tables.v2_file("thawed") in events
        assert host.is_alive(pid) and not host.is_frozen(pid), "resume thaws init"
        assert str(c.status()) == "running"


@pytest.mark.requirement("CG-V2-FREEZE-WRITE-ERROR")
def test_v2_pause_whose_freeze_write_fails_returns_it(on_host: OnHost, verify: Any) -> None:
    # v1.2.0 fs2/freezer.go:42-44: the write of cgroup.freeze fails, setFreezer returns its
    # error, and Freeze and Pause pass it on as it is
    rule = "CG-V2-FREEZE-WRITE-ERROR"
    with boot(on_host, "v2") as (host, factory):
        path = host.cgroup_path("fw")
        c = factory.create(host.container_id("fw"), cgroup_config(path))
        c.run(INIT)
        freeze = os.path.join(host.cgroup_dir("unified", path), tables.v2_file("freeze"))
        fault = inject(host, "write", freeze, errno.EIO)
        got = error_of(c.pause)
        assert host.fired(fault), "the fault never fired"
        want = f"write {freeze}: {os.strerror(errno.EIO).lower()}"
        verify(rule, got == want, f"Pause must return the write's error {want!r}: {got!r}")
        verify(rule, str(c.status()) == "running", f"a failed Pause left it {c.status()}")
        _kill_and_destroy(c)


@pytest.mark.requirement("CG-V2-FREEZE-UNSUPPORTED")
def test_v2_pause_without_cgroup_freeze_fails(on_host: OnHost, verify: Any) -> None:
    rule = "CG-V2-FREEZE-UNSUPPORTED"
    freeze_file = tables.v2_file("freeze")
    with on_host("v2-no-freeze", v2_without(freeze_file)) as (host, factory):
        path = host.cgroup_path("nf")
        c = factory.create(host.container_id("nf"), cgroup_config(path))
        c.run(INIT)
        freeze = os.path.join(host.cgroup_dir("unified", path), freeze_file)
        got = error_of(c.pause)
        want = tables.resource_message("freezer_unsupported_v2", path=freeze)
        verify(rule, got == want, f"Pause must fail with {want!r}: {got!r}")
        status = str(c.status())
        verify(rule, status == "running", f"the failed Pause left the container {status}")
        pid = init_pid(c)
        verify(rule, not host.is_frozen(pid), f"init {pid} is frozen")
        _kill_and_destroy(c)


@pytest.mark.parametrize("listing", ["refused", "gone"])
@pytest.mark.requirement("CG-V2-REMOVE-LISTING")
def test_v2_destroy_whose_listing_fails(on_host: OnHost, listing: str, verify: Any) -> None:
    rule = "CG-V2-REMOVE-LISTING"
    with boot(on_host, "v2") as (host, factory):
        path = host.cgroup_path(f"ls-{listing}")
        c = factory.create(host.container_id(f"ls-{listing}"), cgroup_config(path))
        c.run(INIT)
        group = host.cgroup_dir("unified", path)
        os.mkdir(os.path.join(group, "sub"))  # the fast rmdir fails: the listing comes next
        refused = listing == "refused"
        fault = inject(host, "opendir", group, errno.EACCES if refused else errno.ENOENT)
        c.signal(signal.SIGKILL)
        got = error_of(c.destroy)
        assert host.fired(fault), f"destroy never listed {group}"
        # the listing's own error; or, finding nothing, the rmdir's (the sub-group is there)
        want = (
            path_error("open", group, errno.EACCES)
            if refused
            else path_error("rmdir", group, errno.EBUSY)
        )
        verify(rule, want in got, f"destroy must fail with {want!r}: {got!r}")


@pytest.mark.requirement("CG-V2-DESTROY")
def test_v2_destroy_removes_the_group(on_host: OnHost) -> None:
    with boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("gone"), cgroup_config(host.cgroup_path("gone")))
        c.run(INIT)
        _kill_and_destroy(c)
        assert not os.path.exists(host.cgroup_dir("unified", host.cgroup_path("gone")))


@pytest.mark.requirement("CG-V2-DESTROY")
def test_v2_busy_group_fails_after_retries(on_host: OnHost, profile: str) -> None:
    busy = tables.cgroup_busy(profile)
    with boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("busy"), cgroup_config(host.cgroup_path("busy")))
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
@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-PIDS-ALL")
def test_processes_lists_the_whole_subtree(on_host: OnHost, kind: str) -> None:
    with boot(on_host, kind) as (host, factory):
        c = factory.create(host.container_id("ps"), cgroup_config(host.cgroup_path("ps")))
        c.run(INIT)
        hierarchy = "unified" if kind == "v2" else "devices"
        base = host.cgroup_dir(hierarchy, host.cgroup_path("ps"))
        os.mkdir(os.path.join(base, "sub"))
        other = host.start_process()
        host.move_to_cgroup(other, hierarchy, host.cgroup_path("ps/sub"))
        assert sorted(c.processes()) == sorted([c.init_process.pid, other])


@pytest.mark.parametrize("kind", kinds("v2", "hybrid"))
@pytest.mark.requirement("CG-KILL-ALL-V2")
def test_destroy_kills_what_is_left(on_host: OnHost, kind: str) -> None:
    with boot(on_host, kind) as (host, factory):
        c = factory.create(
            host.container_id("ka"), cgroup_config(host.cgroup_path("ka"), pid_namespace=False)
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
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("ck")
        c = factory.create(host.container_id("ck"), cgroup_config(path, pid_namespace=False))
        c.run(INIT)
        kill = os.path.join(host.cgroup_dir(hierarchy, path), name)
        if not os.path.exists(kill):
            pytest.skip(f"this kernel has no {kill} (cgroup.kill came in Linux 5.14)")
        child = host.fork(c.init_process.pid)
        host.end_process(c.init_process.pid)
        c.destroy()
        ops = host.operations()
        writes = [i for i, op in enumerate(ops) if op.op == "write" and op.path == kill]
        rule = "CG-KILL-ALL-CGROUP-KILL"
        verify(rule, writes, f"destroy must kill the cgroup's processes through {kill}")
        verify(rule, host.dies(child), "destroy must kill what init left in the cgroup")
        # a write that succeeded is the whole kill: no freeze of the fallback follows it
        freezes = [
            op
            for op in ops[writes[0] if writes else len(ops) :]
            if op.op == "write" and os.path.basename(op.path) in ("cgroup.freeze", "freezer.state")
        ]
        verify(rule, freezes == [], f"after {kill} the kill-all still froze the group: {freezes}")


@pytest.mark.requirement("CG-KILL-ALL-NO-KILL-FILE")
def test_kill_all_without_cgroup_kill_signals_each(on_host: OnHost, verify: Any) -> None:
    rule = "CG-KILL-ALL-NO-KILL-FILE"
    with on_host("v2-no-kill", v2_without("cgroup.kill")) as (host, factory):
        path = host.cgroup_path("nk")
        c = factory.create(host.container_id("nk"), cgroup_config(path, pid_namespace=False))
        c.run(INIT)
        child = host.fork(c.init_process.pid)
        host.end_process(c.init_process.pid)
        group = host.cgroup_dir("unified", path)
        got = error_of(c.destroy)
        verify(rule, got == "no error", f"destroy must fall back to signalling each: {got!r}")
        verify(rule, host.dies(child), "destroy must kill what init left in the cgroup")
        kill = os.path.join(group, "cgroup.kill")
        tried = [op for op in host.operations() if op.path == kill]
        verify(rule, tried == [], f"this kernel has no {kill}, yet it was used: {tried}")
        verify(rule, not os.path.exists(group), f"destroy left {group}")


@pytest.mark.requirement("CG-V2-FREEZE-TIMEOUT")
def test_v2_pause_gives_up_on_a_freeze_that_never_ends(on_host: OnHost, verify: Any) -> None:
    rule = "CG-V2-FREEZE-TIMEOUT"
    polls, pause = tables.v2_freeze_wait()
    with boot(on_host, "v2") as (host, factory):
        path = host.cgroup_path("nofz")
        c = factory.create(host.container_id("nofz"), cgroup_config(path))
        c.run(INIT)
        slow_task_in(host, "unified", path, reads=polls + 5)  # still freezing at the last poll
        before = host.system.monotonic()
        got = error_of(c.pause)
        waited = host.system.monotonic() - before
        want = tables.resource_message("freezer_timeout_v2", seconds=f"{polls * pause:g}")
        verify(rule, got == want, f"Pause must give up with {want!r}: {got!r}")
        verify(rule, abs(waited - polls * pause) < polls * pause / 100,
               f"Pause waited {waited:.3f} s, not {polls} polls {pause} s apart")  # fmt: skip


@pytest.mark.requirement("CG-V2-FREEZE")
def test_v2_pause_waits_for_frozen(on_host: OnHost) -> None:
    with boot(on_host, "v2") as (host, factory):
        c = factory.create(host.container_id("slow"), cgroup_config(host.cgroup_path("slow")))
        c.run(INIT)
        # a task that takes a few looks at cgroup.events before it stops
        slow = slow_task_in(host, "unified", host.cgroup_path("slow"))
        c.pause()
        events = os.path.join(
            host.cgroup_dir("unified", host.cgroup_path("slow")), tables.v2_file("events")
        )
        assert host.is_frozen(slow), "pause returned before it froze"
        assert tables.v2_file("frozen") in read_text(events).splitlines()
