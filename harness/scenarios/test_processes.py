"""One more process in a running container, and what Signal, Pause and Resume do when the
kernel turns them down: a reaped init, a freezer write that fails."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import re
import signal
import time
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.containers import EXTRA
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import freezer_fails
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import joined_pid
from harness.scenarios._support.containers import program_of
from harness.scenarios._support.containers import start_extra
from harness.scenarios._support.containers import state_file
from harness.scenarios._support.containers import state_name
from harness.scenarios._support.resctrl import last_cmd_status
from harness.scenarios._support.skips import skip_for_host
from harness.scenarios._support.skips import slow_task_in
from harness.spec import tables
from harness.subjects.base import Container
from harness.subjects.base import Factory


def _hierarchies(host: Host) -> list[str]:
    """The hierarchies a container's cgroup is made in: the v2 one, or each v1 controller's."""
    return ["unified"] if host.cgroup_mode() == "v2" else host.v1_hierarchies()


@pytest.mark.requirement("LC-EXEC-JOINS-CGROUPS")
def test_extra_process_joins_the_containers_cgroups(
    factory: Factory, host: Host, verify: Any
) -> None:
    cid = host.container_id("jc")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    pid = start_extra(c, host)
    for hierarchy in _hierarchies(host):
        if not os.path.isdir(host.cgroup_dir(hierarchy, f"/{cid}")):
            continue
        verify(
            "LC-EXEC-JOINS-CGROUPS",
            pid in host.cgroup_pids(hierarchy, f"/{cid}"),
            f"the extra process {pid} must be in {hierarchy}'s /{cid}:"
            f" {host.cgroup_of(pid, hierarchy)}",
        )


@pytest.mark.requirement("LC-EXEC-JOIN-ERROR")
@pytest.mark.parametrize(("op", "err"), [("write", errno.EIO), ("open", errno.ENOENT)])
def test_extra_process_whose_cgroup_write_fails_is_not_started(
    factory: Factory, host: Host, profile: str, op: str, err: int, verify: Any
) -> None:
    """Every write fails: on cgroup v2 runc 1.2 writes once more to init's cgroup, the same.
    ENOENT at the open is a group removed after the seed's stat of it: an error too."""
    rule = "LC-EXEC-JOIN-ERROR"
    cid = host.container_id(f"je-{op}")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    procs = os.path.join(host.cgroup_dir(host.process_hierarchy(), f"/{cid}"), "cgroup.procs")
    fault = inject(host, op, procs, err, every=True)
    before = host.live_children()
    got = error_of(lambda: c.start(EXTRA))
    host.clear_faults()
    assert host.fired(fault), "the fault never fired"
    text = os.strerror(err).lower()
    pid = joined_pid(got, rule, profile, verify)
    if pid is not None:
        want = tables.procs_write_error(profile, pid=pid, op=op, path=procs, errno=text)
        verify(rule, want in got, f"the cause must be {want!r}: {got!r}")
    left = host.live_children() - before
    verify(rule, not left, f"the extra process must not be left running: {sorted(left)}")


@pytest.mark.requirement("LC-EXEC-CGROUP-GONE")
def test_extra_process_skips_a_cgroup_that_is_gone(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-EXEC-CGROUP-GONE"
    kept = {host.process_hierarchy(), "devices", "freezer", "cpuset"}
    spare = [h for h in host.v1_hierarchies() if h not in kept]
    if host.cgroup_mode() == "v2" or not spare:
        skip_for_host("a v1 hierarchy a container can lose", f"{host.describe_cgroups()}")
    cid = host.container_id("cg")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    gone = spare[0]
    host.move_to_cgroup(init_pid(c), gone, "/")  # a cgroup with a task cannot be removed
    os.rmdir(host.cgroup_dir(gone, f"/{cid}"))
    before = host.live_children()
    got = error_of(lambda: c.start(EXTRA))
    verify(rule, got == "no error", f"Start must succeed without the {gone} group: {got!r}")
    new = host.live_children() - before
    verify(rule, len(new) == 1, f"the extra process must run: new pids {sorted(new)}")
    procs = host.cgroup_pids(host.process_hierarchy(), f"/{cid}")
    verify(rule, set(new) <= set(procs), f"it must join the other groups: {sorted(procs)}")


@pytest.mark.requirement("LC-EXEC-JOIN-RDT-ERROR")
def test_extra_process_whose_resctrl_write_fails_is_not_started(
    factory: Factory, host: Host, rdt_group: dict[str, str], profile: str, verify: Any
) -> None:
    rule = "LC-EXEC-JOIN-RDT-ERROR"
    cid = host.container_id("jt")
    c = factory.create(cid, config_for(cid, rdt=rdt_group))
    c.run(INIT)
    tasks = os.path.join(host.resctrl_group(cid), "tasks")
    fault = inject(host, "write", tasks, errno.EIO)
    before = host.live_children()
    got = error_of(lambda: c.start(EXTRA))
    assert host.fired(fault), "the fault never fired"
    eio = os.strerror(errno.EIO).lower()
    pid = joined_pid(got, rule, profile, verify, step="join_rdt")
    if pid is not None:
        status = last_cmd_status()
        want = tables.exec_tasks_write_error(
            profile, pid=pid, op="write", path=tasks, errno=eio, status=status
        )
        verify(rule, want in got, f"the cause must be {want!r}: {got!r}")
    left = host.live_children() - before
    verify(rule, not left, f"the extra process must not be left running: {sorted(left)}")
    kept = os.path.isdir(host.resctrl_group(cid))
    verify(rule, kept, "the failed start removed the running container's resctrl group")
    tasks = host.resctrl_tasks(cid) if kept else []
    verify(rule, init_pid(c) in tasks, f"init {init_pid(c)} left its resctrl group: {tasks}")


@pytest.mark.requirement("LC-EXEC-RDT-GONE")
def test_extra_process_starts_when_the_resctrl_group_is_gone(
    factory: Factory, host: Host, rdt_group: dict[str, str], verify: Any
) -> None:
    rule = "LC-EXEC-RDT-GONE"
    cid = host.container_id("jg")
    c = factory.create(cid, config_for(cid, rdt=rdt_group))
    c.run(INIT)
    group = host.resctrl_group(cid)
    os.rmdir(group)  # its tasks go back to the default group
    before = host.live_children()
    got = error_of(lambda: c.start(EXTRA))
    verify(rule, got == "no error", f"Start must succeed without the group: {got!r}")
    new = host.live_children() - before
    verify(rule, len(new) == 1, f"the extra process must run: new pids {sorted(new)}")
    verify(rule, not os.path.exists(group), f"Start must not make the group again: {group}")


@pytest.mark.requirement("LC-EXEC-JOINS-RESCTRL")
def test_extra_process_joins_the_containers_resctrl_group(
    factory: Factory, host: Host, rdt_group: dict[str, str], verify: Any
) -> None:
    cid = host.container_id("jr")
    c = factory.create(cid, config_for(cid, rdt=rdt_group))
    c.run(INIT)
    pid = start_extra(c, host)
    tasks = host.resctrl_tasks(cid)
    verify(
        "LC-EXEC-JOINS-RESCTRL",
        pid in tasks,
        f"the extra process {pid} must be in the container's resctrl group: tasks {tasks}",
    )
    verify(
        "LC-EXEC-JOINS-RESCTRL",
        init_pid(c) in tasks,
        f"init {init_pid(c)} stays in the container's resctrl group: tasks {tasks}",
    )


@pytest.mark.requirement("LC-RUN-NOT-STOPPED")
def test_run_in_a_created_container_does_not_exec(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-RUN-NOT-STOPPED"
    cid = host.container_id("rn")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    before = host.live_children()
    c.run(EXTRA)
    new = host.live_children() - before
    verify(rule, len(new) == 1, f"Run must start the one process: new pids {sorted(new)}")
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    verify(rule, os.path.exists(fifo), "Run of a process that is not init must not exec")
    verify(rule, host.is_alive(init_pid(c)), "init keeps waiting on the exec FIFO")


@pytest.mark.requirement("LC-EXEC-OPEN-ERROR")
def test_exec_without_a_fifo_fails_to_open_it(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    cid = host.container_id("eo")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    enoent = os.strerror(errno.ENOENT).lower()
    want = tables.message("exec_fifo_open", profile, path=fifo, errno=enoent)
    got = error_of(c.exec)
    verify(
        "LC-EXEC-OPEN-ERROR",
        got.endswith(want),  # a SystemError starts with where it was made
        f"Exec with no exec.fifo must fail with {want!r}: {got!r}",
    )


#: Go's time.Time in JSON (RFC 3339 with up to nine fraction digits), UTC
_GO_UTC_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d{1,9})?Z")


@pytest.mark.requirement("LC-START-CREATED-TIME")
def test_start_records_when_init_started(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-START-CREATED-TIME"
    cid = host.container_id("ct")
    c = factory.create(cid, config_for(cid))
    before = datetime.now(UTC).replace(microsecond=0)
    with _local_time_off_utc():  # a time taken from the local clock cannot pass for UTC
        c.start(INIT)
    after = datetime.now(UTC)
    created = state_file(host, cid).get("created")
    match = _GO_UTC_TIME.fullmatch(created) if isinstance(created, str) else None
    verify(
        rule, match is not None, f"state.json's created must be an RFC 3339 UTC time: {created!r}"
    )
    assert match is not None
    at = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    verify(rule, before <= at <= after, f"created {created} is not between {before} and {after}")


@pytest.mark.requirement("LC-START-EXEC-CREATED-TIME")
def test_an_extra_start_is_recorded_as_created(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-START-EXEC-CREATED-TIME"
    cid = host.container_id("xt")
    config = config_for(cid)
    c = factory.create(cid, config)
    c.run(INIT)
    first = str(state_file(host, cid).get("created"))
    start_extra(c, host)
    c.set(config)  # Set writes state.json again (LC-SET-SAVES-STATE)
    created = state_file(host, cid).get("created")
    match = _GO_UTC_TIME.fullmatch(created) if isinstance(created, str) else None
    verify(rule, match is not None, f"created must stay an RFC 3339 UTC time: {created!r}")
    verify(rule, str(created) >= first, f"created {created} is before init's start {first}")


@contextlib.contextmanager
def _local_time_off_utc() -> Iterator[None]:
    """This process's local time 5.5 hours ahead of UTC (a POSIX TZ, no zone database needed)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "RTG-05:30"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def _reap_init(host: Host, c: Container) -> int:
    """Init exits and its parent (the caller of Start) waits for it: /proc has no entry."""
    pid = init_pid(c)
    host.end_process(pid)
    assert c.init_process is not None
    c.init_process.wait()
    assert host.proc_state(pid) is None, f"init {pid} must be reaped: {host.proc_state(pid)}"
    return pid


@pytest.mark.requirement("LC-START-PROCESS-PROGRAM")
def test_processes_run_their_args_env_and_cwd(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-START-PROCESS-PROGRAM"
    cid = host.container_id("pp")
    c = factory.create(cid, config_for(cid))
    # HOME is set: the runtime's init adds HOME only when Env has none
    init = dataclasses.replace(INIT, env=("HOME=/root", "RTGATE_ROLE=init"), cwd="/tmp")
    extra = dataclasses.replace(EXTRA, env=("RTGATE_ROLE=exec", "HOME=/"), cwd="/run")
    c.run(init)
    pids = {"init": init_pid(c), "exec": start_extra(c, host, extra)}
    for role, process in (("init", init), ("exec", extra)):
        pid = pids[role]
        eventually(host, lambda pid=pid, process=process: program_of(pid)[0] == list(process.args))
        argv, environ, cwd = program_of(pid)
        verify(rule, argv == list(process.args), f"{role} {pid} runs {argv}, not {process.args}")
        verify(rule, environ == list(process.env), f"{role} {pid} has env {environ}")
        verify(rule, cwd == process.cwd, f"{role} {pid} runs in {cwd!r}, not {process.cwd!r}")


@pytest.mark.requirement("LC-EXEC-JOINS-NAMESPACES")
def test_exec_joins_inits_network_namespace(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-EXEC-JOINS-NAMESPACES"
    cid = host.container_id("jn")
    config = config_for(cid)
    c = factory.create(cid, dataclasses.replace(config, namespaces=(*config.namespaces, "net")))
    c.run(INIT)
    init = init_pid(c)
    extra = start_extra(c, host)
    own, joined, outside = host.netns_of(init), host.netns_of(extra), host.host_netns()
    verify(rule, own is not None and own != outside, f"init {init} is in {own}, the host's")
    verify(rule, joined == own, f"the started process {extra} is in {joined}, init in {own}")


@pytest.mark.requirement("LC-STATUS-INIT-REAPED")
def test_reaped_init_reads_stopped(factory: Factory, host: Host, verify: Any) -> None:
    cid = host.container_id("sg")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    _reap_init(host, c)
    status = str(c.status())
    verify("LC-STATUS-INIT-REAPED", status == "stopped", f"a reaped init reads {status!r}")


@pytest.mark.requirement(*tables.requirement_variants("LC-SIGNAL-INIT-REAPED"))
def test_signal_to_a_reaped_init_fails_with_the_kill_error(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-SIGNAL-INIT-REAPED"
    cid = host.container_id("sr")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    _reap_init(host, c)
    got = error_of(lambda: c.signal(signal.SIGTERM))
    want = tables.message("signal_init_reaped", profile, errno=os.strerror(errno.ESRCH).lower())
    verify(rule, want in got, f"Signal to a reaped init must fail with {want!r}: {got!r}")


@pytest.mark.requirement("LC-SIGNAL-INIT-ERROR")
@pytest.mark.parametrize("err", [errno.EPERM, errno.ESRCH], ids=["eperm", "esrch"])
def test_signal_whose_kill_fails_names_init(
    factory: Factory, host: Host, err: int, verify: Any
) -> None:
    # ESRCH while init lives: hasInit said yes, so the kill's error is returned as any other
    cid = host.container_id("sk")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    fault = inject(host, "kill", f"/proc/{init_pid(c)}", err)
    got = error_of(lambda: c.signal(signal.SIGTERM))
    assert host.fired(fault), "the kill of init never happened"
    want = f"unable to signal init: {os.strerror(err).lower()}"
    verify("LC-SIGNAL-INIT-ERROR", got == want, f"Signal must fail with {want!r}: {got!r}")


@pytest.mark.requirement("LC-PAUSE-FREEZE-ERROR")
def test_pause_whose_freeze_fails_keeps_running(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-PAUSE-FREEZE-ERROR"
    cid = host.container_id("pz")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    fault = freezer_fails(host, c)
    got = error_of(c.pause)
    assert host.fired(fault), "the fault never fired"
    eio = os.strerror(errno.EIO).lower()
    verify(rule, eio in got.lower(), f"Pause must return the freeze's error: {got!r}")
    verify(rule, state_name(c) == "running", f"a failed freeze left the state {state_name(c)}")
    verify(rule, str(c.status()) == "running", f"status after a failed freeze: {c.status()}")


@pytest.mark.requirement("LC-RESUME-THAW-ERROR")
def test_resume_whose_thaw_fails_keeps_paused(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-RESUME-THAW-ERROR"
    cid = host.container_id("rz")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    c.pause()
    fault = freezer_fails(host, c)
    got = error_of(c.resume)
    assert host.fired(fault), "the fault never fired"
    eio = os.strerror(errno.EIO).lower()
    verify(rule, eio in got.lower(), f"Resume must return the thaw's error: {got!r}")
    verify(rule, state_name(c) == "paused", f"a failed thaw left the state {state_name(c)}")
    verify(rule, str(c.status()) == "paused", f"status after a failed thaw: {c.status()}")
    verify(rule, host.is_frozen(init_pid(c)), "a failed thaw must leave init frozen")


@pytest.mark.requirement("LC-START-APPLY-FAILS")
def test_start_whose_cgroup_placement_fails_leaves_nothing_running(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-START-APPLY-FAILS"
    cid = host.container_id("af")
    c = factory.create(cid, config_for(cid))
    before = host.live_children()
    hierarchy = "unified" if host.cgroup_mode() == "v2" else "*"  # the first group written
    procs = os.path.join(host.cgroup_dir(hierarchy, f"/{cid}"), "cgroup.procs")
    fault = inject(host, "write", procs, errno.EIO)
    got = error_of(lambda: c.start(INIT))
    verify(rule, host.fired(fault), "Start never placed init in the container's cgroup")
    eio = os.strerror(errno.EIO).lower()
    verify(rule, eio in got.lower(), f"Start must return the placement's error: {got!r}")
    left = host.live_children() - before
    verify(rule, left == set(), f"a failed start must leave no process: pids {sorted(left)}")
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    verify(rule, not os.path.exists(fifo), "a failed start must remove the exec FIFO it made")
    verify(rule, str(c.status()) == "stopped", f"status after a failed start: {c.status()}")


@pytest.mark.requirement("CG-FREEZE-WAITS")
def test_pause_waits_until_the_freezer_reads_frozen(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "CG-FREEZE-WAITS"
    if host.cgroup_mode() == "v2":
        skip_for_host("a v1 freezer", f"FREEZING is the v1 freezer's; {host.describe_cgroups()}")
    cid = host.container_id("fw")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    reads = 4
    slow = slow_task_in(host, "freezer", f"/{cid}", reads=reads)
    freezer, _, _ = host.freezer_file(init_pid(c))
    start, before = len(host.operations()), host.system.monotonic()
    c.pause()
    slept = host.system.monotonic() - before
    verify(rule, host.is_frozen(slow), f"the slow task {slow} is not frozen when Pause returns")
    ops = [op for op in host.operations()[start:] if op.path == freezer]
    written = [i for i, op in enumerate(ops) if op.op == "write"]
    polls = [op for op in ops[written[-1] if written else 0 :] if op.op == "read"]
    verify(rule, len(polls) > reads, f"{len(polls)} reads of {freezer}, the task needed {reads}")
    if host.virtual_clock:  # 1 ms between reads, and no sleep after the one that saw FROZEN
        want = (len(polls) - 1) * 0.001
        verify(rule, abs(slept - want) < 0.0005, f"slept {slept:.4f} s over {len(polls)} reads")


@pytest.mark.requirement("LC-STATUS-FREEZING-NOT-PAUSED")
def test_a_freezing_group_reads_running(factory: Factory, host: Host, verify: Any) -> None:
    if host.cgroup_mode() == "v2":
        skip_for_host("a v1 freezer", f"FREEZING is the v1 freezer's; {host.describe_cgroups()}")
    cid = host.container_id("fz")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    slow_task_in(host, "freezer", f"/{cid}")
    freezer, frozen, _ = host.freezer_file(init_pid(c))
    with open(freezer, "w") as f:  # someone else freezes the group
        f.write(frozen)
    status = str(c.status())
    verify(
        "LC-STATUS-FREEZING-NOT-PAUSED", status == "running", f"a FREEZING group reads {status!r}"
    )
