"""What each profile's runtime needs before it makes a group agrees with the rules that say
so, so that the two places cannot drift apart."""

from __future__ import annotations

from harness.spec.catalog import load_catalog
from harness.spec.resource_tables import rdt_group_without_schema
from harness.spec.resource_tables import rdt_schema_forms
from harness.spec.tables import PROFILES


def test_profiles_that_join_without_cat_or_mba_need_only_a_mount() -> None:
    rule = load_catalog()["CLI-RDT-CLOSID-WITHOUT-CAT-MBA"]
    mounted_is_enough = {p for p in PROFILES if rdt_group_without_schema(p)}
    assert mounted_is_enough == set(rule.profiles), (
        f"profiles needing only a mounted resctrl {sorted(mounted_is_enough)}, the rule's "
        f"profiles {sorted(rule.profiles)}"
    )


def test_only_the_seed_writes_l3_lines_of_cdp_and_it_knows_no_mb() -> None:
    # 692f6e1 intelrdt.go:371-392 and configs/intelrdt.go; runc v1.1.5 validator.go:236-241
    assert rdt_schema_forms("seed") == ("L3", "L3CDP")
    for profile in set(PROFILES) - {"seed"}:
        assert rdt_schema_forms(profile) == ("L3", "MB"), profile
