"""``rtgate doctor --capture`` read through the simulated kernel of every shipped preset gives
that preset back: the capture reads the (fake) files the way it reads a real host's."""

from __future__ import annotations

import os

import pytest

from harness.fakes.preset_file import dump_preset
from harness.fakes.preset_file import parse_preset
from harness.fakes.presets import PRESETS
from harness.fakes.presets import describe
from harness.fakes.presets import register_file
from harness.fakes.topology import Topology
from harness.hosts import simulated_host
from harness.hosts.capture import capture_preset
from harness.hosts.machines import SUITE_MACHINES


def captured(machine: str, name: str, summary: str) -> str:
    """The preset file text captured on the simulated host ``machine``."""
    with simulated_host(machine):
        preset, notes = capture_preset(name, summary)
    return dump_preset(preset, notes)


@pytest.mark.parametrize("name", list(PRESETS))
def test_capturing_a_preset_gives_it_back(name: str) -> None:
    summary, topology = PRESETS[name]
    shipped = describe(name)
    back = parse_preset(captured(name, name, summary))
    assert back.topology == topology
    # the report's whole description of the host, once the file's machine stands for the name
    register_file(back)
    assert describe(name) == shipped


#: what a capture reads, and what a booted host shows of it beyond the sysfs trees
_PROC_FILES = ("/proc/cpuinfo", "/proc/self/mountinfo", "/proc/sys/kernel/osrelease")


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError as err:  # a write-only control file: what reading it answers
        return f"<{os.strerror(err.errno or 0)}>"


def booted_tree(machine: Topology | str) -> dict[str, str]:
    """Every file a freshly booted simulated host shows under /sys/fs (resctrl's info/,
    schemata and size, every cgroup root's files) and the /proc files, path -> contents."""
    with simulated_host(machine):
        paths = [
            os.path.join(where, name)
            for where, _, names in os.walk("/sys/fs")
            for name in names
        ]  # fmt: skip
        return {path: _read(path) for path in sorted([*paths, *_PROC_FILES])}


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_captured_preset_boots_the_same_files(name: str) -> None:
    """The topology compared above could keep a field the boot ignores; this compares what a
    runtime sees, so a file read differently by capture shows up by path."""
    shipped = booted_tree(name)
    back = booted_tree(parse_preset(captured(name, "m", "s")).topology)
    assert {p: v for p, v in back.items() if shipped.get(p) != v} == {}
    assert back.keys() == shipped.keys()
    # the comparison covers what the capture reads, not an empty tree
    topology = PRESETS[name][1]
    assert "cat_l3" in shipped["/proc/cpuinfo"] or topology.resctrl is None
    assert ("/sys/fs/resctrl/schemata" in shipped) == topology.resctrl_is_mounted
    assert any("cgroup.procs" in path for path in shipped)


@pytest.mark.parametrize("machine", ["mba-disabled", "v2-cgroupns", "v1-no-swap"])
def test_capturing_suite_machines_keeps_their_quirks(machine: str) -> None:
    assert parse_preset(captured(machine, "m", "s")).topology == SUITE_MACHINES[machine]


def test_a_captured_file_says_what_it_could_not_read() -> None:
    text = captured("rdt-unmounted", "m", "s")
    assert "# resctrl is not mounted: only the CPU flags were read" in text
    assert "resctrl_mounted = false" in text
    text = captured("no-rdt", "m", "s")
    assert "# no RDT: /proc/cpuinfo has no cat_l3 flag" in text
    assert "resctrl = false" in text
    assert "# not captured: the groups that exist now" in text
    assert parse_preset(text).source.startswith("rtgate doctor --capture on ")


def test_a_capture_sees_groups_defaults_not_their_changes() -> None:
    with simulated_host("sapphire-rapids-l2"):
        with open("/sys/fs/resctrl/schemata", "w", encoding="ascii") as file:
            file.write("L2:0=f\n")
        preset, _ = capture_preset("m", "s")
    rdt = preset.topology.resctrl
    assert rdt is not None and rdt.l2 is not None
    # the size of a 4-bit mask still tells the whole 2 MiB L2
    assert rdt.l2.cache_bytes == 2 * 1024 * 1024 and rdt.l2.cache_ids == tuple(range(48))
