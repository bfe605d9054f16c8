"""Destroy cells that turn on more than "init alive or gone": what a loaded container refreshes
to, a running state whose init was never released, and the errors a state's own guard returns
before any teardown (a failing thaw, an unreadable checkpoint).

Where the cell is about the state's own act (its SIGKILL, its thaw), the container has a
private PID namespace: destroy's kill-all step then does not run and cannot do that act for it.
"""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import container_dirs
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import make_init_gone
from harness.scenarios._support.containers import state_name
from harness.scenarios._support.destroy_checks import KEPT
from harness.scenarios._support.destroy_checks import destroy_goes_through
from harness.scenarios._support.destroy_checks import destroy_refused
from harness.spec import tables
from harness.spec.tables import ErrorCell
from harness.subjects.api import Process
from harness.subjects.base import Factory

#: a second process started into a container that has its init: an exec, never an init
EXEC = Process(args=("/bin/sleep", "infinity"), init=False)


@pytest.mark.requirement(*tables.requirement_variants("LC-DESTROY-LOADED-ALIVE"))
@pytest.mark.parametrize("shows", ["released", "fifo", "frozen"])
def test_loaded_container_refreshes_before_it_destroys(
    factory: Factory, host: Host, profile: str, shows: str, verify: Any
) -> None:
    rule = tables.requirement_for("LC-DESTROY-LOADED-ALIVE", profile)
    cid = host.container_id("lr")
    # A private PID namespace: a created container's init dies by its state's own SIGKILL.
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    if shows == "fifo":
        c.start(INIT)  # init waits on exec.fifo
    else:
        c.run(INIT)
    pid = init_pid(c)
    if shows == "frozen":
        c.pause()
    c = factory.load(cid)
    c.state = c.state_for("loaded")
    refreshed = tables.refreshed_state(shows, profile)
    expected = tables.destroy_expectation(refreshed, True, profile)
    if isinstance(expected, ErrorCell):
        destroy_refused(c, host, pid, expected.text(profile), verify, rule, after=refreshed)
        return
    assert expected == "kill-then-destroy", f"no case for {expected!r}"
    destroy_goes_through(c, host, pid, verify, rule)


def _running_with_unreleased_init(factory: Factory, host: Host, cid: str) -> tuple[Any, int]:
    """Init waits on exec.fifo while the state is running.  The seed gets there by an exec into
    the created container (692f6e1 container_linux.go:377-381, LC-START-EXEC-SETS-RUNNING);
    runc >= 1.0.0-rc6 leaves that container created (LC-START-EXEC-KEEPS-STATE), so the cell is
    set as the state machine holds it."""
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.start(INIT)
    pid = init_pid(c)
    c.start(EXEC)
    if state_name(c) == "created":
        c.state = c.state_for("running")
    assert state_name(c) == "running", f"no running state with init unreleased: {state_name(c)}"
    assert host.is_alive(pid)
    return c, pid


@pytest.mark.requirement(*tables.requirement_variants("LC-DESTROY-RUNNING-FIFO-INIT"))
def test_running_state_with_unreleased_init_stops(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = tables.requirement_for("LC-DESTROY-RUNNING-FIFO-INIT", profile)
    c, pid = _running_with_unreleased_init(factory, host, host.container_id("uf"))
    running = c.state
    stop = tables.unreleased_expectation("stop", profile)
    got = error_of(lambda: running.transition(c.state_for("stopped")))
    state = state_name(c)
    if isinstance(stop, ErrorCell):
        want = stop.text(profile)
        verify(rule, got == want, f"running -> stopped returned {got!r}, not {want!r}")
        verify(rule, state == "running", f"a refused transition left the state {state}")
    else:
        verify(rule, got == "no error", f"running -> stopped failed: {got!r}")
        verify(rule, state == "stopped",
               f"runType() says created: running -> stopped is taken, not {state}")  # fmt: skip
        c.state = running
    destroy = tables.unreleased_expectation("destroy", profile)
    if isinstance(destroy, ErrorCell):
        destroy_refused(c, host, pid, destroy.text(profile), verify, rule)
        return
    destroy_goes_through(c, host, pid, verify, rule)


@pytest.mark.requirement("LC-DESTROY-PAUSED-THAW-ERROR")
def test_paused_destroy_whose_thaw_fails_destroys_nothing(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-DESTROY-PAUSED-THAW-ERROR"
    cid = host.container_id("tf")
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    c.run(INIT)
    pid = init_pid(c)
    c.pause()
    freezer, _, _ = host.freezer_file(pid)
    make_init_gone(host, c)
    # the write fails, not the open: runc 1.2 ignores a cgroup.freeze it cannot open when it
    # thaws (v1.2.0 fs2/freezer.go:30-39), but never a failed write (:42-44)
    fault = inject(host, "write", freezer, errno.EIO)
    got = error_of(c.destroy)
    verify(rule, host.fired(fault), "destroy of a paused container never wrote its thaw")
    eio = os.strerror(errno.EIO).lower()
    verify(rule, eio in got.lower(), f"destroy must return the thaw's error: {got!r}")
    after = state_name(c)
    verify(rule, after == "paused", f"a failed thaw must leave the state paused: {after}")
    left = container_dirs(host, c)
    verify(rule, left == KEPT, f"a failed thaw must tear nothing down: {left}")


@pytest.mark.requirement("LC-DESTROY-RESTORED-STAT-ERROR")
def test_restored_destroy_with_unreadable_checkpoint_destroys_nothing(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-DESTROY-RESTORED-STAT-ERROR"
    cid = host.container_id("rs")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    pid = init_pid(c)
    c.state = c.state_for("restored")
    # A link to itself: stat fails with ELOOP, an error other than "does not exist".
    checkpoint = os.path.join(host.state_root, cid, "checkpoint")
    os.symlink(checkpoint, checkpoint)
    try:
        c.destroy()
        got = "no error"
    except Exception as err:  # noqa: BLE001 - its text is what is checked
        got = str(err)
    eloop = os.strerror(errno.ELOOP).lower()
    verify(rule, eloop in got.lower(), f"destroy must return stat's error on the checkpoint: {got}")
    verify(rule, state_name(c) == "restored", f"a failed stat left the state {state_name(c)}")
    kept = container_dirs(host, c)
    verify(rule, kept == KEPT, f"a failed stat must tear nothing down: {kept}")
    verify(rule, host.is_alive(pid), "a failed stat must leave init alone")


@pytest.mark.requirement(*tables.requirement_variants("LC-DESTROY-PAUSED-ALIVE"))
def test_paused_created_container_refuses_destroy(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = tables.requirement_for("LC-DESTROY-PAUSED-ALIVE", profile)
    # Paused before start: init lives but waits on exec.fifo, runType() Created.  The seed
    # refuses for Created as for Running (state_linux.go:195, 201).
    cid = host.container_id("pc")
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    c.start(INIT)
    pid = init_pid(c)
    c.pause()
    expected = tables.destroy_expectation("paused", True, profile)
    assert isinstance(expected, ErrorCell), f"no case for {expected!r}"
    destroy_refused(c, host, pid, expected.text(profile), verify, rule)


@pytest.mark.requirement("LC-DESTROY-LOADED-REFRESH-ERROR")
def test_loaded_destroy_whose_refresh_fails_destroys_nothing(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-DESTROY-LOADED-REFRESH-ERROR"
    cid = host.container_id("lf")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    pid = init_pid(c)
    freezer, _, _ = host.freezer_file(pid)
    c = factory.load(cid)
    c.state = c.state_for("loaded")
    # isPaused cannot read the freezer: an error other than "does not exist"
    fault = inject(host, "read", freezer, errno.EIO)
    got = error_of(c.destroy)
    verify(rule, host.fired(fault), "destroy of a loaded container never read its freezer state")
    eio = os.strerror(errno.EIO).lower()
    verify(rule, eio in got.lower(), f"destroy must return the refresh's error: {got!r}")
    state = state_name(c)
    verify(rule, state == "loaded", f"a failed refresh must leave the state loaded: {state}")
    left = container_dirs(host, c)
    verify(rule, left == KEPT, f"a failed refresh must tear nothing down: {left}")
    verify(rule, host.is_alive(pid), "a failed refresh must leave init alone")


@pytest.mark.requirement("CG-DESTROY-GROUP-GONE")
def test_destroy_takes_a_group_removed_from_outside_for_removed(
    factory: Factory, host: Host, verify: Any
) -> None:
    # 692f6e1 cgroups/utils.go:374-397 (os.Stat's not-exist deletes the path); v1.2.0
    # cgroups/utils.go:228-236 (rmdir's ENOENT is success)
    rule = "CG-DESTROY-GROUP-GONE"
    cid = host.container_id("gg")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    make_init_gone(host, c)
    groups = host.cgroup_dirs(f"/{cid}")
    assert groups, "the container has no cgroup to remove"
    os.rmdir(groups[0])  # its last task is gone: the kernel lets anyone remove it
    got = error_of(c.destroy)
    verify(rule, got == "no error", f"destroy failed on the group removed from outside: {got!r}")
    left = host.cgroup_dirs(f"/{cid}")
    verify(rule, left == [], f"destroy left the container's other groups: {left}")
    verify(rule, str(c.status()) == "stopped", f"the container is {c.status()}")
