"""Pause, Resume and Signal in every state, against the spec's operations table."""

from __future__ import annotations

import errno
import os
import signal
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import bring_to
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import make_init_gone
from harness.scenarios._support.containers import raised
from harness.scenarios._support.containers import state_name
from harness.scenarios._support.skips import skip_for_host
from harness.spec import tables
from harness.spec.tables import ErrorCell
from harness.subjects.base import Factory


def _cases(operation: str) -> list[Any]:
    return [
        pytest.param(
            state,
            id=state,
            marks=pytest.mark.requirement(
                *tables.requirement_variants(tables.operation_requirement(state, operation))
            ),
        )
        for state in tables.STATES
    ]


def _expect_error(expected: ErrorCell, state: str, call: Any, profile: str) -> None:
    __tracebackhide__ = True
    with pytest.raises(Exception) as info:
        call()
    if expected.key == "transition":
        want = tables.transition_error(state, "paused", profile)
    else:
        status = tables.status_of(state, profile) if state != "stopped" else state
        want = expected.text(profile, status=status)
    assert str(info.value) == want


@pytest.mark.parametrize("state", _cases("pause"))
def test_pause(factory: Factory, host: Host, profile: str, state: str) -> None:
    cid = host.container_id("op")
    c = bring_to(factory, host, cid, state, config_for(cid))
    expected = tables.operation_expectation(state, "pause", profile)
    if expected == "paused":
        c.pause()
        assert state_name(c) == "paused"
        assert host.freezer_state(f"/{cid}") == "FROZEN"
        assert str(c.status()) == "paused"
    elif isinstance(expected, ErrorCell) and expected.first == "frozen":
        _expect_error(expected, state, c.pause, profile)
        assert state_name(c) == state, "the refused transition leaves the state"
        assert host.freezer_state(f"/{cid}") == "FROZEN", (
            "Pause freezes the cgroup before the state refuses the transition"
        )
    else:
        assert isinstance(expected, ErrorCell), f"unknown pause cell {expected!r}"
        before = state_name(c)
        _expect_error(expected, state, c.pause, profile)
        assert state_name(c) == before


@pytest.mark.parametrize("state", _cases("resume"))
def test_resume(factory: Factory, host: Host, profile: str, state: str) -> None:
    cid = host.container_id("op")
    c = bring_to(factory, host, cid, state, config_for(cid))
    expected = tables.operation_expectation(state, "resume", profile)
    if expected == "running":
        c.resume()
        assert state_name(c) == "running"
        assert host.freezer_state(f"/{cid}") == "THAWED"
    else:
        assert isinstance(expected, ErrorCell), f"unknown resume cell {expected!r}"
        # Resume checks the status before it thaws (692f6e1 container_linux.go:551-567): a
        # refused resume leaves the freezer as it was (a stopped container has no cgroup)
        freezer = host.freezer_state(f"/{cid}") if state != "stopped" else None
        _expect_error(expected, state, c.resume, profile)
        if freezer is not None:
            assert host.freezer_state(f"/{cid}") == freezer, "a refused resume must not thaw"


@pytest.mark.parametrize("state", _cases("signal"))
def test_signal(factory: Factory, host: Host, profile: str, state: str) -> None:
    cid = host.container_id("op")
    c = bring_to(factory, host, cid, state, config_for(cid))
    expected = tables.operation_expectation(state, "signal", profile)
    if expected == "pending":  # the v1 freezer's rule; cgroup2 lets SIGKILL kill at once
        expected = tables.frozen_sigkill(host.cgroup_mode())
    pid = c.init_process.pid if c.init_process is not None else None
    if isinstance(expected, ErrorCell):
        with pytest.raises(Exception) as info:
            c.signal(signal.SIGKILL)
        want = expected.text(profile)
        assert str(info.value) == want, f"Signal with no init must fail with {want!r}"
        return
    assert pid is not None
    c.signal(signal.SIGKILL)
    if expected == "delivered":
        assert host.dies(pid), "SIGKILL sent to init must kill it"
    elif expected == "delivered-thawed":
        assert host.dies(pid), "SIGKILL to a paused container must thaw it: init dies"
        assert host.freezer_state(f"/{cid}") == "THAWED"
    else:
        assert host.is_alive(pid), "a task frozen by the v1 freezer keeps SIGKILL pending"
        c.resume()
        assert host.dies(pid), "the pending SIGKILL kills init once thawed"


@pytest.mark.requirement("LC-RESUME-PAUSED-FROM-CREATED")
def test_resume_of_container_paused_from_created(
    factory: Factory, host: Host, profile: str
) -> None:
    cid = host.container_id("pc")
    c = bring_to(factory, host, cid, "created", config_for(cid))
    c.pause()
    c.resume()
    assert state_name(c) == "running"
    # The exec FIFO is still there, so a refresh asks for created: running -> created fails.
    with pytest.raises(Exception) as info:
        c.status()
    assert str(info.value) == tables.transition_error("running", "created", profile)


@pytest.mark.requirement("LC-SIGNAL-PAUSED-KILL-STATE-UNREADABLE")
def test_sigkill_to_a_paused_container_whose_freezer_cannot_be_read(
    factory: Factory, host: Host, verify: Any
) -> None:
    # v1.2.0 container_linux.go:421-427: `paused, _ := c.isPaused()` drops the read's error, so
    # Signal succeeds and thaws nothing
    rule = "LC-SIGNAL-PAUSED-KILL-STATE-UNREADABLE"
    cid = host.container_id("ku")
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    c.run(INIT)
    c.pause()
    freezer, _, _ = host.freezer_file(init_pid(c))
    # the reads fail, not the opens: a thaw's write would still go through
    fault = inject(host, "read", freezer, errno.EIO, every=True)
    got = error_of(lambda: c.signal(signal.SIGKILL))
    host.clear_faults()
    assert host.fired(fault), "Signal never read the freezer state"
    verify(rule, got == "no error", f"a freezer state that cannot be read failed Signal: {got!r}")
    shown = host.freezer_state(f"/{cid}")
    verify(rule, shown == "FROZEN", f"Signal thawed the group it could not read: {shown}")


@pytest.mark.requirement("LC-SIGNAL-KILL-ALL-SHARED-PIDNS")
def test_sigkill_without_pid_namespace_kills_the_cgroup(factory: Factory, host: Host) -> None:
    cid = host.container_id("ka")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    pid = init_pid(c)
    child = host.fork(pid)
    c.signal(signal.SIGKILL)
    assert host.dies(pid), "SIGKILL must kill init"
    assert host.dies(child), "without a private PID namespace SIGKILL kills the cgroup"


@pytest.mark.requirement("LC-SIGNAL-KILL-ALL-DEVICES-GONE")
def test_sigkill_without_pid_namespace_when_the_devices_group_is_gone(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    if host.cgroup_mode() == "v2":
        skip_for_host("cgroup v1 controllers", host.describe_cgroups())
    rule = "LC-SIGNAL-KILL-ALL-DEVICES-GONE"
    cid = host.container_id("kd")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    pid = init_pid(c)
    # From outside: init leaves the container's devices group, which is then removed; the
    # group stays in every other hierarchy, with init in it.
    host.move_to_cgroup(pid, "devices", "/")
    os.rmdir(host.cgroup_dir("devices", f"/{cid}"))
    assert host.cgroup_dirs(f"/{cid}"), "the other controllers' groups must remain"
    try:
        c.signal(signal.SIGKILL)
        got = "no error"
    except Exception as err:  # noqa: BLE001 - its text is what is checked
        got = str(err)
    want = tables.message("kill_all_cgroup_gone", profile)
    verify(rule, got == want, f"SIGKILL returned {got!r}, not {want!r}")
    verify(rule, host.is_alive(pid), "a kill-all refused for a gone cgroup must signal nothing")


@pytest.mark.requirement("LC-SIGNAL-KILL-ALL-NOT-RUNNING")
def test_sigkill_without_pid_namespace_after_destroy(
    factory: Factory, host: Host, profile: str
) -> None:
    cid = host.container_id("kn")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    c.signal(signal.SIGKILL)
    c.destroy()
    assert host.cgroup_dirs(f"/{cid}") == []
    with pytest.raises(Exception) as info:
        c.signal(signal.SIGKILL)
    assert str(info.value) == tables.message("kill_all_not_running", profile)


@pytest.mark.requirement("LC-ERROR-KINDS")
def test_refusals_carry_the_kind_a_go_caller_tests_for(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-ERROR-KINDS"
    cid = host.container_id("ek")
    c = factory.create(cid, config_for(cid))
    stopped = host.container_id("ek-stopped")
    done = factory.create(stopped, config_for(stopped))
    done.run(INIT)
    make_init_gone(host, done)
    c.run(INIT)
    refusals = {
        "invalid_id": lambda: factory.create("bad/id", config_for("bad")),
        "id_in_use": lambda: factory.create(cid, config_for(cid)),
        "not_exists": lambda: factory.load(host.container_id("ek-none")),
        "pause_stopped": done.pause,
        "resume_running": c.resume,
        "set_stopped": lambda: done.set(config_for(stopped)),
    }
    for key, call in refusals.items():
        err = raised(call)
        want = tables.error_kind(key, profile)
        got = getattr(err, "kind", None) if err is not None else "no error"
        verify(rule, got == want, f"{key}: the error must be of kind {want!r}: {got!r} ({err})")
