"""cgroup v2 counts swap alone where the config, made for v1, gives memory plus swap: a swap
limit that cannot be turned into memory.swap.max fails Set before it writes anything.  The
texts come from ``harness/spec/resources.toml``."""

from __future__ import annotations

from typing import Any

import pytest

from harness.scenarios._support.cgroup_hosts import V2
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import control_value
from harness.scenarios._support.cgroup_hosts import limit_file
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.machines import OnHost
from harness.spec import tables

_MIB = 1 << 20
#: what the container is made with: memory, and memory+swap above it
_MADE = (64 * _MIB, 128 * _MIB)
#: (memory, memory+swap) Set is given, and the message (and its fields) it must fail with
_REFUSED = (
    (0, 256 * _MIB, "v2_swap_without_memory", {}),
    (-1, 256 * _MIB, "v2_swap_without_memory", {}),
    (-2, 256 * _MIB, "v2_swap_invalid_memory", {"memory": -2}),
    (256 * _MIB, 128 * _MIB, "v2_swap_below_memory", {}),
)


@V2
@pytest.mark.requirement("CG-V2-SWAP-REFUSED")
def test_v2_swap_limits_runc_cannot_convert(on_host: OnHost, verify: Any) -> None:
    rule = "CG-V2-SWAP-REFUSED"
    with boot(on_host, "v2") as (host, factory):
        path = host.cgroup_path("swref")
        memory, swap = _MADE
        made = cgroup_config(path, memory_limit=memory, memory_swap=swap)
        c = factory.create(host.container_id("swref"), made)
        c.run(INIT)
        files = [limit_file(host, "v2", path, name) for name in ("memory_limit", "memory_swap")]
        before = [control_value(file) for file in files]
        for memory, swap, key, fields in _REFUSED:
            asked = cgroup_config(path, memory_limit=memory, memory_swap=swap)
            got = error_of(lambda: c.set(asked))  # noqa: B023 - called at once
            want = tables.resource_message(key, **fields)
            verify(rule, got == want, f"Set of memory {memory}, swap {swap}: {got!r}")
            after = [control_value(file) for file in files]
            verify(rule, after == before, f"a refused swap changed the group: {after}")
