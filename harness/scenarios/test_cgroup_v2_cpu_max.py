"""cgroup v2 keeps the cfs quota and period in one file, cpu.max: what Set writes there for
each way a config gives them (``harness.spec``'s ``cpu_max``), and that a quota the kernel
refuses is written as given, not turned into "max"."""

from __future__ import annotations

import errno
import os
from functools import partial
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
from harness.spec.limit_tables import cpu_max as cpu_max_of

#: (quota, period) as a config gives them (0: not given), each Set in turn
_GIVEN = ((25_000, 0), (-1, 50_000), (0, 40_000), (30_000, 60_000))
#: a quota below the kernel's 1000 us minimum
_TOO_SMALL = 1


@V2
@pytest.mark.requirement("CG-V2-SET-CPU-MAX")
def test_v2_cpu_max_for_each_way_of_giving_quota_and_period(on_host: OnHost, verify: Any) -> None:
    rule = "CG-V2-SET-CPU-MAX"
    with boot(on_host, "v2") as (host, factory):
        path = host.cgroup_path("cpumax")
        c = factory.create(host.container_id("cpumax"), cgroup_config(path))
        c.run(INIT)
        cpu_max = limit_file(host, "v2", path, "cpu_max")
        for quota, period in _GIVEN:
            asked = cgroup_config(path, cpu_quota=quota, cpu_period=period)
            got = error_of(partial(c.set, asked))
            want = cpu_max_of(quota, period)
            value = control_value(cpu_max)
            shown = got == "no error" and value == want
            verify(rule, shown, f"quota {quota}, period {period}: {got!r}, cpu.max {value!r}")
        before = control_value(cpu_max)
        got = error_of(partial(c.set, cgroup_config(path, cpu_quota=_TOO_SMALL)))
        einval = os.strerror(errno.EINVAL).lower()
        verify(rule, einval in got.lower(), f"quota {_TOO_SMALL} must be refused: {got!r}")
        after = control_value(cpu_max)
        verify(rule, after == before, f"cpu.max reads {after!r} after the refusal, not {before!r}")
