"""The spec's profiles agree with each other: the catalog, the lifecycle tables' overrides and
the requirement counterparts of ``lifecycle.toml``."""

from __future__ import annotations

import pytest

from harness.errors import SpecError
from harness.spec import cli_tables
from harness.spec import tables
from harness.spec.catalog import load_catalog


def test_catalog_and_tables_know_the_same_profiles() -> None:
    assert load_catalog().profiles == set(tables.PROFILES)


@pytest.mark.parametrize("profile", [p for p in tables.PROFILES if p != tables.DEFAULT_PROFILE])
def test_counterparts_replace_a_seed_rule_with_one_of_the_profile(profile: str) -> None:
    catalog = load_catalog()
    for seed_id in catalog:
        other = tables.requirement_for(seed_id, profile)
        if other == seed_id:
            continue
        assert catalog[seed_id].profiles == ("seed",), f"{seed_id} still holds in {profile}"
        assert other in catalog, f"{other} (the {profile} counterpart of {seed_id}) is no id"
        assert profile in catalog[other].profiles, f"{other} is not a rule of {profile}"
        assert "seed" not in catalog[other].profiles, f"{other} is the seed's too"


def test_profile_overrides_only_what_differs() -> None:
    seed = tables.lifecycle("seed")
    later = tables.lifecycle("runc-1.2")
    assert later["transitions"] == seed["transitions"], "runc 1.2 keeps the transition table"
    assert tables.destroy_expectation("running", True, "runc-1.2") == tables.ErrorCell(
        "destroy_still_running"
    )
    assert tables.destroy_expectation("running", False, "runc-1.2") == "destroy"
    assert tables.message("still_running", "runc-1.2") == tables.message("still_running")


def test_teardown_errors_by_profile() -> None:
    assert tables.teardown_error("cgroup", "E") == "E"
    assert tables.teardown_error("poststop", "E", "runc-1.2", index=3) == (
        "unable to destroy container: error running poststop hook #3: E"
    )


def test_an_unknown_profile_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="'profile' must be one of"):
        tables.lifecycle("runc-0.1")


def test_requirements_command_lists_the_runc_1_2_profile(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from harness.cli import main

    assert main(["requirements", "--profile", "runc-1.2"]) == 0
    out = capsys.readouterr().out
    assert "LC-DESTROY-EARLY-RETURN-CGROUP" in out
    assert "LC-DESTROY-FIRST-ERROR-CGROUP" not in out, "a seed-only rule is not runc 1.2's"
    assert "LC-TRANS-RESTORED-STOPPED" in out, "a rule of both profiles is listed"


@pytest.mark.parametrize("profile", tables.PROFILES)
def test_cli_pause_and_resume_follow_the_api_table(profile: str) -> None:
    """pause and resume call Pause() and Resume(): cli.toml must agree with lifecycle.toml."""
    for state in cli_tables.CLI_STATES:
        for operation, success in (("pause", "paused"), ("resume", "running")):
            api = tables.operation_expectation(state, operation, profile)
            cli_expect, _ = cli_tables.cli_operation(state, operation, profile)
            if cli_expect == cli_tables.UNSPECIFIED:
                continue  # the runtime-spec has no pause and no resume
            assert (cli_expect == success) == (api == success), (profile, state, operation)


def test_every_cli_cell_names_a_cli_requirement_of_its_profile() -> None:
    catalog = load_catalog()
    for profile in tables.PROFILES:
        for state in cli_tables.CLI_STATES:
            for operation in cli_tables.CLI_OPERATIONS:
                expect, req = cli_tables.cli_operation(state, operation, profile)
                if expect == cli_tables.UNSPECIFIED:
                    continue
                assert catalog[req].scope == "cli" and profile in catalog[req].profiles, req


def test_the_runtime_spec_profile_holds_only_command_line_rules() -> None:
    """The runtime-spec says nothing of libcontainer's API: no api rule belongs to it, and
    its command-line table leaves pause and resume (no operations of the spec) unspecified,
    and kill of a paused container too (runtime.md:21 and 131 do not say it must fail)."""
    catalog = load_catalog()
    scopes = {r.scope for r in catalog.for_profile("runtime-spec")}
    assert scopes == {"cli"}
    for state in cli_tables.CLI_STATES:
        for operation in ("pause", "resume"):
            assert (
                cli_tables.cli_operation(state, operation, "runtime-spec")[0]
                == cli_tables.UNSPECIFIED
            )
    assert cli_tables.cli_operation("created", "delete", "runtime-spec")[0] == "error"
    assert cli_tables.cli_operation("paused", "kill", "runtime-spec")[0] == cli_tables.UNSPECIFIED
    assert cli_tables.cli_delete_fault("poststop", "runtime-spec").remaining == "run"
    with pytest.raises(SpecError, match="no \\[delete_faults.busy-cgroup\\]"):
        cli_tables.cli_delete_fault("busy-cgroup", "runtime-spec")


def test_every_command_line_rule_names_its_runtime_spec_version() -> None:
    """A CLI rule is judged against one version of the runtime-spec; the report shows it."""
    missing = [r.id for r in load_catalog().values() if r.scope == "cli" and not r.spec_version]
    assert missing == [], f"cli requirements without spec_version: {missing}"
