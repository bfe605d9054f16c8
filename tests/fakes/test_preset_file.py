"""Preset files (harness/fakes/preset_file.py): TOML that maps 1:1 onto Topology, and every way
a hand-edited file can be wrong ends in one InputFileError line naming the file."""

from __future__ import annotations

import pytest

from harness.errors import InputFileError
from harness.fakes.preset_file import PresetFile
from harness.fakes.preset_file import dump_preset
from harness.fakes.preset_file import parse_preset
from harness.fakes.presets import PRESETS
from harness.fakes.topology import AMD_MAX_MBA_BW
from harness.fakes.topology import CacheTopology
from harness.fakes.topology import Topology


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_shipped_preset_survives_dump_and_parse(name: str) -> None:
    summary, topology = PRESETS[name]
    text = dump_preset(PresetFile(name, summary, "a test", topology), ["a note"])
    assert "# a note\n" in text
    back = parse_preset(text, "x.toml")
    assert back == PresetFile(name, summary, "a test", topology)


def test_a_short_file_takes_the_defaults_and_false_means_none() -> None:
    text = 'name = "lab"\n[topology]\nresctrl = false\nnum_cpus = 4\n'
    assert parse_preset(text).topology == Topology(resctrl=None, num_cpus=4)
    text = (
        'name = "lab"\n[topology.resctrl]\ncbm_mask = 0xfff\nmonitoring = false\n'
        "[topology.resctrl.l2]\ncbm_mask = 0xffff\ncache_ids = [0, 1, 2]\n"
        '[topology.resctrl.mba]\nvendor = "amd"\nmin_bandwidth = 0\n'
    )
    rdt = parse_preset(text).topology.resctrl
    assert rdt is not None and rdt.cbm_mask == 0xFFF
    assert rdt.l2 == CacheTopology(cbm_mask=0xFFFF, cache_ids=(0, 1, 2))
    assert rdt.mba is not None and rdt.mba.max_bw == AMD_MAX_MBA_BW


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[topology\n", "x.toml: not TOML: "),
        ('[topology]\nnum_cpus = 2\n', "x.toml: 'name' must be a non-empty string (got '')"),
        ('name = "a"\nsize = 1\n[topology]\n', "x.toml: unknown key 'size' in the top level"),
        ('name = "a"\n', "x.toml: [topology] is missing"),
        ('name = "a"\n[topology]\nnum_cpu = 2\n', "x.toml: unknown key 'num_cpu' in [topology]"),
        ('name = "a"\n[topology]\nnum_cpus = "2"\n',
         "x.toml: topology.num_cpus: must be int (got '2')"),
        ('name = "a"\n[topology]\nnum_cpus = true\n',
         "x.toml: topology.num_cpus: must be int (got True)"),
        ('name = "a"\n[topology]\ncgroup_mode = "v3"\n',
         "x.toml: topology.cgroup_mode: must be one of ('v1', 'hybrid', 'v2') (got 'v3')"),
        ('name = "a"\n[topology]\nresctrl = 1\n',
         "x.toml: topology.resctrl: must be a table, or false for none (got 1)"),
        ('name = "a"\n[topology.resctrl.mba]\nvendor = "via"\n',
         "x.toml: topology.resctrl.mba.vendor: must be one of ('intel', 'amd') (got 'via')"),
        ('name = "a"\n[topology]\nnum_cpus = 0\n',
         "x.toml: impossible machine: num_cpus: must be at least 1 (got 0)"),
        ('name = "a"\n[topology.resctrl]\ncbm_mask = 0x7f0\n',
         "x.toml: impossible machine: resctrl.cbm_mask: must be contiguous 1-bits from bit 0"),
        ('name = "a"\n[topology.resctrl.l2]\ncache_ids = [3, 1]\nshareable_bits = 0x100\n',
         "x.toml: impossible machine: resctrl.l2.shareable_bits: must lie inside cbm_mask; "
         "resctrl.l2.cache_ids: must be distinct, ascending, non-negative ids"),
        ('name = "a"\n[topology.resctrl.mba]\nmba_MBps = true\n',
         "x.toml: impossible machine: resctrl.mba.mba_MBps: needs linear delay and"),
        ('name = "a"\n[topology.resctrl.mba]\nvendor = "amd"\nmin_bandwidth = 4000\n',
         "x.toml: impossible machine: resctrl.mba.min_bandwidth: must be 0..2048"),
    ],
)  # fmt: skip
def test_a_bad_file_is_one_line_naming_it(text: str, message: str) -> None:
    with pytest.raises(InputFileError) as exc:
        parse_preset(text, "x.toml")
    assert str(exc.value).startswith(message)
    assert "\n" not in str(exc.value)
