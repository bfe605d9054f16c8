"""Which error destroy returns when several teardown steps fail: all 16 combinations.

Every failure is a fault of the simulated kernel, never a replaced manager:
  cgroup     a process of the harness sits in the container's cgroup (the container has a
             private PID namespace, so destroy sends no kill-all) -> rmdir EBUSY
  rdt        rmdir of the container's resctrl group fails with EBUSY, every time
  state-dir  rmdir of the container's state dir fails with EBUSY, every time
  poststop   the poststop hook exits 1
"""

from __future__ import annotations

import errno
import itertools
import os
from typing import Any

import pytest

from harness.fakes import SimProgram
from harness.hosts import SimulatedHost
from harness.scenarios._support import INIT
from harness.scenarios._support import classify_teardown_error as classify
from harness.scenarios._support import config_for
from harness.scenarios._support import container_dirs
from harness.scenarios._support import make_init_gone
from harness.scenarios._support import state_name
from harness.spec import tables

SOURCES = tables.error_sources()


def _case(failing: tuple[str, ...]) -> Any:
    winner = next((s for s in SOURCES if s in failing), None)
    reqs = ["LC-DESTROY-ALWAYS-STOPPED", "LC-DESTROY-CONTINUES-AFTER-ERROR"]
    if winner is not None:
        reqs.append(f"LC-DESTROY-FIRST-ERROR-{winner.upper()}")
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
    host: SimulatedHost,
    verify: Any,
    request: pytest.FixtureRequest,
    failing: tuple[str, ...],
) -> None:
    if "rdt" in failing:
        request.getfixturevalue("rdt")  # skips, naming what the host lacks
    cid = "p"
    failing_hook = SimProgram.exit(1, stderr="hook failed")
    program = failing_hook if "poststop" in failing else SimProgram.exit(0)
    post = host.hook_program("post", program)
    schema = host.l3_schema("f") if host.rdt_unavailable() is None else None
    c = factory.create(cid, config_for(cid, l3_schema=schema, poststop=(post,)))
    c.run(INIT)
    outsider = None
    if "cgroup" in failing:
        outsider = host.kernel.spawn_process("outsider")
        host.kernel.move_to_cgroup(outsider, "devices", f"/{cid}")
    if "rdt" in failing:
        host.kernel.faults.fail("rmdir", host.resctrl_group(cid), errno.EBUSY, count=None)
    if "state-dir" in failing:
        host.kernel.faults.fail(
            "rmdir", os.path.join(host.state_root, cid), errno.EBUSY, count=None
        )
    make_init_gone(host, c)

    if failing:
        with pytest.raises(Exception) as info:
            c.destroy()
        verify(
            f"LC-DESTROY-FIRST-ERROR-{failing[0].upper()}",
            classify(info.value, host, cid) == failing[0],
            f"with {failing} failing, destroy must return the {failing[0]} error "
            f"(the first in {SOURCES}); it returned: {info.value}",
        )
    else:
        c.destroy()

    # Every later step still happened, whatever failed before it.
    left = container_dirs(host, c)
    wanted = {source: source in failing for source in ("cgroup", "rdt", "state-dir")}
    verify(
        "LC-DESTROY-CONTINUES-AFTER-ERROR",
        {source: left[source] for source in wanted} == wanted,
        f"with {failing} failing, left behind: {left} (expected exactly the failing ones)",
    )
    verify(
        "LC-DESTROY-CONTINUES-AFTER-ERROR",
        len(host.kernel.programs.get(post).runs) == 1,
        "the poststop hook must still run, once",
    )
    verify(
        "LC-DESTROY-ALWAYS-STOPPED",
        state_name(c) == "stopped",
        f"destroy ends in stopped on every path; the state is {state_name(c)}",
    )
    if outsider is not None:
        assert host.is_alive(outsider), "destroy killed a process that is not the container's"
