"""Which error destroy returns when several teardown steps fail: all 16 combinations.

Every failure is a fault of the host's kernel, never a replaced manager:
  cgroup     a process of the harness sits in the container's cgroup (the container has a
             private PID namespace, so destroy sends no kill-all) -> rmdir EBUSY
  rdt        rmdir of the container's resctrl group fails with EBUSY, every time (pinned)
  state-dir  rmdir of the container's state dir fails with EBUSY, every time (pinned: a
             fault of the model, or a bind mount of the directory on itself on a real host)
  poststop   the poststop hook exits 1

The seed runs every step and returns the first error, always ending stopped; runc 1.2 returns
at the first failing step and then leaves the state, init, the rest and the hooks alone.  The
spec's teardown mode says which applies.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest

from harness.fakes import SimProgram
from harness.hosts import Host
from harness.scenarios._support import INIT
from harness.scenarios._support import classify_teardown_error as classify
from harness.scenarios._support import config_for
from harness.scenarios._support import container_dirs
from harness.scenarios._support import make_init_gone
from harness.scenarios._support import state_name
from harness.spec import tables

SOURCES = tables.error_sources()
STEPS = ("cgroup", "rdt", "state-dir")


def _requirements(failing: tuple[str, ...], profile: str) -> list[str]:
    """What a run of ``failing`` checks under ``profile``."""
    winner = next((s for s in tables.error_sources(profile) if s in failing), None)
    if tables.teardown_mode(profile) == "all-steps":
        reqs = ["LC-DESTROY-ALWAYS-STOPPED", "LC-DESTROY-CONTINUES-AFTER-ERROR"]
        if winner is not None:
            reqs.append(f"LC-DESTROY-FIRST-ERROR-{winner.upper()}")
        return reqs
    if winner is None:
        return []
    reqs = [tables.requirement_for(f"LC-DESTROY-FIRST-ERROR-{winner.upper()}", profile)]
    reqs.append("LC-DESTROY-ERROR-WRAPPED")
    if winner != "poststop":
        reqs += [
            tables.requirement_for("LC-DESTROY-ALWAYS-STOPPED", profile),
            tables.requirement_for("LC-DESTROY-CONTINUES-AFTER-ERROR", profile),
        ]
    return reqs


def _case(failing: tuple[str, ...]) -> Any:
    reqs = dict.fromkeys(r for p in tables.API_PROFILES for r in _requirements(failing, p))
    return pytest.param(
        failing, id="+".join(failing) or "none", marks=pytest.mark.requirement(*reqs)
    )


COMBINATIONS = [
    tuple(s for s, on in zip(SOURCES, bits, strict=True) if on)
    for bits in itertools.product((False, True), repeat=len(SOURCES))
]


@pytest.mark.parametrize("failing", [_case(f) for f in COMBINATIONS])
def test_error_precedence(
    factory: Any,
    host: Host,
    verify: Any,
    profile: str,
    request: pytest.FixtureRequest,
    failing: tuple[str, ...],
) -> None:
    if "rdt" in failing:
        request.getfixturevalue("rdt")  # skips, naming what the host lacks
    cid = host.container_id("p")
    failing_hook = SimProgram.exit(1, stderr="hook failed")
    program = failing_hook if "poststop" in failing else SimProgram.exit(0)
    post = host.hook_program("post", program)
    schema = host.l3_schema("f") if host.rdt_unavailable() is None else None
    c = factory.create(cid, config_for(cid, l3_schema=schema, poststop=(post,)))
    c.run(INIT)
    outsider = None
    if "cgroup" in failing:
        outsider = host.start_process()
        host.move_to_cgroup(outsider, host.process_hierarchy(), f"/{cid}")
    if "rdt" in failing:
        host.pin_dir(host.resctrl_group(cid))
    if "state-dir" in failing:
        host.pin_dir(os.path.join(host.state_root, cid))
    make_init_gone(host, c)
    before = state_name(c)
    had_rdt = container_dirs(host, c)["rdt"]

    sources = tables.error_sources(profile)
    winner = next((s for s in sources if s in failing), None)
    early = tables.teardown_mode(profile) == "early-return"
    if winner is not None:
        with pytest.raises(Exception) as info:
            c.destroy()
        first_error = f"LC-DESTROY-FIRST-ERROR-{winner.upper()}"
        verify(
            tables.requirement_for(first_error, profile),
            classify(info.value, host, cid, profile) == winner,
            f"with {failing} failing, destroy must return the {winner} error "
            f"(the first in {sources}); it returned: {info.value}",
        )
        if early:
            prefix = tables.destroy_error("", profile)
            verify(
                "LC-DESTROY-ERROR-WRAPPED",
                str(info.value).startswith(prefix),
                f"destroy's error must start with {prefix!r}: {info.value}",
            )
    else:
        c.destroy()

    left = container_dirs(host, c)
    runs = len(host.hook_runs(post))
    if early and winner in STEPS:
        # runc 1.2: the failing step and everything after it are left as they were.
        at = STEPS.index(winner)
        wanted = {s: STEPS.index(s) >= at and (s != "rdt" or had_rdt) for s in STEPS}
        verify.each(
            (
                tables.requirement_for("LC-DESTROY-CONTINUES-AFTER-ERROR", profile),
                runs == 0,
                f"after an early return no poststop hook may run; it ran {runs} time(s)",
            ),
            (
                tables.requirement_for("LC-DESTROY-ALWAYS-STOPPED", profile),
                state_name(c) == before and c.init_process is not None,
                f"an early return keeps the state ({before}) and init; the state is "
                f"{state_name(c)}, init {c.init_process!r}",
            ),
            (
                tables.requirement_for(f"LC-DESTROY-FIRST-ERROR-{winner.upper()}", profile),
                {s: left[s] for s in STEPS} == wanted,
                f"with {failing} failing, left behind: {left} (expected {wanted})",
            ),
        )
    else:
        # Every later step still happened, whatever failed before it.
        wanted = {source: source in failing for source in STEPS}
        requirement = (
            tables.requirement_for("LC-DESTROY-FIRST-ERROR-POSTSTOP", profile)
            if early
            else "LC-DESTROY-CONTINUES-AFTER-ERROR"
        )
        verify.each(
            (
                requirement,
                {source: left[source] for source in STEPS} == wanted,
                f"with {failing} failing, left behind: {left} (expected exactly the failing ones)",
            ),
            (requirement, runs == 1, "the poststop hook must still run, once"),
            (
                requirement if early else "LC-DESTROY-ALWAYS-STOPPED",
                state_name(c) == "stopped",
                f"destroy ends in stopped on this path; the state is {state_name(c)}",
            ),
        )
    if outsider is not None:
        assert host.is_alive(outsider), "destroy killed a process that is not the container's"
