"""The cgroup manager (v1) and the resctrl writer of the seed, as the kernel sees them."""

from __future__ import annotations

import errno
import os
import signal
from typing import Any

import pytest

from harness.hosts import Host
from harness.hosts import HostCannot
from harness.hosts import simulated_host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import container_dirs
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.rdt_schema import SchemaForm
from harness.scenarios._support.skips import skip_for_host
from harness.scenarios._support.skips import slow_task_in
from harness.spec import tables
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config
from harness.subjects.api import IntelRdtConfig
from harness.subjects.base import Factory


@pytest.mark.requirement("CG-APPLY-V1")
def test_init_is_placed_in_every_hierarchy(factory: Factory, host: Host) -> None:
    if host.cgroup_mode() == "v2":
        skip_for_host(
            "cgroup v1 hierarchies",
            f"a rule of v1 hierarchies; on {host.describe()} {host.describe_cgroups()}",
        )
    cid = host.container_id("cg")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    pid = c.init_process.pid
    dirs = host.cgroup_dirs(f"/{cid}")
    assert dirs, "no cgroup directory was made"
    for controller in host.v1_hierarchies():
        assert pid in host.cgroup_pids(controller, f"/{cid}"), (
            f"init is not in the {controller} cgroup"
        )


@pytest.mark.requirement("CG-FREEZE")
def test_pause_freezes_and_resume_thaws(factory: Factory, host: Host) -> None:
    cid = host.container_id("fz")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    pid = c.init_process.pid
    c.pause()
    assert host.freezer_state(f"/{cid}") == "FROZEN"
    assert host.is_frozen(pid), "a paused container's init is frozen"
    c.resume()
    assert host.freezer_state(f"/{cid}") == "THAWED"
    assert host.is_alive(pid) and not host.is_frozen(pid), "resume thaws init"


@pytest.mark.requirement("CG-FREEZE")
def test_pause_waits_until_frozen(factory: Factory, host: Host) -> None:
    # freezer.go:36-45: Pause reads freezer.state back until it says FROZEN, not FREEZING
    if host.cgroup_mode() == "v2":
        skip_for_host(
            "a v1 freezer",
            f"a rule of the v1 freezer; on {host.describe()} {host.describe_cgroups()}",
        )
    cid = host.container_id("sf")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    slow = slow_task_in(host, "freezer", f"/{cid}")
    c.pause()
    assert host.is_frozen(slow), "pause returned while freezer.state still read FREEZING"
    assert host.freezer_state(f"/{cid}") == "FROZEN"


@pytest.mark.requirement("CG-FREEZE-READ-ERROR")
@pytest.mark.parametrize(("op", "err"), [("read", errno.EIO), ("open", errno.ENOENT)])
def test_pause_returns_the_read_back_error(
    factory: Factory, host: Host, op: str, err: int, verify: Any
) -> None:
    # freezer.go:36-40: the read-back after a good FROZEN write fails: Set returns that error,
    # ioutil.ReadFile's; ENOENT at its open is a group removed between the write and the read
    rule = "CG-FREEZE-READ-ERROR"
    if host.cgroup_mode() == "v2":
        skip_for_host("a v1 freezer", f"a rule of the v1 freezer; on {host.describe()}")
    cid = host.container_id(f"fr-{op}")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    freezer, _, _ = host.freezer_file(c.init_process.pid)
    # a first pause shows how often this runtime reads freezer.state before its write
    start = len(host.operations())
    c.pause()
    c.resume()
    ops = [op for op in host.operations()[start:] if op.path == freezer]
    before = next((i for i, op in enumerate(ops) if op.op == "write"), len(ops))
    reads_before = sum(op.op == "read" for op in ops[:before])
    # the read-back is the read after those, and its open the one after the write's
    nth = reads_before + (1 if op == "read" else 2)
    try:
        fault = host.fail(op, freezer, err, nth=nth)
    except HostCannot as why:
        skip_for_host(f"an injectable {op} fault", str(why))
    start = len(host.operations())
    try:
        c.pause()
        got = "no error"
    except Exception as error:  # noqa: BLE001 - its text is what is checked
        got = str(error)
    ops = [logged for logged in host.operations()[start:] if logged.path == freezer]
    failed = [i for i, logged in enumerate(ops) if logged.errno == err]
    wrote = [i for i, logged in enumerate(ops) if logged.op == "write" and logged.errno is None]
    verify(
        rule,
        host.fired(fault) and wrote and failed[0] > wrote[0],
        f"no read after the write: {ops}",
    )
    want = path_error(op, freezer, err)
    verify(rule, got == want, f"Pause must return the read's error {want!r}: {got!r}")


@pytest.mark.requirement("CG-JOINED-NOT-REMOVED")
def test_joined_cgroups_are_never_removed(factory: Factory, host: Host) -> None:
    shared = host.cgroup_path("shared")
    if host.cgroup_mode() == "v2":
        paths = {"": host.cgroup_dir("unified", shared)}
    else:
        paths = {name: host.cgroup_dir(name, shared) for name in ("devices", "freezer")}
    for path in paths.values():
        os.makedirs(path)
    config = Config(namespaces=(), cgroups=CgroupConfig(paths=paths))
    c = factory.create(host.container_id("j"), config)
    c.run(INIT)
    assert c.init_process.pid in host.cgroup_pids(host.process_hierarchy(), shared)
    c.signal(signal.SIGKILL)
    c.destroy()
    for path in paths.values():
        assert os.path.isdir(path), f"{path} was joined, not made: destroy must leave it"


@pytest.mark.requirement("CG-SET-JOINED-UNTOUCHED")
def test_set_of_joined_cgroups_writes_nothing(factory: Factory, host: Host, verify: Any) -> None:
    # apply_raw.go:191-195: with Paths set, Set returns before any subsystem's Set
    if host.cgroup_mode() == "v2":
        skip_for_host("cgroup v1 hierarchies", f"a rule of the v1 manager; on {host.describe()}")
    shared = host.cgroup_path("shared-set")
    names = ("devices", "freezer", "memory", "pids")
    paths = {name: host.cgroup_dir(name, shared) for name in names}
    for path in paths.values():
        os.makedirs(path)
    c = factory.create(host.container_id("js"), Config(cgroups=CgroupConfig(paths=paths)))
    c.run(INIT)
    start = len(host.operations())
    c.set(Config(cgroups=CgroupConfig(paths=paths, pids_limit=5, memory_limit=1 << 26)))
    writes = [
        op.path
        for op in host.operations()[start:]
        if op.op == "write" and any(op.path.startswith(d + "/") for d in paths.values())
    ]
    verify("CG-SET-JOINED-UNTOUCHED", writes == [], f"Set wrote to joined cgroups: {writes}")


@pytest.mark.requirement(*tables.requirement_variants("CG-DESTROY-RETRIES"))
def test_busy_cgroup_fails_after_retries(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = tables.requirement_for("CG-DESTROY-RETRIES", profile)
    busy = tables.cgroup_busy(profile)
    cid = host.container_id("busy")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    outsider = host.start_process()
    # v1: two hierarchies kept busy, named in the error's map in key order; v2 has one group,
    # with no name
    hierarchies = (
        {"": "unified"} if host.cgroup_mode() == "v2" else {"pids": "pids", "memory": "memory"}
    )
    for hierarchy in hierarchies.values():
        host.move_to_cgroup(outsider, hierarchy, f"/{cid}")
    c.signal(signal.SIGKILL)
    clock_before = host.system.monotonic()
    with pytest.raises(Exception) as info:
        c.destroy()
    waited = host.system.monotonic() - clock_before
    busy_groups = {key: host.cgroup_dir(h, f"/{cid}") for key, h in hierarchies.items()}
    group = next(iter(busy_groups.values()))
    want = tables.teardown_error("cgroup", busy.error(host.cgroup_mode(), busy_groups), profile)
    verify(rule, str(info.value) == want, f"destroy must return {want!r}: {str(info.value)!r}")
    rmdirs = [op for op in host.operations() if op.op == "rmdir" and op.path == group]
    verify(rule, len(rmdirs) >= busy.rmdirs, f"{len(rmdirs)} rmdirs of {group}, not {busy.rmdirs}")
    # the sleeps between the tries: on a simulated clock exactly the source's schedule (a
    # margin below its 1 ms step absorbs float sums); a real clock also counts the work
    want_wait = busy.waited(len(busy_groups))
    slept = abs(waited - want_wait) < 0.0005 if host.virtual_clock else waited >= want_wait
    verify(rule, slept, f"gave up after {waited:.4f} s of sleeps, not {want_wait:.4f} s")


@pytest.mark.requirement("CG-DESTROY-SUBGROUPS")
def test_destroy_removes_the_groups_below_the_containers(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "CG-DESTROY-SUBGROUPS"
    cid = host.container_id("sub")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    hierarchy = "unified" if host.cgroup_mode() == "v2" else "pids"
    nested = [host.cgroup_dir(hierarchy, f"/{cid}/{name}") for name in ("a", "a/b", "c")]
    for directory in nested:  # what a workload may make below its own cgroup, empty
        os.mkdir(directory)
    c.signal(signal.SIGKILL)
    got = error_of(c.destroy)
    verify(rule, got == "no error", f"destroy must succeed: {got!r}")
    left = host.cgroup_dirs(f"/{cid}")
    verify(rule, left == [], f"destroy must remove the groups and those below them: {left}")


@pytest.mark.parametrize(
    "fault", ["interrupted", "interrupted-unlistable", "busy-then-interrupted", "busy-subgroup"]
)
@pytest.mark.requirement("CG-DESTROY-TRANSIENT-ERRORS")
def test_destroy_tries_a_failed_rmdir_again(
    factory: Factory, host: Host, fault: str, verify: Any
) -> None:
    rule = "CG-DESTROY-TRANSIENT-ERRORS"
    cid = host.container_id(f"te-{fault}")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    hierarchy = "unified" if host.cgroup_mode() == "v2" else "pids"
    group = host.cgroup_dir(hierarchy, f"/{cid}")
    if fault == "interrupted":
        faults = [inject(host, "rmdir", group, errno.EINTR)]
    elif fault == "interrupted-unlistable":
        # runc 1.2 tries an interrupted rmdir again at once: it never lists the group
        faults = [inject(host, "rmdir", group, errno.EINTR)]
        inject(host, "opendir", group, errno.EACCES, every=True)
    elif fault == "busy-then-interrupted":
        # the fast rmdir is refused, the sub-groups (none) are gone, and the last rmdir is
        # interrupted: that one is tried again too
        refused = inject(host, "rmdir", group, errno.EBUSY)
        faults = [refused, inject(host, "rmdir", group, errno.EINTR, nth=2)]
    else:
        sub = os.path.join(group, "sub")
        os.mkdir(sub)  # a workload's sub-group, busy for the first two rmdirs
        faults = [inject(host, "rmdir", sub, errno.EBUSY, nth=n) for n in (1, 2)]
    c.signal(signal.SIGKILL)
    got = error_of(c.destroy)
    unfired = [f for f in faults if not host.fired(f)]
    assert not unfired, f"{len(unfired)} of the {fault} faults never fired"
    verify(rule, got == "no error", f"destroy must try the rmdir again: {got!r}")
    left = host.cgroup_dirs(f"/{cid}")
    verify(rule, left == [], f"destroy must remove every group: {left}")


@pytest.mark.requirement("RDT-APPLY")
def test_resctrl_group_holds_init(
    factory: Factory, host: Host, rdt_group: dict[str, str], verify: Any
) -> None:
    cid = host.container_id("rg")
    c = factory.create(cid, config_for(cid, rdt=rdt_group))
    # the start is the Apply under test, not its setup
    got = error_of(lambda: c.run(INIT))
    verify("RDT-APPLY", got == "no error", f"a start with a group of its own failed: {got!r}")
    pid = init_pid(c)
    verify("RDT-APPLY", pid in host.resctrl_tasks(cid), f"init {pid} is not in the group")
    verify("RDT-APPLY", pid not in host.resctrl_tasks(""), f"init {pid} stayed in the default")


@pytest.mark.requirement("RDT-SET-SCHEMA")
def test_start_writes_the_schema_domain_by_domain(
    factory: Factory, host: Host, rdt_schema: SchemaForm, verify: Any
) -> None:
    cid = host.container_id("rs")
    c = factory.create(cid, config_for(cid, rdt=rdt_schema.fields("d", "c")))
    got = error_of(lambda: c.run(INIT))
    verify("RDT-SET-SCHEMA", got == "no error", f"a start with a valid schema failed: {got!r}")
    # lines by resource, values by domain: names and values may be padded (6.x kernels pad
    # an MB value, "MB:0= 100"), so the file is read line by line, never split on spaces
    shown, want = rdt_schema.shown(cid), rdt_schema.want("d", "c")
    verify("RDT-SET-SCHEMA", shown == want, f"the group's schemata {shown}, want {want}")


@pytest.mark.requirement("RDT-DESTROY-RETURNS-TASKS")
def test_removed_group_gives_tasks_back_to_default(
    factory: Factory, host: Host, rdt_group: dict[str, str]
) -> None:
    cid = host.container_id("rb")
    c = factory.create(cid, config_for(cid, pid_namespace=True, rdt=rdt_group))
    c.run(INIT)
    # A task of the harness joins the container's resctrl group (not its cgroup) from outside.
    outsider = host.start_process()
    with open(os.path.join(host.resctrl_group(cid), "tasks"), "w") as f:
        f.write(str(outsider))
    c.signal(signal.SIGKILL)
    c.destroy()
    assert not os.path.isdir(host.resctrl_group(cid)), "destroy removes the resctrl group"
    assert host.is_alive(outsider), "the outsider is not the container's to kill"
    assert outsider in host.resctrl_tasks(""), "its tasks go back to the default group"


@pytest.mark.requirement("RDT-DESTROY-NEVER-STARTED")
def test_destroy_of_a_container_never_started_and_its_resctrl_group(
    factory: Factory, host: Host, rdt_group: dict[str, str], profile: str, verify: Any
) -> None:
    rule = "RDT-DESTROY-NEVER-STARTED"
    cid = host.container_id("ns")
    c = factory.create(cid, config_for(cid, rdt=rdt_group))
    group = host.resctrl_group(cid)
    os.mkdir(group)  # made by something else before the container ever started
    try:
        got = error_of(c.destroy)
        verify(rule, got == "no error", f"destroy of a container never started failed: {got!r}")
        want = tables.rdt_group_of_unstarted(profile)
        left = "kept" if os.path.isdir(group) else "removed"
        verify(rule, left == want, f"destroy {left} the resctrl group {group}; the profile: {want}")
    finally:
        if os.path.isdir(group):
            os.rmdir(group)


@pytest.mark.requirement("RDT-APPLY-EXISTING-GROUP")
def test_a_resctrl_group_made_before_start_is_joined_then_removed(
    factory: Factory, host: Host, rdt_group: dict[str, str], verify: Any
) -> None:
    # 692f6e1 intelrdt.go:513-519 join (MkdirAll), :422-430 Destroy (RemoveAll of the path
    # Apply recorded); v1.2.0 intelrdt.go:469-477, 489
    rule = "RDT-APPLY-EXISTING-GROUP"
    cid = host.container_id("eg")
    c = factory.create(cid, config_for(cid, pid_namespace=True, rdt=rdt_group))
    group = host.resctrl_group(cid)
    os.mkdir(group)  # made by something else, under the container's id, before the start
    try:
        got = error_of(lambda: c.run(INIT))
        verify(rule, got == "no error", f"a start must join the group that exists: {got!r}")
        pid = init_pid(c)
        verify(rule, pid in host.resctrl_tasks(cid), f"init {pid} is not in the existing {group}")
        c.signal(signal.SIGKILL)
        got = error_of(c.destroy)
        verify(rule, got == "no error", f"destroy failed: {got!r}")
        verify(rule, not os.path.isdir(group), f"destroy must remove the joined group {group}")
    finally:
        if os.path.isdir(group):
            os.rmdir(group)


@pytest.mark.requirement("RDT-INVALID-SCHEMA")
def test_kernel_refuses_invalid_schema(
    factory: Factory, host: Host, rdt_schema: SchemaForm
) -> None:
    cid = host.container_id("bad")
    c = factory.create(cid, config_for(cid, rdt={rdt_schema.field: rdt_schema.invalid()}))
    with pytest.raises(Exception) as info:
        c.run(INIT)
    assert "invalid argument" in str(info.value)
    if not os.path.isdir(host.resctrl_group(cid)):
        return  # runc 1.2 removed the group: that rmdir set info/last_cmd_status to "ok"
    with open("/sys/fs/resctrl/info/last_cmd_status", encoding="ascii") as f:
        status = f.read()
    known = {text + "\n" for text in rdt_schema.refusals()}
    assert status in known, f"info/last_cmd_status should say why: {status!r}"


@pytest.mark.requirement("RDT-NOT-ENABLED")
def test_intel_rdt_without_resctrl_is_refused(
    subject: Any, rtgate_options: Any, request: pytest.FixtureRequest
) -> None:
    def check(host: Host) -> None:
        factory = subject.new_factory(host.state_root, host.system, rtgate_options.profile)
        cid = host.container_id("nr")
        with pytest.raises(Exception) as info:
            factory.create(cid, config_for(cid, l3_schema="L3:0=f"))
        assert str(info.value) == tables.message("rdt_not_enabled")
        assert not os.path.exists(os.path.join(host.state_root, cid))

    if rtgate_options.host == "real":
        host: Host = request.getfixturevalue("host")
        if host.rdt_unavailable() is None:
            skip_for_host(
                "a host without L3 CAT",
                "this host offers L3 CAT through a mounted resctrl; the rule needs one without",
            )
        check(host)
        return
    with simulated_host("no-rdt") as sim:
        check(sim)


@pytest.mark.requirement("RDT-EMPTY-SCHEMA-REFUSED")
@pytest.mark.usefixtures("rdt_schema")
def test_intel_rdt_with_empty_schema_is_refused(factory: Factory, host: Host) -> None:
    # on a host without RDT the validator refuses for that reason first (RDT-NOT-ENABLED);
    # where the seed writes a schema (rdt_schema), RDT is enabled for it
    cid = host.container_id("es")
    config = Config(cgroups=CgroupConfig(path=f"/{cid}"), intel_rdt=IntelRdtConfig(""))
    with pytest.raises(Exception) as info:
        factory.create(cid, config)
    assert str(info.value) == tables.message("rdt_schema_empty")


@pytest.mark.requirement("RDT-UNTOUCHED-WITHOUT-CONFIG")
def test_no_resctrl_operation_without_intel_rdt(factory: Factory, host: Host) -> None:
    cid = host.container_id("nordt")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    c.destroy()
    touched = [
        op for op in host.operations() if op.path.startswith("/sys/fs/resctrl/") and op.op != "read"
    ]
    assert touched == [], f"resctrl was touched without intelRdt in the config: {touched}"
    assert container_dirs(host, c)["rdt"] is False
