"""Profiles follow their sources: each rule records the release that brought it (``since``),
and a profile holds no rule of a release later than the one it stands for."""

from __future__ import annotations

import json

import pytest

from harness.spec import tables
from harness.spec.catalog import load_catalog
from harness.spec.catalog import release_key
from harness.spec.catalog import since_releases


def test_release_order() -> None:
    ordered = ["runc v1.0.0-rc4", "runc 692f6e1", "runc v1.0.0-rc5", "runc v1.0.0", "runc v1.1.0"]
    assert sorted(ordered, key=release_key) == ordered
    assert release_key("runc v1.2.0") > release_key("runc v1.1.5")
    with pytest.raises(ValueError, match="not a release"):
        release_key("runc 1.2")


@pytest.mark.parametrize("profile", tables.PROFILES)
def test_a_profile_holds_no_rule_of_a_later_release(profile: str) -> None:
    """Each rule of ``profile`` names a release of the profile's project, no later than the
    one the profile stands for (the seed: runc 692f6e1; runtime-spec: v1.3.0, whose rules of
    fields after v1.0.2 hold only runtimes that announce them)."""
    project, mine = release_key(tables.release(profile))
    for requirement in load_catalog().for_profile(profile):
        theirs = since_releases(requirement).get(project)
        assert theirs is not None, f"{requirement.id} names no {project} release"
        assert theirs <= mine, f"{requirement.id} came in {requirement.since}, after {profile}"


def test_the_seed_holds_no_feature_runc_brought_later() -> None:
    """692f6e1 has cgroup v1 and L3 CAT only: no closID, MBA, last_cmd_status, monitoring,
    createRuntime hooks or cgroup v2 (the audit's discrepancies 6 and 7)."""
    seed = {r.id for r in load_catalog().for_profile("seed")}
    later = {
        "RDT-CLOSID-GROUP", "RDT-CLOSID-PRECREATED", "RDT-CLOSID-NOT-REMOVED",
        "RDT-CLOSID-INVALID", "RDT-CLOSID-EXHAUSTED", "CLI-RDT-CLOSID-KEPT",
        "RDT-SCHEMATA-ONLY-WHEN-GIVEN", "RDT-SET-MBA", "RDT-SET-COMBINED", "RDT-MBA-NOT-ENABLED",
        "RDT-CAT-NOT-ENABLED", "RDT-ERROR-LAST-CMD", "RDT-MONITORING", "CG-V2-APPLY",
        "CG-V2-ENABLE-CONTROLLERS", "CG-V2-FREEZE", "CG-V2-DESTROY", "CG-SELECT-BY-MOUNTINFO",
        "CLI-CREATE-RUNS-CREATERUNTIME", "CLI-CREATE-CREATERUNTIME-FAILS",
    }  # fmt: skip
    assert seed & later == set()
    assert {"CG-HYBRID-V1-ONLY", "RDT-APPLY", "CLI-RDT-GROUP"} <= seed


def test_a_rule_of_no_profile_is_later_than_every_profile() -> None:
    """Monitoring groups came with runc v1.4.0: no profile stands for that release yet."""
    catalog = load_catalog()
    orphans = [r for r in catalog.values() if not r.profiles]
    assert "RDT-MONITORING" in {r.id for r in orphans}
    for requirement in orphans:
        for project, version in since_releases(requirement).items():
            for profile in tables.PROFILES:
                other, theirs = release_key(tables.release(profile))
                assert other != project or version > theirs, (requirement.id, profile)


def test_runc_1_1_holds_the_command_line_of_runc_1_1_5() -> None:
    catalog = load_catalog()
    held = {r.id for r in catalog.for_profile("runc-1.1")}
    assert {r.scope for r in catalog.for_profile("runc-1.1")} == {"cli"}
    assert {"CLI-CREATE-RUNS-CREATERUNTIME", "CLI-RDT-CLOSID-KEPT", "CLI-KILL-PAUSED-THAWS",
            "CLI-DELETE-BUSY-CGROUP-LOGGED", "CLI-DELETE-STATE-DIR-LOGGED"} <= held  # fmt: skip
    assert {"CLI-KILL-PAUSED", "CLI-DELETE-BUSY-CGROUP-REPORTED",
            "CLI-RDT-UNSUPPORTED-NO-SCHEMA"} & held == set()  # fmt: skip
    assert "RDT-MONITORING" not in {r.id for r in catalog.for_profile("runc-1.2")}


def test_runtime_spec_rules_cite_where_exit_codes_come_from() -> None:
    """runtime.md:79 leaves open how an error reaches the user; the exit codes are
    runtime-tools' command-line-interface.md.  Prestart runs after start is called
    (config.md:422), so a failing prestart hook need not fail create."""
    rules = load_catalog().for_profile("runtime-spec")
    assert "CLI-CREATE-PRESTART-FAILS" not in {r.id for r in rules}
    missing = [r.id for r in rules if "command-line-interface.md:" not in r.source]
    assert missing == []


def test_every_level_below_must_is_quoted_from_its_source() -> None:
    """A SHOULD or a MAY is the source's word, not ours: the source text says it."""
    for requirement in load_catalog().values():
        if requirement.level in ("SHOULD", "SHOULD NOT", "MAY"):
            assert requirement.level in requirement.source, requirement.id


@pytest.mark.parametrize("profile", tables.PROFILES)
def test_requirements_command_lists_exactly_the_profile(
    profile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cli import main

    assert main(["requirements", "--profile", profile, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    wanted = {r.id for r in load_catalog().values() if profile in r.profiles}
    assert {r["id"] for r in listed} == wanted
    assert all(r["since"] for r in listed)


def test_a_seed_run_refuses_a_cgroup_v2_preset(capsys: pytest.CaptureFixture[str]) -> None:
    """The seed knows cgroup v1 only: a simulated v2-only host is a usage error for it."""
    from harness.cli import main

    assert main(["run", "--quick", "--profile", "seed", "--preset", "v2-cat"]) == 2
    err = capsys.readouterr().err
    assert "'--preset' must be a cgroup v1 or hybrid host for profile 'seed'" in err
    assert "runc v1.0.0-rc9" in err
