"""Which error destroy returns when several teardown steps fail: all 16 combinations.

Every failure is a fault of the host's kernel, never a replaced manager: the host's
``break_teardown`` makes each step fail (a process of the harness in the container's cgroup, a
pinned resctrl group or state dir, a poststop hook that exits 1).  What destroy must do then,
and under which requirement each fact is checked, is the spec's teardown oracle
(harness/spec/teardown.py): the seed runs every step and returns the first error, always
ending stopped; runc 1.2 returns at the first failing step and then leaves the state, init, the
rest and the hooks alone.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import classify_teardown_error as classify
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import container_dirs
from harness.scenarios._support.containers import make_init_gone
from harness.scenarios._support.containers import state_name
from harness.scenarios._support.rdt_group import own_group_fields
from harness.scenarios._support.rdt_group import own_group_if_any
from harness.spec import tables
from harness.spec.teardown import TeardownOutcome
from harness.spec.teardown import teardown_outcome
from harness.subjects.base import Container
from harness.subjects.base import Factory

SOURCES = tables.error_sources()


def _case(failing: tuple[str, ...]) -> Any:
    reqs = dict.fromkeys(
        r for p in tables.API_PROFILES for r in teardown_outcome(p, failing).requirements()
    )
    return pytest.param(
        failing, id="+".join(failing) or "none", marks=pytest.mark.requirement(*reqs)
    )


COMBINATIONS = [
    tuple(s for s, on in zip(SOURCES, bits, strict=True) if on)
    for bits in itertools.product((False, True), repeat=len(SOURCES))
]


def _destroy(
    c: Container, want: TeardownOutcome, failing: tuple[str, ...], host: Host, verify: Any
) -> None:
    """Destroy ``c`` with ``failing`` steps broken, and check the error it returns is the one
    ``want`` says wins, wrapped as the profile wraps it."""
    if want.winner is None:
        c.destroy()
        return
    with pytest.raises(Exception) as info:
        c.destroy()
    verify(
        str(want.error_requirement),
        classify(info.value, host, c.id, want.profile) == want.winner,
        f"with {failing} failing, destroy must return the {want.winner} error "
        f"(the first in {tables.error_sources(want.profile)}); it returned: {info.value}",
    )
    if want.wrapped_requirement is not None:
        verify(
            want.wrapped_requirement,
            str(info.value).startswith(want.error_prefix),
            f"destroy's error must start with {want.error_prefix!r}: {info.value}",
        )


@pytest.mark.parametrize("failing", [_case(f) for f in COMBINATIONS])
def test_error_precedence(
    factory: Factory,
    host: Host,
    verify: Any,
    profile: str,
    failing: tuple[str, ...],
) -> None:
    # a group of the runtime's own where the host has one to give; a cell whose rdt step
    # fails needs it, and skips saying why when there is none
    rdt = own_group_fields(host, profile) if "rdt" in failing else own_group_if_any(host, profile)
    cid = host.container_id("p")
    post = host.hook_program("post", HookProgram.exit(0))
    c = factory.create(cid, config_for(cid, rdt=rdt, poststop=(post,)))
    c.run(INIT)
    broken = [host.break_teardown(step, cid, hook="post") for step in failing]
    make_init_gone(host, c)
    before = state_name(c)
    had = container_dirs(host, c)

    want = teardown_outcome(profile, failing)
    _destroy(c, want, failing, host, verify)

    left = container_dirs(host, c)
    wanted = {step: want.left_behind(step) and had[step] for step in left}
    runs = len(host.hook_runs(post))
    if want.returns_early:
        state_ok = state_name(c) == before and c.init_process is not None
        state_wanted = f"an early return keeps the state ({before}) and init"
    else:
        state_ok = state_name(c) == "stopped"
        state_wanted = "destroy ends in stopped on this path"
    verify.each(
        (
            want.left_requirement,
            left == wanted,
            f"with {failing} failing, left behind: {left} (expected {wanted})",
        ),
        (
            want.poststop_requirement,
            runs == (1 if want.poststop_runs else 0),
            f"the poststop hook must run {'once' if want.poststop_runs else 'never'};"
            f" it ran {runs} time(s)",
        ),
        (
            want.state_requirement,
            state_ok,
            f"{state_wanted}; the state is {state_name(c)}, init {c.init_process!r}",
        ),
    )
    for outsider in (b.outsider for b in broken if b.outsider is not None):
        assert host.is_alive(outsider), "destroy killed a process that is not the container's"
