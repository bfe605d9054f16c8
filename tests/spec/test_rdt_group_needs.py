"""The resctrl each profile's runtime needs before it makes a group agrees with the rules that
say so, so that the two places cannot drift apart."""

from __future__ import annotations

from harness.spec.catalog import load_catalog
from harness.spec.resource_tables import rdt_group_needs
from harness.spec.tables import PROFILES


def test_profiles_that_join_without_cat_or_mba_need_only_a_mount() -> None:
    rule = load_catalog()["CLI-RDT-CLOSID-WITHOUT-CAT-MBA"]
    mounted_is_enough = {p for p in PROFILES if rdt_group_needs(p) == ()}
    assert mounted_is_enough == set(rule.profiles), (
        f"profiles needing only a mounted resctrl {sorted(mounted_is_enough)}, the rule's "
        f"profiles {sorted(rule.profiles)}"
    )


def test_the_seed_needs_l3_cat_and_runc_1_1_either() -> None:
    # 692f6e1 validator.go:160-170; runc v1.1.5 factory_linux.go:54-61
    assert rdt_group_needs("seed") == ("L3",)
    assert set(rdt_group_needs("runc-1.1")) == {"L3", "MB"}
