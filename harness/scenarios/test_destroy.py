"""Destroy in each state, with init alive and with init gone, and each step of the teardown."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
from typing import Any

import pytest

from harness.fakes import SimProgram
from harness.hosts import SimulatedHost
from harness.scenarios._support import INIT
from harness.scenarios._support import bring_to
from harness.scenarios._support import classify_teardown_error
from harness.scenarios._support import config_for
from harness.scenarios._support import container_dirs
from harness.scenarios._support import init_pid
from harness.scenarios._support import install_hooks
from harness.scenarios._support import make_init_gone
from harness.scenarios._support import state_name
from harness.spec import tables


def _destroy_case(state: str, alive: bool) -> Any:
    req = f"LC-DESTROY-{state.upper()}-{'ALIVE' if alive else 'GONE'}"
    return pytest.param(
        state,
        alive,
        id=f"{state}-init-{'alive' if alive else 'gone'}",
        marks=pytest.mark.requirement(*tables.requirement_variants(req)),
    )


@pytest.mark.parametrize(
    ("state", "alive"),
    [_destroy_case(s, a) for s in tables.STATES if s != "stopped" for a in (True, False)]
    + [_destroy_case("stopped", True), _destroy_case("stopped", False)],
)
def test_destroy_per_state(
    factory: Any, host: SimulatedHost, profile: str, state: str, alive: bool
) -> None:
    cid = "d"
    # No private PID namespace: the teardown's kill-all step reaps whatever init left.
    config = config_for(cid, pid_namespace=False)
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
    before = state_name(c)

    expected = tables.destroy_expectation(state, alive, profile)
    if expected.startswith("error:"):
        with pytest.raises(Exception) as info:
            c.destroy()
        assert str(info.value) == tables.message(expected.removeprefix("error:"), profile)
        # A loaded container refreshes before it delegates: it is running by then.
        after = "running" if state == "loaded" else before
        assert state_name(c) == after, "a refused destroy must not change the state"
        assert container_dirs(host, c) == {"state-dir": True, "cgroup": True, "rdt": False}
        assert host.is_alive(pid), "a refused destroy must not touch init"
        return

    log_start = len(host.kernel.log)
    c.destroy()
    assert state_name(c) == "stopped"
    assert container_dirs(host, c) == {"state-dir": False, "cgroup": False, "rdt": False}
    assert not host.is_alive(pid), "after destroy no process of the container may live"
    if expected == "thaw-then-destroy":
        writes = [op for op in host.kernel.log[log_start:] if op.op == "write"]
        assert any(
            op.path.endswith("freezer.state") and "THAWED" in str(op.data) for op in writes
        ), "a paused container whose init is gone is thawed before it is destroyed"


@pytest.mark.requirement("LC-DESTROY-KILL-ALL")
def test_destroy_kills_every_process_without_pid_namespace(
    factory: Any, host: SimulatedHost
) -> None:
    c = factory.create("k", config_for("k", pid_namespace=False))
    c.run(INIT)
    child = host.kernel.fork(init_pid(c))
    make_init_gone(host, c)
    assert host.is_alive(child), "the forked child outlives init"
    c.destroy()
    assert not host.is_alive(child), "destroy must kill what init left in the cgroup"
    assert container_dirs(host, c)["cgroup"] is False


@pytest.mark.requirement(*tables.requirement_variants("LC-DESTROY-KILL-ALL-ERROR-LOGGED"))
def test_kill_all_failure_is_not_returned(
    factory: Any, host: SimulatedHost, profile: str, caplog: pytest.LogCaptureFixture
) -> None:
    c = factory.create("kl", config_for("kl", pid_namespace=False))
    c.run(INIT)
    make_init_gone(host, c)
    # Listing the cgroup's pids fails: the kill-all step cannot do its work.
    fault = host.kernel.faults.fail("open", "/sys/fs/cgroup/devices/kl/cgroup.procs", errno.EIO)
    with caplog.at_level(logging.WARNING):
        c.destroy()
    assert any(f.fault is fault for f in host.kernel.faults.fired), "the fault never fired"
    assert state_name(c) == "stopped"
    assert container_dirs(host, c)["state-dir"] is False
    eio = os.strerror(errno.EIO).lower()
    told = [
        r for r in caplog.records if r.levelno >= logging.WARNING and eio in r.getMessage().lower()
    ]
    if tables.kill_all_failure(profile) == "logged":
        assert told, "the failed kill-all must be logged as a warning"
    else:
        assert told == [], f"the failed kill-all must be discarded, not logged: {told}"


@pytest.mark.requirement("LC-DESTROY-NO-KILL-ALL-WITH-PID-NAMESPACE")
def test_destroy_leaves_processes_to_the_pid_namespace(
    factory: Any, host: SimulatedHost, profile: str
) -> None:
    c = factory.create("pn", config_for("pn", pid_namespace=True))
    c.run(INIT)
    outsider = host.kernel.spawn_process("outsider")
    host.kernel.move_to_cgroup(outsider, "devices", "/pn")
    make_init_gone(host, c)
    with pytest.raises(Exception) as info:
        c.destroy()
    assert classify_teardown_error(info.value, host, "pn", profile) == "cgroup", str(info.value)
    assert host.is_alive(outsider), "with a private PID namespace destroy sends no kill-all"


@pytest.mark.requirement("LC-DESTROY-CGROUP", "LC-DESTROY-STATE-DIR")
def test_destroy_removes_cgroups_and_state_dir(factory: Any, host: SimulatedHost) -> None:
    c = factory.create("cs", config_for("cs"))
    c.run(INIT)
    assert container_dirs(host, c) == {"state-dir": True, "cgroup": True, "rdt": False}
    c.signal(signal.SIGKILL)
    c.destroy()
    left = container_dirs(host, c)
    assert left["cgroup"] is False, f"cgroup dirs left: {host.cgroup_dirs('/cs')}"
    assert left["state-dir"] is False, "the state dir survived destroy"


@pytest.mark.requirement("LC-DESTROY-CGROUP", "LC-DESTROY-RDT", "LC-DESTROY-STATE-DIR")
def test_destroy_removes_cgroups_rdt_group_and_state_dir(factory: Any, rdt: SimulatedHost) -> None:
    host = rdt
    c = factory.create("all", config_for("all", l3_schema=host.l3_schema("f")))
    c.run(INIT)
    pid = init_pid(c)
    assert container_dirs(host, c) == {"state-dir": True, "cgroup": True, "rdt": True}
    assert pid in host.resctrl_tasks("all")
    c.signal(signal.SIGKILL)
    c.destroy()
    assert container_dirs(host, c) == {"state-dir": False, "cgroup": False, "rdt": False}


@pytest.mark.requirement("LC-DESTROY-ORDER")
def test_teardown_steps_run_in_order(factory: Any, rdt: SimulatedHost) -> None:
    host = rdt
    hooks = install_hooks(host, post=SimProgram.exit(0))
    config = config_for("o", l3_schema=host.l3_schema("f"), poststop=(hooks["post"],))
    c = factory.create("o", config)
    c.run(INIT)
    c.signal(signal.SIGKILL)
    start = len(host.kernel.log)
    c.destroy()
    removals = [op.path for op in host.kernel.log[start:] if op.op == "rmdir" and op.errno is None]

    def first_index(prefix: str) -> int:
        for i, path in enumerate(removals):
            if path.startswith(prefix):
                return i
        raise AssertionError(f"nothing under {prefix} was removed; removals: {removals}")

    order = [
        first_index("/sys/fs/cgroup/"),
        first_index("/sys/fs/resctrl/o"),
        first_index(os.path.join(host.state_root, "o")),
    ]
    assert order == sorted(order), (
        f"teardown must remove cgroups, then the resctrl group, then the state dir: {removals}"
    )
    runs = host.kernel.programs.get(hooks["post"]).runs
    assert len(runs) == 1, "the poststop hook runs once, after the state dir is gone"


@pytest.mark.requirement(
    "LC-DESTROY-POSTSTOP", "LC-HOOK-STATE-STDIN", "LC-HOOK-POSTSTOP-STATUS-STOPPED"
)
def test_poststop_hooks_run_in_order_with_state(
    factory: Any, host: SimulatedHost, profile: str, verify: Any
) -> None:
    hooks = install_hooks(host, first=SimProgram.exit(0), second=SimProgram.exit(0))
    c = factory.create("h", config_for("h", poststop=(hooks["first"], hooks["second"])))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    c.destroy()
    first = host.kernel.programs.get(hooks["first"]).runs
    second = host.kernel.programs.get(hooks["second"]).runs
    assert len(first) == 1 and len(second) == 1
    assert first[0].at <= second[0].at
    state = json.loads(first[0].stdin)
    verify("LC-HOOK-STATE-STDIN", state["id"] == "h", f"hook state: {state}")
    verify(
        "LC-HOOK-STATE-STDIN",
        state["bundle"] == "/var/lib/rtgate/bundles/h" and state["ociVersion"] == "1.0.0",
        f"hook state: {state}",
    )
    if tables.poststop_status(profile):
        verify(
            "LC-HOOK-POSTSTOP-STATUS-STOPPED",
            state.get("status") == tables.poststop_status(profile),
            f"poststop hooks must read status {tables.poststop_status(profile)!r}: {state}",
        )


@pytest.mark.requirement("LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE", "LC-HOOK-ERROR-NAMES-HOOK")
def test_poststop_stops_at_first_failing_hook(
    factory: Any, host: SimulatedHost, profile: str, verify: Any
) -> None:
    hooks = install_hooks(
        host, ok=SimProgram.exit(0), bad=SimProgram.exit(3, stderr="boom"), after=SimProgram.exit(0)
    )
    c = factory.create("hf", config_for("hf", poststop=(hooks["ok"], hooks["bad"], hooks["after"])))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    with pytest.raises(Exception) as info:
        c.destroy()
    hook_error = tables.message("hook_failed", code=3, stdout="", stderr="boom")
    want = tables.teardown_error("poststop", hook_error, profile, index=1)
    # where the profile wraps hook errors, a wrong text breaks the naming rule
    names_hook = want != tables.teardown_error("poststop", hook_error, index=1)
    verify(
        "LC-HOOK-ERROR-NAMES-HOOK" if names_hook else "LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE",
        str(info.value) == want,
        f"destroy must return {want!r}; it returned {str(info.value)!r}",
    )
    assert len(host.kernel.programs.get(hooks["bad"]).runs) == 1
    assert host.kernel.programs.get(hooks["after"]).runs == [], (
        "hooks after the failing poststop hook must not run"
    )
    assert state_name(c) == "stopped"


@pytest.mark.requirement("LC-HOOK-TIMEOUT")
def test_poststop_hook_past_its_timeout(factory: Any, host: SimulatedHost, profile: str) -> None:
    hooks = install_hooks(host, slow=SimProgram.hang())
    c = factory.create("ht", config_for("ht", poststop=(hooks["slow"],), hook_timeout=2.0))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    with pytest.raises(Exception) as info:
        c.destroy()
    timeout = tables.message("hook_timeout", timeout=2.0)
    assert str(info.value) == tables.teardown_error("poststop", timeout, profile, index=0)
    assert state_name(c) == "stopped"


@pytest.mark.requirement("LC-DESTROY-TWICE-RUNS-HOOKS")
def test_double_destroy_runs_hooks_again(factory: Any, host: SimulatedHost) -> None:
    hooks = install_hooks(host, post=SimProgram.exit(0))
    c = factory.create("dd", config_for("dd", poststop=(hooks["post"],)))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    c.destroy()
    c.destroy()
    assert len(host.kernel.programs.get(hooks["post"]).runs) == 2
    assert state_name(c) == "stopped"


@pytest.mark.requirement("LC-DESTROY-DROPS-INIT")
def test_destroy_drops_init(factory: Any, host: SimulatedHost) -> None:
    c = bring_to(factory, host, "di", "stopped", config_for("di"))
    assert c.init_process is None, "after destroy the container holds no init process"
    assert str(c.status()) == "stopped"


@pytest.mark.requirement("LC-DESTROY-RUNNING-HAS-INIT")
def test_running_state_with_unreleased_init_refuses(
    factory: Any, host: SimulatedHost, profile: str
) -> None:
    # Init lives but still waits on the exec FIFO: hasInit() is true, runType() says created.
    c = factory.create("hi", config_for("hi"))
    c.start(INIT)
    pid = init_pid(c)
    c.state = c.state_for("running")
    with pytest.raises(Exception) as info:
        c.state.transition(c.state_for("stopped"))
    assert str(info.value) == tables.message("still_running", profile)
    with pytest.raises(Exception) as info:
        c.destroy()
    assert str(info.value) == tables.message("destroy_still_running", profile)
    assert state_name(c) == "running"
    assert host.is_alive(pid), "a refused destroy must not touch init"
    assert container_dirs(host, c) == {"state-dir": True, "cgroup": True, "rdt": False}
