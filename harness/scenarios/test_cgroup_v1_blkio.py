"""Set of a blkio weight on cgroup v1, in a group without CFQ's blkio.weight, as every kernel
since Linux 5.0 makes them (BFQ gives blkio.bfq.weight): which file each profile writes, from
``harness/spec/resources.toml``, and what the kernel then does with it."""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import control_value
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.machines import OnHost
from harness.spec import tables

_WEIGHT = 500
#: CFQ's weight file, which the simulated kernel, like Linux 5.0 and later, does not have
_CFQ_WEIGHT = "blkio.weight"


@pytest.mark.requirement("CG-SET-BLKIO-WEIGHT-FILE")
def test_v1_blkio_weight_without_cfq(on_host: OnHost, profile: str, verify: Any) -> None:
    rule = "CG-SET-BLKIO-WEIGHT-FILE"
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("bfqw")
        c = factory.create(host.container_id("bfqw"), cgroup_config(path))
        c.run(INIT)
        group = host.cgroup_dir("blkio", path)
        assert not os.path.exists(os.path.join(group, _CFQ_WEIGHT)), "this host has CFQ"
        name = tables.blkio_weight_file_without_cfq(profile)
        got = error_of(lambda: c.set(cgroup_config(path, blkio_weight=_WEIGHT)))
        target = os.path.join(group, name)
        if os.path.exists(target):
            verify(rule, got == "no error", f"Set of blkio weight {_WEIGHT} failed: {got!r}")
            value = control_value(target)
            verify(rule, value == str(_WEIGHT), f"{name} reads {value!r}, not {_WEIGHT}")
        else:
            verify(rule, name in got, f"Set must fail on {name}, which the group lacks: {got!r}")
