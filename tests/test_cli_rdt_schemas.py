"""The schemata helpers of harness/scenarios/test_cli_rdt.py, checked on the simulated kernel.

On a real host they only run on users' RDT nodes, never on the machine rtgate is developed on,
so what they assume of resctrl (Documentation/arch/x86/resctrl.rst: ``cbm_mask``,
``min_cbm_bits``, ``bit_usage``, one newline-ended line per schemata write, padded read-back) is
checked here against the kernel model, on every preset with L3 CAT and every kernel era.
"""

from __future__ import annotations

import errno
import os

import pytest

from harness.fakes.presets import PRESETS
from harness.hosts import simulated_host
from harness.hosts.base import RESCTRL
from harness.scenarios._support.machines import Needs
from harness.scenarios._support.rdt_cli import cat_unmounted
from harness.scenarios._support.rdt_cli import free_closids
from harness.scenarios._support.rdt_cli import group_masks
from harness.scenarios._support.rdt_cli import invalid_schema
from harness.scenarios._support.rdt_cli import l3_masks
from harness.scenarios._support.rdt_cli import make_group
from harness.scenarios._support.rdt_cli import no_rdt_cpu
from harness.scenarios._support.rdt_cli import rdt_usable
from harness.scenarios._support.rdt_cli import valid_schema

CAT_PRESETS = [
    name for name, (_, topology) in PRESETS.items()
    if topology.resctrl_is_mounted and topology.resctrl is not None and not topology.resctrl.cdp
]  # fmt: skip


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def test_l3_masks_compares_by_value() -> None:
    shown = "    MB:0=  100;1=   50\n    L3:0=0000f;1=7f0\n"
    assert l3_masks(shown) == {0: 0xF, 1: 0x7F0}
    assert l3_masks("L3:0=3;1=c;") == {0: 3, 1: 0xC}
    assert l3_masks("MB:0=100\n") == {}


@pytest.mark.parametrize("name", CAT_PRESETS)
def test_valid_schema_is_accepted_as_written(name: str) -> None:
    with simulated_host(name) as host:
        assert rdt_usable(host) is None
        schema = valid_schema(host)
        masks = l3_masks(schema)
        assert sorted(masks) == host.l3_domains()
        assert all(mask != 0 for mask in masks.values())
        group = make_group(host, "ok", schema)
        assert group_masks(group) == masks


def test_valid_schema_keeps_clear_of_an_exclusive_group() -> None:
    with simulated_host("v1-cat") as host:
        # as the kernel document's example 4: shrink the default group, then go exclusive
        _write(os.path.join(RESCTRL, "schemata"), "L3:0=7f0;1=7f0\n")
        make_group(host, "excl", "L3:0=f;1=f")
        _write(os.path.join(RESCTRL, "excl", "mode"), "exclusive\n")
        schema = valid_schema(host)
        assert all(mask & 0xF == 0 for mask in l3_masks(schema).values()), schema
        assert group_masks(make_group(host, "beside", schema)) == l3_masks(schema)


@pytest.mark.parametrize("kind", ["out-of-range", "non-hex"])
@pytest.mark.parametrize("name", CAT_PRESETS)
def test_invalid_schema_is_refused_by_the_kernel(name: str, kind: str) -> None:
    with simulated_host(name) as host:
        os.mkdir(host.resctrl_group("bad"))
        before = group_masks("bad")
        with pytest.raises(OSError) as info:
            _write(os.path.join(RESCTRL, "bad", "schemata"), invalid_schema(host, kind) + "\n")
        assert info.value.errno == errno.EINVAL
        assert group_masks("bad") == before


@pytest.mark.parametrize(
    ("machine", "fits", "misfits"),
    [("hybrid-no-rdt", no_rdt_cpu, cat_unmounted), ("rdt-unmounted", cat_unmounted, no_rdt_cpu)],
)
def test_machines_without_resctrl_are_told_apart(machine: str, fits: Needs, misfits: Needs) -> None:
    with simulated_host(machine) as host:
        assert fits(host) is None
        assert "cat_l3" in str(misfits(host))
        assert rdt_usable(host) is not None
    with simulated_host("v1-cat") as host:
        assert fits(host) is not None, "a host with resctrl mounted fits neither"
        assert misfits(host) is not None


def test_a_host_without_a_free_closid_is_not_usable() -> None:
    with simulated_host("small-closids") as host:  # 4 CLOSIDs, one the default group's
        assert free_closids() == (3, 0)
        for name in ("a", "b", "c"):
            os.mkdir(host.resctrl_group(name))
        assert free_closids() == (0, 3)
        assert "no free CLOSID" in str(rdt_usable(host))
        with pytest.raises(OSError) as info:
            os.mkdir(host.resctrl_group("d"))
        assert info.value.errno == errno.ENOSPC, "the kernel agrees: out of CLOSIDs"


def test_free_closids_counts_the_scarcest_resource() -> None:
    with simulated_host("xeon-2s-cat-mba") as host:  # L3 has 16 CLOSIDs, MB 8
        assert rdt_usable(host) is None
        assert free_closids() == (7, 0)
