"""Start, Run and Exec: the exec FIFO, created versus running, and the start-time hooks."""

from __future__ import annotations

import os

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import container_dirs
from harness.scenarios._support.containers import install_hooks
from harness.scenarios._support.containers import state_name
from harness.spec import tables
from harness.subjects.api import Process
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-START-CREATED")
def test_start_of_stopped_container_creates_it(factory: Factory, host: Host) -> None:
    cid = host.container_id("s")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    assert state_name(c) == "created"
    assert str(c.status()) == "created"
    assert os.path.exists(os.path.join(host.state_root, cid, "exec.fifo"))
    assert host.is_alive(c.init_process.pid)
    assert c.init_process.pid in host.cgroup_pids(host.process_hierarchy(), f"/{cid}")


@pytest.mark.requirement("LC-EXEC-RUNS")
def test_exec_releases_init(factory: Factory, host: Host) -> None:
    cid = host.container_id("e")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    c.exec()
    assert str(c.status()) == "running"
    assert not os.path.exists(os.path.join(host.state_root, cid, "exec.fifo"))


@pytest.mark.requirement("LC-RUN")
def test_run_starts_and_releases(factory: Factory, host: Host) -> None:
    cid = host.container_id("r")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    assert str(c.status()) == "running"


@pytest.mark.requirement("LC-EXEC-FIFO-EXISTS")
def test_start_refuses_a_leftover_fifo(factory: Factory, host: Host, profile: str) -> None:
    cid = host.container_id("f")
    c = factory.create(cid, config_for(cid))
    path = os.path.join(host.state_root, cid, "exec.fifo")
    host.system.mkfifo(path, 0o622)
    with pytest.raises(Exception) as info:
        c.start(INIT)
    assert str(info.value) == tables.message("exec_fifo_exists", profile, path=path)
    assert host.cgroup_dirs(f"/{cid}") == []


@pytest.mark.requirement("LC-EXEC-ON-EMPTY-FIFO")
def test_exec_with_nothing_in_the_fifo(factory: Factory, host: Host) -> None:
    cid = host.container_id("ef")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    # Init never got to write its byte: opening the FIFO reads nothing.  Once init waits on
    # the FIFO it has (a real one could still be starting and find the new one)
    host.await_fifo_open(c.init_process.pid)
    path = os.path.join(host.state_root, cid, "exec.fifo")
    os.remove(path)
    host.system.mkfifo(path, 0o622)
    host.close_fifo_unwritten(path)
    with pytest.raises(Exception) as info:
        c.exec()
    assert str(info.value) == tables.message("already_running")


@pytest.mark.requirement("LC-START-EXEC-SETS-RUNNING")
def test_extra_process_in_created_container_sets_running(factory: Factory, host: Host) -> None:
    cid = host.container_id("x")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    c.start(Process(args=("/bin/sh",), init=False))
    assert state_name(c) == "running"
    # The fifo is still there, so a refresh wants "created": running -> created is invalid.
    with pytest.raises(Exception) as info:
        c.status()
    assert str(info.value) == tables.transition_error("running", "created")


@pytest.mark.requirement("LC-HOOK-POSTSTART-AT-CREATE")
def test_poststart_hooks_run_when_init_starts(factory: Factory, host: Host) -> None:
    cid = host.container_id("ps")
    hooks = install_hooks(host, ps=HookProgram.exit(0))
    c = factory.create(cid, config_for(cid, poststart=(hooks["ps"],)))
    c.start(INIT)
    assert state_name(c) == "created"
    assert len(host.hook_runs(hooks["ps"])) == 1


@pytest.mark.requirement("LC-HOOK-PRESTART-FAILS-START")
def test_failing_prestart_hook_fails_start_and_kills_init(factory: Factory, host: Host) -> None:
    cid = host.container_id("pf")
    hooks = install_hooks(host, pre=HookProgram.exit(2))
    c = factory.create(cid, config_for(cid, prestart=(hooks["pre"],)))
    with pytest.raises(Exception) as info:
        c.start(INIT)
    assert tables.message("hook_failed", code=2, stdout="", stderr="") in str(info.value)
    assert str(c.status()) == "stopped"
    assert not os.path.exists(os.path.join(host.state_root, cid, "exec.fifo"))
    left = host.live_children()
    assert left == set(), f"a failed start must not leave init running: pids {sorted(left)} live"
    assert container_dirs(host, c)["state-dir"] is True


@pytest.mark.requirement("LC-HOOK-START-ERROR-NAMES-HOOK")
@pytest.mark.parametrize("kind", ["prestart", "poststart"])
def test_failing_start_hook_error_names_the_hook(
    factory: Factory, host: Host, profile: str, kind: str
) -> None:
    cid = host.container_id(f"hn-{kind}")
    hooks = install_hooks(host, ok=HookProgram.exit(0), bad=HookProgram.exit(4, stderr="no"))
    c = factory.create(cid, config_for(cid, **{kind: (hooks["ok"], hooks["bad"])}))
    with pytest.raises(Exception) as info:
        c.start(INIT)
    hook_error = tables.message("hook_failed", code=4, stdout="", stderr="no")
    text = str(info.value)
    at = 0
    for part in tables.start_hook_error_parts(kind, 1, hook_error, profile):
        found = text.find(part, at)
        assert found >= 0, f"the error must name {kind} hook 1, with {part!r} after {at}: {text!r}"
        at = found + len(part)


@pytest.mark.requirement("LC-START-SECOND-INIT-REFUSED")
def test_second_init_is_refused(factory: Factory, host: Host, profile: str) -> None:
    cid = host.container_id("si")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    pid = c.init_process.pid
    before = host.live_children()
    with pytest.raises(Exception) as info:
        c.start(INIT)
    assert str(info.value) == tables.message("second_init", profile)
    assert host.live_children() == before, "a refused start must start nothing"
    assert c.init_process.pid == pid
    assert state_name(c) == "created"
