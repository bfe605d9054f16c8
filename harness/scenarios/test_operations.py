"""Pause, Resume and Signal in every state, against the spec's operations table."""

from __future__ import annotations

import signal
from typing import Any

import pytest

from harness.hosts import SimulatedHost
from harness.scenarios._support import bring_to
from harness.scenarios._support import config_for
from harness.scenarios._support import state_name
from harness.spec import tables


def _cases(operation: str) -> list[Any]:
    return [
        pytest.param(
            state,
            id=state,
            marks=pytest.mark.requirement(f"LC-{operation.upper()}-{state.upper()}"),
        )
        for state in tables.STATES
    ]


def _expect_error(expected: str, state: str, call: Any) -> None:
    __tracebackhide__ = True
    key = expected.split(":", 1)[1]
    with pytest.raises(Exception) as info:
        call()
    if key == "transition":
        want = tables.transition_error(state, "paused")
    else:
        want = tables.message(key, status=tables.status_of(state) if state != "stopped" else state)
    assert str(info.value) == want


@pytest.mark.parametrize("state", _cases("pause"))
def test_pause(factory: Any, host: SimulatedHost, state: str) -> None:
    c = bring_to(factory, host, "op", state, config_for("op"))
    expected = tables.operation_expectation(state, "pause")
    if expected == "paused":
        c.pause()
        assert state_name(c) == "paused"
        assert host.freezer_state("/op") == "FROZEN"
        assert str(c.status()) == "paused"
    elif expected == "frozen-then-error:transition":
        _expect_error(expected, state, c.pause)
        assert state_name(c) == state, "the refused transition leaves the state"
        assert host.freezer_state("/op") == "FROZEN", (
            "Pause freezes the cgroup before the state refuses the transition"
        )
    else:
        before = state_name(c)
        _expect_error(expected, state, c.pause)
        assert state_name(c) == before


@pytest.mark.parametrize("state", _cases("resume"))
def test_resume(factory: Any, host: SimulatedHost, state: str) -> None:
    c = bring_to(factory, host, "op", state, config_for("op"))
    expected = tables.operation_expectation(state, "resume")
    if expected == "running":
        c.resume()
        assert state_name(c) == "running"
        assert host.freezer_state("/op") == "THAWED"
    else:
        _expect_error(expected, state, c.resume)
        if state not in ("stopped",):
            assert host.freezer_state("/op") in ("THAWED", "FROZEN")


@pytest.mark.parametrize("state", _cases("signal"))
def test_signal(factory: Any, host: SimulatedHost, state: str) -> None:
    c = bring_to(factory, host, "op", state, config_for("op"))
    expected = tables.operation_expectation(state, "signal")
    pid = c.init_process.pid if c.init_process is not None else None
    if expected.startswith("error:"):
        with pytest.raises(Exception) as info:
            c.signal(signal.SIGKILL)
        want = tables.message(expected.split(":", 1)[1])
        assert want in str(info.value), f"Signal with no init must fail with {want!r}"
        return
    assert pid is not None
    c.signal(signal.SIGKILL)
    if expected == "delivered":
        assert not host.is_alive(pid), "SIGKILL sent to init must kill it"
    else:
        assert host.is_alive(pid), "a task frozen by the v1 freezer keeps SIGKILL pending"
        c.resume()
        assert not host.is_alive(pid), "the pending SIGKILL kills init once thawed"


@pytest.mark.requirement("LC-RESUME-PAUSED-FROM-CREATED")
def test_resume_of_container_paused_from_created(factory: Any, host: SimulatedHost) -> None:
    c = bring_to(factory, host, "pc", "created", config_for("pc"))
    c.pause()
    c.resume()
    assert state_name(c) == "running"
    # The exec FIFO is still there, so a refresh asks for created: running -> created fails.
    with pytest.raises(Exception) as info:
        c.status()
    assert str(info.value) == tables.transition_error("running", "created")
