"""cgroup v2's ``unified`` map, key by key, where Set cannot write a key: which words explain
it (the key's form, its controller, or the write's own error).  The texts come from
``harness/spec/resources.toml``; the group keeps the limits it had."""

from __future__ import annotations

import dataclasses
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
from harness.spec import tables

_PIDS = 40
#: a key Set cannot write, and the message (with its fields) that must begin its error; a
#: message ending in ": " is followed by the write's own error
_REFUSED = (
    ("pids/pids.max", "unified_slash", {}),
    ("nodot", "unified_form", {}),
    ("nosuch.max", "unified_no_controller", {"controller": "nosuch"}),
    ("pids.nosuch", "unified_failed", {}),
    ("cgroup.nosuch", "unified_failed", {}),
)


@V2
@pytest.mark.requirement("CG-V2-UNIFIED-REFUSED")
def test_v2_unified_keys_set_cannot_write(on_host: OnHost, verify: Any) -> None:
    rule = "CG-V2-UNIFIED-REFUSED"
    with boot(on_host, "v2") as (host, factory):
        path = host.cgroup_path("unref")
        c = factory.create(host.container_id("unref"), cgroup_config(path, pids_limit=_PIDS))
        c.run(INIT)
        pids = limit_file(host, "v2", path, "pids_limit")
        config = cgroup_config(path, pids_limit=_PIDS)
        for key, message, fields in _REFUSED:
            cgroups = dataclasses.replace(config.cgroups, unified={key: "1"})
            got = error_of(partial(c.set, dataclasses.replace(config, cgroups=cgroups)))
            want = tables.resource_message(message, name=key, **fields)
            exact = not want.endswith(": ")
            said = got == want if exact else got.startswith(want) and len(got) > len(want)
            verify(rule, said, f"unified {{{key!r}: '1'}}: {got!r}, not {want!r}")
        kept = control_value(pids)
        verify(rule, kept == str(_PIDS), f"pids.max reads {kept} after the refused Sets")
