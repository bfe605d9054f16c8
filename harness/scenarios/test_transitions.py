"""Every cell of the 6x6 transition table, as ``transition`` itself answers it."""

from __future__ import annotations

from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
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
    verify: Any,
) -> None:
    rule = tables.transition_requirement(from_state, to_state)
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

    move = f"{from_state} -> {to_state}"
    got = error_of(lambda: c.state.transition(target))
    if kind in ("assign", "noop"):
        verify(rule, got == "no error", f"{move} must be accepted: {got!r}")
        if kind == "assign":
            verify(rule, c.state is target, f"{move} must make the target the state")
        else:
            verify(rule, c.state is before,
                   f"{move} is accepted without changing the state, but it became "
                   f"{state_name(c)}")  # fmt: skip
        return
    if kind == "error-still-running":
        want = tables.message("still_running", profile)
    else:
        want = tables.transition_error(from_state, to_state, profile)
    verify(rule, got == want, f"{move} returned {got!r}, not {want!r}")
    verify(rule, c.state is before, f"a refused {move} left the state {state_name(c)}")
