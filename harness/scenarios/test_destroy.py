"""Destroy in each state, with init alive and with init gone, and each step of the teardown."""

from __future__ import annotations

import errno
import logging
import os
import signal
from typing import Any

import pytest

from harness.fakes import SimProgram
from harness.hosts import SimulatedHost
from harness.scenarios._support import INIT
from harness.scenarios._support import bring_to
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
        state, alive, id=f"{state}-init-{'alive' if alive else 'gone'}",
        marks=pytest.mark.requirement(req),
    )


@pytest.mark.parametrize(
    ("state", "alive"),
    [_destroy_case(s, a) for s in tables.STATES if s != "stopped" for a in (True, False)]
    + [_destroy_case("stopped", True), _destroy_case("stopped", False)],
)
def test_destroy_per_state(factory: Any, host: SimulatedHost, state: str, alive: bool) -> None:
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

    expected = tables.destroy_expectation(state, alive)
    if expected.startswith("error:"):
        with pytest.raises(Exception) as info:
            c.destroy()
        assert str(info.value) == tables.message(expected.removeprefix("error:"))
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


@pytest.mark.requirement("LC-DESTROY-KILL-ALL-ERROR-LOGGED")
def test_kill_all_failure_is_only_logged(
    factory: Any, host: SimulatedHost, caplog: pytest.LogCaptureFixture
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


@pytest.mark.requirement("LC-DESTROY-NO-KILL-ALL-WITH-PID-NAMESPACE")
def test_destroy_leaves_processes_to_the_pid_namespace(factory: Any, host: SimulatedHost) -> None:
    c = factory.create("pn", config_for("pn", pid_namespace=True))
    c.run(INIT)
    outsider = host.kernel.spawn_process("outsider")
    host.kernel.move_to_cgroup(outsider, "devices", "/pn")
    make_init_gone(host, c)
    with pytest.raises(Exception) as info:
        c.destroy()
    assert str(info.value).startswith(tables.message("cgroup_remove"))
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
def test_destroy_removes_cgroups_rdt_group_and_state_dir(
    factory: Any, rdt: SimulatedHost
) -> None:
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
    removals = [
        op.path for op in host.kernel.log[start:] if op.op == "rmdir" and op.errno is None
    ]

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


@pytest.mark.requirement("LC-DESTROY-POSTSTOP", "LC-HOOK-STATE-STDIN")
def test_poststop_hooks_run_in_order_with_state(factory: Any, host: SimulatedHost) -> None:
    hooks = install_hooks(host, first=SimProgram.exit(0), second=SimProgram.exit(0))
    c = factory.create("h", config_for("h", poststop=(hooks["first"], hooks["second"])))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    c.destroy()
    first = host.kernel.programs.get(hooks["first"]).runs
    second = host.kernel.programs.get(hooks["second"]).runs
    assert len(first) == 1 and len(second) == 1
    assert first[0].at <= second[0].at
    import json

    state = json.loads(first[0].stdin)
    assert state["id"] == "h"
    assert state["bundle"] == "/var/lib/rtgate/bundles/h"
    assert state["ociVersion"] == "1.0.0"


@pytest.mark.requirement("LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE")
def test_poststop_stops_at_first_failing_hook(factory: Any, host: SimulatedHost) -> None:
    hooks = install_hooks(
        host, ok=SimProgram.exit(0), bad=SimProgram.exit(3, stderr="boom"), after=SimProgram.exit(0)
    )
    c = factory.create(
        "hf", config_for("hf", poststop=(hooks["ok"], hooks["bad"], hooks["after"]))
    )
    c.run(INIT)
    c.signal(signal.SIGKILL)
    with pytest.raises(Exception) as info:
        c.destroy()
    assert str(info.value) == tables.message("hook_failed", code=3, stdout="", stderr="boom")
    assert len(host.kernel.programs.get(hooks["bad"]).runs) == 1
    assert host.kernel.programs.get(hooks["after"]).runs == [], (
        "hooks after the failing poststop hook must not run"
    )
    assert state_name(c) == "stopped"


@pytest.mark.requirement("LC-HOOK-TIMEOUT")
def test_poststop_hook_past_its_timeout(factory: Any, host: SimulatedHost) -> None:
    hooks = install_hooks(host, slow=SimProgram.hang())
    c = factory.create("ht", config_for("ht", poststop=(hooks["slow"],), hook_timeout=2.0))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    with pytest.raises(Exception) as info:
        c.destroy()
    assert str(info.value) == tables.message("hook_timeout", timeout=2.0)
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
