"""The teardown oracle and the typed cells say what lifecycle.toml and the profiles say."""

from __future__ import annotations

import itertools

import pytest

from harness.spec import start_errors
from harness.spec import tables
from harness.spec.tables import ErrorCell
from harness.spec.teardown import LEFT_BEHIND
from harness.spec.teardown import error_source
from harness.spec.teardown import teardown_outcome

SOURCES = tables.error_sources()
ALL_FAILING = [
    frozenset(c) for n in range(len(SOURCES) + 1) for c in itertools.combinations(SOURCES, n)
]


@pytest.mark.parametrize("failing", ALL_FAILING, ids=lambda f: "+".join(sorted(f)) or "none")
def test_the_seed_runs_every_step_and_returns_the_first_error(failing: frozenset[str]) -> None:
    want = teardown_outcome("seed", failing)
    assert tables.teardown_mode("seed") == "all-steps" and want.mode == "all-steps"
    assert want.winner == next((s for s in SOURCES if s in failing), None)
    assert want.skipped == () and not want.returns_early
    assert want.ends_stopped and want.poststop_runs and not want.keeps_init
    assert [s for s in LEFT_BEHIND if want.left_behind(s)] == [
        s for s in LEFT_BEHIND if s in failing
    ]
    assert want.state_requirement == "LC-DESTROY-ALWAYS-STOPPED"
    assert want.poststop_requirement == want.left_requirement == "LC-DESTROY-CONTINUES-AFTER-ERROR"
    assert want.wrapped_requirement is None
    if want.winner is not None:
        assert want.error_requirement == f"LC-DESTROY-FIRST-ERROR-{want.winner.upper()}"


def test_runc_1_2_returns_at_the_first_failing_step() -> None:
    assert tables.teardown_mode("runc-1.2") == "early-return"
    want = teardown_outcome("runc-1.2", {"rdt", "poststop"})
    assert want.winner == "rdt" and want.returns_early
    assert want.skipped == ("state-dir", "drop-init", "poststop", "mark-stopped")
    assert not want.ends_stopped and not want.poststop_runs and want.keeps_init
    assert {s: want.left_behind(s) for s in LEFT_BEHIND} == {
        "cgroup": False,
        "rdt": True,
        "state-dir": True,
    }
    assert want.error_requirement == want.left_requirement == "LC-DESTROY-EARLY-RETURN-RDT"
    assert want.state_requirement == "LC-DESTROY-EARLY-RETURN-KEEPS-STATE"
    assert want.poststop_requirement == "LC-DESTROY-EARLY-RETURN-NO-POSTSTOP"
    assert want.wrapped_requirement == "LC-DESTROY-ERROR-WRAPPED"
    assert want.error_prefix == "unable to destroy container: "
    assert want.requirements() == (
        "LC-DESTROY-EARLY-RETURN-RDT",
        "LC-DESTROY-ERROR-WRAPPED",
        "LC-DESTROY-EARLY-RETURN-KEEPS-STATE",
        "LC-DESTROY-EARLY-RETURN-NO-POSTSTOP",
    )


def test_a_poststop_error_of_runc_1_2_comes_once_the_state_is_stopped() -> None:
    want = teardown_outcome("runc-1.2", {"poststop"})
    assert want.winner == "poststop" and not want.returns_early
    assert want.ends_stopped and want.poststop_runs
    assert want.state_requirement == "LC-DESTROY-POSTSTOP-ERROR-AFTER-STOPPED"
    assert want.requirements() == (
        "LC-DESTROY-POSTSTOP-ERROR-AFTER-STOPPED",
        "LC-DESTROY-ERROR-WRAPPED",
    )


def test_without_a_fault_runc_1_2_has_no_teardown_rule_of_its_own() -> None:
    want = teardown_outcome("runc-1.2", ())
    assert want.winner is None and want.requirements() == ()
    assert want.state_requirement == "LC-DESTROY-POSTSTOP-ERROR-AFTER-STOPPED"
    case = teardown_outcome("runc-1.2", (), case_requirement="LC-DESTROY-STOPPED-GONE")
    assert case.state_requirement == "LC-DESTROY-STOPPED-GONE"
    assert teardown_outcome("seed", (), case_requirement="X").state_requirement == (
        "LC-DESTROY-ALWAYS-STOPPED"
    )


def test_every_id_the_oracle_names_is_in_the_catalog() -> None:
    from harness.spec.catalog import load_catalog

    catalog = load_catalog()
    for profile, failing in itertools.product(tables.API_PROFILES, ALL_FAILING):
        want = teardown_outcome(profile, failing)
        named = {want.state_requirement, want.poststop_requirement, want.left_requirement}
        named |= {r for r in (want.error_requirement, want.wrapped_requirement) if r}
        assert named <= set(catalog), (profile, failing, named - set(catalog))


def test_an_unknown_step_is_refused() -> None:
    with pytest.raises(ValueError, match="'failing' must be among"):
        teardown_outcome("seed", {"kill-all"})


@pytest.mark.parametrize("profile", tables.API_PROFILES)
def test_error_source_reads_each_step_back(profile: str) -> None:
    paths = {"rdt_group": "/sys/fs/resctrl/c", "state_dir": "/run/rtgate/c"}
    busy = tables.cgroup_busy(profile)
    inner = [
        ("cgroup", busy.error("v1", {"memory": "/sys/fs/cgroup/memory/c"})),
        ("cgroup", busy.error("v2", {"": "/sys/fs/cgroup/c"})),
        ("rdt", "remove /sys/fs/resctrl/c: device or resource busy"),
        ("state-dir", "unlinkat /run/rtgate/c: device or resource busy"),
        ("poststop", tables.hook_failed(1, "", "x", profile)),
    ]
    for source, error in inner:
        text = tables.teardown_error(source, error, profile, index=2)
        assert error_source(text, profile, **paths) == source, text
    assert error_source("something else", profile, **paths).startswith("unknown error")


def test_runc_1_2_texts_follow_v120() -> None:
    """runc v1.2.0's own texts: no "error running hook: " (configs/config.go:490), the prestart
    error inside Start's two contexts (process_linux.go:786-788, container_linux.go:350-351),
    and fs2's rmdir error for a busy v2 group (fs2/fs2.go:157-159, cgroups/utils.go:248)."""
    hook = tables.hook_failed(3, "", "boom", "runc-1.2")
    assert hook == "exit status 3, stdout: , stderr: boom"
    assert tables.teardown_error("poststop", hook, "runc-1.2", index=1) == (
        "unable to destroy container: error running poststop hook #1: " + hook
    )
    prestart = start_errors.start_hook_error_parts("prestart", 0, hook, "runc-1.2")
    assert ": ".join(prestart) == (
        "unable to start container process: error during container init: "
        "error running prestart hook #0: " + hook
    )
    assert start_errors.start_hook_error_parts("poststart", 0, hook, "runc-1.2") == (
        "error running poststart hook #0: " + hook,
    )
    busy = tables.cgroup_busy("runc-1.2").error("v2", {"": "/sys/fs/cgroup/c"})
    assert busy == "rmdir /sys/fs/cgroup/c: device or resource busy"
    assert tables.hook_oci_version("runc-1.2", "1.0.0") == "1.2.0"
    assert tables.hook_oci_version("seed", "1.0.0") == "1.0.0"


def test_cells_are_typed_once_as_the_tables_load() -> None:
    assert tables.destroy_expectation("paused", True) == ErrorCell("paused")
    assert tables.destroy_expectation("paused", False) == "thaw-then-destroy"
    restored = tables.operation_expectation("restored", "pause")
    assert restored == ErrorCell("transition", first="frozen")
    assert tables.operation_expectation("stopped", "signal", "runc-1.2") == ErrorCell("not_running")
    assert ErrorCell("pause_refused").text("seed", status="stopped") == (
        "container not running or created: stopped"
    )
    cells = [
        cell
        for profile in tables.PROFILES
        for table in ("destroy", "operations")
        for row in tables.lifecycle(profile)[table].values()
        for cell in row.values()
    ]
    assert not [c for c in cells if isinstance(c, str) and "error:" in c], "an unparsed cell"


def test_requirement_ids_come_from_the_tables() -> None:
    assert tables.destroy_requirement("running", True) == "LC-DESTROY-RUNNING-ALIVE"
    assert tables.destroy_requirement("running", True, "runc-1.2") == (
        "LC-DESTROY-RUNNING-ALIVE-ERR-RUNNING"
    )
    assert tables.operation_requirement("stopped", "pause", "runc-1.2") == (
        "LC-PAUSE-STOPPED-ERR-NOT-RUNNING"
    )
    assert tables.transition_requirement("restored", "stopped") == "LC-TRANS-RESTORED-STOPPED"
    assert tables.factory_requirement("refused", "runc-1.2") == (
        "LC-FACTORY-ID-REFUSED-ERR-INVALID-ID"
    )
