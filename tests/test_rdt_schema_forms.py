"""The schema forms of harness/scenarios/_support/rdt_schema.py, checked on the kernel model:
which form each profile gets on the machines that tell them apart, and on every preset with a
mounted resctrl that each form's values are taken and read back as the form expects, and its
invalid value refused with EINVAL and a status the form knows."""

from __future__ import annotations

import errno
import os

import pytest

from harness.fakes.presets import PRESETS
from harness.hosts import simulated_host
from harness.hosts.base import RESCTRL
from harness.scenarios._support.rdt_schema import schema_form_or_reason

MOUNTED = [
    name for name, (_, topology) in PRESETS.items()
    if topology.resctrl_is_mounted and topology.resctrl is not None
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "seed", "runc"),
    [
        ("v1-cat", "L3", "L3"),
        ("sapphire-rapids-l2", "L3", "L3"),
        # cdp: the seed asks only for the cat_l3 flag (692f6e1 intelrdt.go:371-392); runc
        # refuses l3CacheSchema without info/L3 and has memBwSchema where MBA is
        ("xeon-cdp", "L3CDP", None),
        ("ice-lake-cdp", "L3CDP", "MB"),
    ],
)
def test_each_profile_gets_the_form_its_runtime_writes(
    name: str, seed: str, runc: str | None
) -> None:
    with simulated_host(name) as host:
        found = {profile: schema_form_or_reason(host, profile) for profile in ("seed", "runc-1.2")}
    assert found["seed"][0] is not None and found["seed"][0].name == seed, found["seed"]
    form, reason = found["runc-1.2"]
    if runc is None:
        assert form is None, form
        assert "l3CacheSchema need info/L3" in reason and "memBwSchema need" in reason, reason
    else:
        assert form is not None and form.name == runc, reason


@pytest.mark.parametrize("profile", ["seed", "runc-1.2"])
@pytest.mark.parametrize("name", MOUNTED)
def test_the_kernel_takes_each_form_and_refuses_its_invalid_value(name: str, profile: str) -> None:
    with simulated_host(name) as host:
        form, reason = schema_form_or_reason(host, profile)
        if form is None:  # cdp without MBA under runc: the test above holds it to that
            assert (name, profile) == ("xeon-cdp", "runc-1.2"), reason
            return
        group = host.container_id("form")
        os.mkdir(os.path.join(RESCTRL, group))
        path = os.path.join(RESCTRL, group, "schemata")
        for levels in (("a",), ("b",), ("d", "c")):
            with open(path, "w", encoding="ascii") as f:
                f.write(form.schema(*levels) + "\n")
            assert form.shown(group) == form.want(*levels), levels
        with pytest.raises(OSError) as info, open(path, "w", encoding="ascii") as f:
            f.write(form.invalid() + "\n")
        assert info.value.errno == errno.EINVAL
        with open(os.path.join(RESCTRL, "info", "last_cmd_status"), encoding="ascii") as f:
            assert f.read().strip() in form.refusals()
        assert form.shown(group) == form.want("d", "c"), "a refused write changed the group"
