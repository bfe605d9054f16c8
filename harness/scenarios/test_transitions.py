"""Every cell of the 6x6 transition table, as ``transition`` itself answers it."""

from __future__ import annotations

from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import make_init_gone
from harness.scenarios._support.containers import state_name
from harness.spec import tables
from harness.subjects.base import Factory

CELLS = [(a, b) for a in tables.STATES for b in tables.STATES]


def _transition_case(from_state: str, to_state: str, init_alive: bool = True) -> Any:
    req = tables.transition_requirement(from_state, to_state)
    suffix = "" if init_alive else "-init-gone"
    return pytest.param(
        from_state,
        to_state,
        init_alive,
        id=f"{from_state}-to-{to_state}{suffix}",
        marks=pytest.mark.requirement(req),
    )


CASES = [_transition_case(a, b) for a, b in CELLS]
# The one conditional cell is checked on both of its branches.
CASES.append(_transition_case("running", "stopped", init_alive=False))


@pytest.mark.parametrize(("from_state", "to_state", "init_alive"), CASES)
def test_transition(
    factory: Factory,
    host: Host,
    profile: str,
    from_state: str,
    to_state: str,
    init_alive: bool,
) -> None:
    cid = host.container_id("trans")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    if not init_alive:
        make_init_gone(host, c)
    c.state = c.state_for(from_state)
    before = c.state
    target = c.state_for(to_state)

    kind = tables.transition_cell(from_state, to_state, profile)
    if kind == "check-running":
        kind = "error-still-running" if init_alive else "assign"

    if kind == "assign":
        c.state.transition(target)
        assert c.state is target, f"{from_state} -> {to_state} must make the target the state"
    elif kind == "noop":
        c.state.transition(target)
        assert c.state is before, (
            f"{from_state} -> {to_state} is accepted without changing the state, "
            f"but the state became {state_name(c)}"
        )
    elif kind == "error-still-running":
        with pytest.raises(Exception) as info:
            c.state.transition(target)
        assert str(info.value) == tables.message("still_running", profile)
        assert c.state is before
    else:
        with pytest.raises(Exception) as info:
            c.state.transition(target)
        assert str(info.value) == tables.transition_error(from_state, to_state, profile)
        assert c.state is before, "a refused transition must leave the state as it was"
