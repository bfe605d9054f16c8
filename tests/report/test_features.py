"""Host features: the same names from a simulated preset and from a real host's probe."""

from __future__ import annotations

import pytest

from harness.fakes import presets
from harness.report.features import FEATURES
from harness.report.features import feature_wording
from harness.report.features import host_features


@pytest.mark.parametrize(
    ("preset", "present", "absent"),
    [
        ("v1-cat", {"cgroup-v1", "resctrl", "cat-l3"}, {"cdp", "mba", "no-rdt"}),
        # mounted with cdp: L3CODE and L3DATA, no L3 (as a real probe of info/ finds)
        ("xeon-cdp", {"cdp", "cdp-capable", "resctrl"}, {"mba", "cat-l3"}),
        ("xeon-2s-cat-mba", {"mba", "monitoring", "cdp-capable"}, {"cdp"}),
        ("hybrid-no-rdt", {"cgroup-hybrid", "no-rdt"}, {"resctrl", "cat-l3"}),
        ("rdt-unmounted", {"resctrl-unmounted", "cat-l3"}, {"resctrl"}),
        ("v2-cat", {"cgroup-v2"}, {"cgroup-v1"}),
        ("kernel-4x", {"kernel-4.x"}, set()),
        ("sapphire-rapids-l2", {"cat-l2", "cat-l3", "mba", "cgroup-v2"}, {"cdp"}),
        ("ice-lake-cdp", {"cdp", "cdp-capable", "mba"}, {"cat-l2", "cat-l3"}),
        ("epyc-milan-mba", {"mba", "cdp-capable", "monitoring"}, {"cdp", "cat-l2"}),
    ],
)
def test_a_preset_has_the_features_of_its_machine(
    preset: str, present: set[str], absent: set[str]
) -> None:
    found = host_features(presets.describe(preset))
    assert present <= set(found), found
    assert not absent & set(found), found
    assert list(found) == sorted(found)


def test_every_preset_yields_only_documented_features() -> None:
    for name in presets.PRESETS:
        assert set(host_features(presets.describe(name))) <= set(FEATURES), name


REAL_CDP = {
    "kernel": "6.1.0",
    "cgroup_mode": "v2",
    "resctrl": "mounted at /sys/fs/resctrl",
    "resctrl_mounted": True,
    "resctrl_features": ["L3CODE", "L3DATA", "L3_MON", "MB"],
    "cpu_rdt_flags": ["rdt_a", "cat_l3", "cdp_l3", "mba", "cqm"],
}


def test_a_real_cdp_host_reads_like_the_simulated_one() -> None:
    found = set(host_features(REAL_CDP))
    assert found == {"cgroup-v2", "resctrl", "cdp", "cdp-capable", "mba", "monitoring"}
    assert {"cdp", "cdp-capable", "resctrl"} <= set(host_features(presets.describe("xeon-cdp")))


@pytest.mark.parametrize(
    ("probe", "expected"),
    [
        ({"cgroup_mode": "hybrid", "resctrl": "no resctrl: ...", "resctrl_mounted": False,
          "cpu_rdt_flags": []},
         {"cgroup-hybrid", "no-rdt"}),
        ({"cgroup_mode": "v1", "resctrl": "no resctrl: not mounted", "resctrl_mounted": False,
          "cpu_rdt_flags": ["cat_l3"]},
         {"cgroup-v1", "resctrl-unmounted", "cat-l3"}),
        # the sentence is for people: only the typed key says resctrl is mounted
        ({"cgroup_mode": "v2", "resctrl": "mounted at /sys/fs/resctrl", "cpu_rdt_flags": []},
         {"cgroup-v2", "no-rdt"}),
        ({}, set()),
    ],
)  # fmt: skip
def test_a_real_probe_without_resctrl(probe: dict[str, object], expected: set[str]) -> None:
    assert set(host_features(probe)) == expected


@pytest.mark.parametrize(
    ("feature", "present", "words"),
    [
        ("cdp", True, "with cdp"),
        ("mba", False, "without mba"),
        ("no-rdt", True, "without RDT"),
        ("no-rdt", False, "with RDT"),
        ("resctrl-unmounted", True, "with RDT but resctrl unmounted"),
        ("resctrl-unmounted", False, "with resctrl mounted or without RDT"),
    ],
)
def test_features_are_worded_for_a_sentence(feature: str, present: bool, words: str) -> None:
    assert feature_wording(feature, present) == words


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_no_feature_is_worded_as_a_double_negative(feature: str) -> None:
    for present in (True, False):
        words = feature_wording(feature, present)
        assert "no-rdt" not in words and "resctrl-unmounted" not in words, words
