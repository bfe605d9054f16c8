"""Destroy in each state, with init alive and with init gone, and each step of the teardown."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.containers import CONFIG_VERSION
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import bring_to
from harness.scenarios._support.containers import classify_teardown_error
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import container_dirs
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import install_hooks
from harness.scenarios._support.containers import kill_all_path
from harness.scenarios._support.containers import make_init_gone
from harness.scenarios._support.containers import raised
from harness.scenarios._support.containers import state_name
from harness.scenarios._support.destroy_checks import destroy_goes_through
from harness.scenarios._support.destroy_checks import destroy_refused
from harness.spec import tables
from harness.spec.tables import ErrorCell
from harness.subjects.api import Process
from harness.subjects.base import Factory


def _destroy_case(state: str, alive: bool) -> Any:
    req = tables.destroy_requirement(state, alive)
    return pytest.param(
        state,
        alive,
        id=f"{state}-init-{'alive' if alive else 'gone'}",
        marks=pytest.mark.requirement(*tables.requirement_variants(req)),
    )


#: states whose destroy kills (created) or thaws (paused) by itself: their cells run with a
#: private PID namespace, so destroy's kill-all step (which also kills and thaws) cannot stand in
OWN_ACT_STATES = ("created", "paused")


@pytest.mark.parametrize(
    ("state", "alive"),
    [
        _destroy_case(s, a)
        for s in tables.STATES
        if s != "stopped"
        for a in (True, False)
        # a loaded container with init alive refreshes first: test_destroy_cells.py
        if (s, a) != ("loaded", True)
    ]
    + [_destroy_case("stopped", True), _destroy_case("stopped", False)],
)
def test_destroy_per_state(
    factory: Factory, host: Host, profile: str, state: str, alive: bool, verify: Any
) -> None:
    rule = tables.destroy_requirement(state, alive, profile)
    cid = host.container_id("d")
    # Elsewhere no private PID namespace: the teardown's kill-all step reaps what init left.
    config = config_for(cid, pid_namespace=state in OWN_ACT_STATES)
    c = factory.create(cid, config)
    c.run(INIT)
    pid = init_pid(c)
    if state == "paused":
        c.pause()
    if not alive:
        make_init_gone(host, c)
    if state == "loaded":
        c = factory.load(cid)
        c.state = c.state_for("loaded")
    elif state != "paused":
        c.state = c.state_for(state)

    expected = tables.destroy_expectation(state, alive, profile)
    if isinstance(expected, ErrorCell):
        destroy_refused(c, host, pid, expected.text(profile), verify, rule)
        return

    log_start = len(host.operations())
    destroy_goes_through(c, host, pid, verify, rule)
    if expected == "thaw-then-destroy":
        ops = host.operations()[log_start:]
        # a real host sees which file was written, not what (the data is None there)
        name, _, thawed = tables.freezer_file(host.cgroup_mode())
        thaws = [
            i
            for i, op in enumerate(ops)
            if op.op == "write"
            and op.path.endswith(f"/{name}")
            and (op.data is None or thawed.encode() in op.data)
        ]
        removals = [i for i, op in enumerate(ops) if op.op == "rmdir"]
        # no kill-all here (private PID namespace): only the state itself can have thawed
        thawed_first = bool(thaws) and (not removals or thaws[0] < removals[0])
        order = f"thaws at {thaws}, rmdirs at {removals}"
        why = f"a paused container whose init is gone is thawed before its groups go: {order}"
        verify(rule, thawed_first, why)


@pytest.mark.requirement("LC-DESTROY-KILL-ALL")
def test_destroy_kills_every_process_without_pid_namespace(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-DESTROY-KILL-ALL"
    cid = host.container_id("k")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    child = host.fork(init_pid(c))
    make_init_gone(host, c)
    assert host.is_alive(child), "the forked child outlives init"
    got = error_of(c.destroy)
    verify(rule, host.dies(child), "destroy must kill what init left in the cgroup")
    verify(rule, got == "no error", f"destroy failed: {got!r}")
    left = container_dirs(host, c)["cgroup"]
    verify(rule, left is False, "destroy left the container's cgroup")


@pytest.mark.requirement("LC-DESTROY-KILL-ALL-REAPS")
def test_destroy_kill_all_reaps_what_it_killed(
    factory: Factory, host: Host, verify: Any, caplog: pytest.LogCaptureFixture
) -> None:
    rule = "LC-DESTROY-KILL-ALL-REAPS"
    # listed first (a lower pid) and, on the model, no child of the runtime (a harness
    # process's child): the waits go on past it
    outsider = host.fork(host.start_process())
    cid = host.container_id("kr")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    c.start(Process(args=INIT.args, init=False))
    host.move_to_cgroup(outsider, host.process_hierarchy(), f"/{cid}")
    pid = init_pid(c)
    extra = [p for p in host.cgroup_pids(host.process_hierarchy(), f"/{cid}")
             if p not in (pid, outsider)]  # fmt: skip
    assert len(extra) == 1, f"one process started in the container: {extra}"
    host.slow_to_exit(extra[0])
    make_init_gone(host, c)  # stopped: destroy's kill-all is what kills the rest
    with caplog.at_level(logging.WARNING):
        got = error_of(c.destroy)
    verify(rule, got == "no error", f"destroy must succeed: {got!r}")
    state = host.proc_state(extra[0])
    verify(rule, state is None, f"{extra[0]} must be reaped, not left in state {state}")
    verify(rule, not host.is_alive(outsider), f"the outsider {outsider} in the cgroup lives")
    warned = [r.getMessage() for r in caplog.records if "wait" in r.getMessage()]
    verify(rule, warned == [], f"a process that is not its child is no warning: {warned}")


def _kill_all_error(c: Any, host: Host, path: str) -> str:
    """The error the seed's kill-all returns when ``path`` cannot be opened, as
    ``Signal(s, all)`` hands it back unchanged (692f6e1 container_linux.go:331-333)."""
    fault = inject(host, "open", path, errno.EIO)
    try:
        c.signal(signal.SIGKILL, all_processes=True)
    except Exception as err:  # noqa: BLE001 - its text is what destroy must log
        assert host.fired(fault), "the fault never fired"
        return str(err)
    raise AssertionError(f"a kill-all whose {path} fails must return an error")


@pytest.mark.requirement(*tables.requirement_variants("LC-DESTROY-KILL-ALL-ERROR-LOGGED"))
def test_kill_all_failure_is_not_returned(
    factory: Factory, host: Host, profile: str, caplog: pytest.LogCaptureFixture, verify: Any
) -> None:
    cid = host.container_id("kl")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    # The file the kill-all step goes through fails: it cannot do its work.
    path = kill_all_path(host, profile, cid)
    logged = tables.kill_all_failure(profile) == "logged"
    error = _kill_all_error(c, host, path) if logged else ""
    fault = inject(host, "open", path, errno.EIO)
    make_init_gone(host, c)
    with caplog.at_level(logging.WARNING):
        c.destroy()
    assert host.fired(fault), "the fault never fired"
    assert state_name(c) == "stopped"
    assert container_dirs(host, c)["state-dir"] is False
    eio = os.strerror(errno.EIO).lower()
    told = [
        r for r in caplog.records if r.levelno >= logging.WARNING and eio in r.getMessage().lower()
    ]
    if logged:
        assert told, "the failed kill-all must be logged as a warning"
        # logrus.Warn(err) (state_linux.go:44): the message is the error, with nothing added
        messages = [r.getMessage() for r in told]
        verify("LC-DESTROY-KILL-ALL-ERROR-LOGGED", error in messages,
               f"the warning must be the kill-all's error {error!r}: {messages}")  # fmt: skip
    else:
        assert told == [], f"the failed kill-all must be discarded, not logged: {told}"


@pytest.mark.requirement("LC-DESTROY-NO-KILL-ALL-WITH-PID-NAMESPACE")
def test_destroy_leaves_processes_to_the_pid_namespace(
    factory: Factory, host: Host, profile: str
) -> None:
    cid = host.container_id("pn")
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    c.run(INIT)
    outsider = host.start_process()
    host.move_to_cgroup(outsider, host.process_hierarchy(), f"/{cid}")
    make_init_gone(host, c)
    with pytest.raises(Exception) as info:
        c.destroy()
    assert classify_teardown_error(info.value, host, cid, profile) == "cgroup", str(info.value)
    assert host.is_alive(outsider), "with a private PID namespace destroy sends no kill-all"


@pytest.mark.requirement(*tables.requirement_variants("LC-DESTROY-NO-KILL-ALL-JOINED-PIDNS"))
def test_destroy_with_a_joined_pid_namespace(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = tables.requirement_for("LC-DESTROY-NO-KILL-ALL-JOINED-PIDNS", profile)
    cid = host.container_id("jp")
    c = factory.create(cid, config_for(cid, joined_pid_namespace="/proc/1/ns/pid"))
    c.run(INIT)
    other = host.fork(init_pid(c))
    make_init_gone(host, c)
    err = raised(c.destroy)
    got = "no error" if err is None else str(err)
    if tables.kill_all_in_joined_pidns(profile):
        verify(rule, host.dies(other), "a joined PID namespace is shared: destroy kills the cgroup")
        verify(rule, got == "no error", f"destroy failed: {got!r}")
        left = container_dirs(host, c)["cgroup"]
        verify(rule, left is False, "destroy left the container's cgroup")
        return
    verify(rule, host.is_alive(other), "a PID namespace in the config, joined or not: no kill-all")
    step = "no error" if err is None else classify_teardown_error(err, host, cid, profile)
    verify(rule, step == "cgroup", f"destroy must fail removing the busy cgroup: {got!r}")


@pytest.mark.requirement("LC-DESTROY-CGROUP", "LC-DESTROY-STATE-DIR")
def test_destroy_removes_cgroups_and_state_dir(factory: Factory, host: Host, verify: Any) -> None:
    cid = host.container_id("cs")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    assert container_dirs(host, c) == {"state-dir": True, "cgroup": True, "rdt": False}
    c.signal(signal.SIGKILL)
    c.destroy()
    left = container_dirs(host, c)
    verify.each(
        ("LC-DESTROY-CGROUP", left["cgroup"] is False,
         f"cgroup dirs left: {host.cgroup_dirs(f'/{cid}')}"),
        ("LC-DESTROY-STATE-DIR", left["state-dir"] is False, "the state dir survived destroy"),
    )  # fmt: skip


@pytest.mark.requirement("LC-DESTROY-CGROUP", "LC-DESTROY-RDT", "LC-DESTROY-STATE-DIR")
def test_destroy_removes_cgroups_rdt_group_and_state_dir(
    factory: Factory, host: Host, rdt_group: dict[str, str], verify: Any
) -> None:
    cid = host.container_id("all")
    c = factory.create(cid, config_for(cid, rdt=rdt_group))
    c.run(INIT)
    pid = init_pid(c)
    assert container_dirs(host, c) == {"state-dir": True, "cgroup": True, "rdt": True}
    assert pid in host.resctrl_tasks(cid)
    c.signal(signal.SIGKILL)
    c.destroy()
    left = container_dirs(host, c)
    verify.each(
        ("LC-DESTROY-CGROUP", left["cgroup"] is False, f"cgroup dirs left: {left}"),
        ("LC-DESTROY-RDT", left["rdt"] is False, f"the resctrl group survived destroy: {left}"),
        ("LC-DESTROY-STATE-DIR", left["state-dir"] is False, f"the state dir survived: {left}"),
    )


@pytest.mark.requirement("LC-DESTROY-ORDER")
def test_teardown_steps_run_in_order(
    factory: Factory, host: Host, rdt_group: dict[str, str]
) -> None:
    hooks = install_hooks(host, post=HookProgram.exit(0))
    cid = host.container_id("o")
    config = config_for(cid, rdt=rdt_group, poststop=(hooks["post"],))
    c = factory.create(cid, config)
    c.run(INIT)
    c.signal(signal.SIGKILL)
    start = len(host.operations())
    c.destroy()
    # the removals and the hook's run ("exec"), in the order the kernel saw them
    steps = [
        op.path
        for op in host.operations()[start:]
        if (op.op == "rmdir" and op.errno is None) or op.op == "exec"
    ]

    def first_index(prefix: str) -> int:
        for i, path in enumerate(steps):
            if path.startswith(prefix):
                return i
        raise AssertionError(f"nothing under {prefix} was removed or run; steps: {steps}")

    state_dir = os.path.join(host.state_root, cid)
    order = [
        first_index("/sys/fs/cgroup/"),
        first_index(host.resctrl_group(cid)),
        first_index(state_dir),
    ]
    assert order == sorted(order), (
        f"teardown must remove cgroups, then the resctrl group, then the state dir: {steps}"
    )
    runs = host.hook_runs(hooks["post"])
    assert len(runs) == 1, "the poststop hook runs once"
    last_removal = max(i for i, path in enumerate(steps) if path.startswith(state_dir))
    assert first_index(hooks["post"]) > last_removal, (
        f"the poststop hook runs after the state dir is gone: {steps}"
    )


def _poststop_states(factory: Factory, host: Host, cid: str) -> tuple[Any, Any]:
    """Destroy a container with two poststop hooks; their runs, one list each."""
    hooks = install_hooks(host, first=HookProgram.exit(0), second=HookProgram.exit(0))
    c = factory.create(cid, config_for(cid, poststop=(hooks["first"], hooks["second"])))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    c.destroy()
    return host.hook_runs(hooks["first"]), host.hook_runs(hooks["second"])


@pytest.mark.requirement("LC-DESTROY-POSTSTOP", "LC-HOOK-STATE-STDIN")
def test_poststop_hooks_run_in_order_with_state(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    cid = host.container_id("h")
    first, second = _poststop_states(factory, host, cid)
    verify(
        "LC-DESTROY-POSTSTOP",
        len(first) == 1 and len(second) == 1,
        f"each poststop hook runs once; runs: {len(first)} and {len(second)}",
    )
    # a sequence number: simulated hooks take no time, so their clock readings tie
    verify("LC-DESTROY-POSTSTOP", first[0].seq < second[0].seq, "poststop hooks run in order")
    state = json.loads(first[0].stdin)
    verify("LC-HOOK-STATE-STDIN", state["id"] == cid, f"hook state: {state}")
    verify(
        "LC-HOOK-STATE-STDIN",
        state["bundle"] == f"/var/lib/rtgate/bundles/{cid}"
        and state["ociVersion"] == tables.hook_oci_version(profile, CONFIG_VERSION),
        f"hook state (ociVersion {tables.hook_oci_version(profile, CONFIG_VERSION)!r}): {state}",
    )
    # Command.Run's json.Marshal writes no whitespace between tokens (the values here hold
    # none of the characters Go escapes and Python does not)
    compact = json.dumps(state, separators=(",", ":")).encode()
    verify(
        "LC-HOOK-STATE-STDIN",
        first[0].stdin == compact,
        f"the state must be json.Marshal's, compact: {first[0].stdin!r}",
    )


@pytest.mark.requirement(*tables.requirement_variants("LC-HOOK-POSTSTOP-STATE-EMPTY"))
def test_poststop_hooks_read_the_status_and_no_pid(
    factory: Factory, host: Host, profile: str
) -> None:
    first, _ = _poststop_states(factory, host, host.container_id("hs"))
    state = json.loads(first[0].stdin)
    want = tables.poststop_status(profile)
    # the seed's HookState has "status" without omitempty: present, and empty
    assert "status" in state and state["status"] == want, (
        f"poststop hooks must read status {want!r}: {state}"
    )
    assert "pid" not in state, f"destroy dropped init first: no pid for poststop hooks: {state}"


@pytest.mark.requirement("LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE", "LC-HOOK-ERROR-NAMES-HOOK")
def test_poststop_stops_at_first_failing_hook(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    hooks = install_hooks(
        host,
        ok=HookProgram.exit(0),
        bad=HookProgram.exit(3, stderr="boom"),
        after=HookProgram.exit(0),
    )
    cid = host.container_id("hf")
    c = factory.create(cid, config_for(cid, poststop=(hooks["ok"], hooks["bad"], hooks["after"])))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    with pytest.raises(Exception) as info:
        c.destroy()
    hook_error = tables.hook_failed(3, "", "boom", profile)
    want = tables.teardown_error("poststop", hook_error, profile, index=1)
    # where the profile wraps hook errors, a wrong text breaks the naming rule
    names_hook = want != tables.teardown_error(
        "poststop", tables.hook_failed(3, "", "boom"), index=1
    )
    verify(
        "LC-HOOK-ERROR-NAMES-HOOK" if names_hook else "LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE",
        str(info.value) == want,
        f"destroy must return {want!r}; it returned {str(info.value)!r}",
    )
    stops = "LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE"
    runs = len(host.hook_runs(hooks["bad"]))
    verify(stops, runs == 1, f"the failing poststop hook runs once, not {runs} times")
    after = host.hook_runs(hooks["after"])
    verify(stops, after == [], f"hooks after the failing poststop hook must not run: {after}")
    verify(stops, state_name(c) == "stopped", f"destroy leaves the state {state_name(c)}")


@pytest.mark.requirement("LC-HOOK-TIMEOUT")
def test_poststop_hook_past_its_timeout(factory: Factory, host: Host, profile: str) -> None:
    hooks = install_hooks(host, slow=HookProgram.hang())
    cid = host.container_id("ht")
    c = factory.create(cid, config_for(cid, poststop=(hooks["slow"],), hook_timeout=2.0))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    with pytest.raises(Exception) as info:
        c.destroy()
    timeout = tables.message("hook_timeout", timeout=2.0)
    assert str(info.value) == tables.teardown_error("poststop", timeout, profile, index=0)
    assert state_name(c) == "stopped"
    # A real hook is a process the runtime must kill (config.go:344); a simulated one has no
    # process: the System's run_hook ends it (docs/unobservable.md).
    for run in host.hook_runs(hooks["slow"]):
        assert run.pid is None or host.dies(run.pid), "a hook past its timeout is killed"


@pytest.mark.requirement("LC-DESTROY-TWICE-RUNS-HOOKS")
def test_double_destroy_runs_hooks_again(factory: Factory, host: Host) -> None:
    hooks = install_hooks(host, post=HookProgram.exit(0))
    cid = host.container_id("dd")
    c = factory.create(cid, config_for(cid, poststop=(hooks["post"],)))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    c.destroy()
    c.destroy()
    assert len(host.hook_runs(hooks["post"])) == 2
    assert state_name(c) == "stopped"


@pytest.mark.requirement("LC-DESTROY-DROPS-INIT")
def test_destroy_drops_init(factory: Factory, host: Host) -> None:
    cid = host.container_id("di")
    c = bring_to(factory, host, cid, "stopped", config_for(cid))
    assert c.init_process is None, "after destroy the container holds no init process"
    assert str(c.status()) == "stopped"
