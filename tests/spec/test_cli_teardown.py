"""The command line's teardown oracle: what delete must show, per profile, for a few cells
worked out by hand from runc's delete.go and destroy."""

from __future__ import annotations

import pytest

from harness.spec.cli_teardown import cli_busy_once
from harness.spec.cli_teardown import cli_teardown
from harness.spec.cli_teardown import cli_teardown_variants


def test_the_seed_logs_and_leaks_what_failed() -> None:
    want = cli_teardown("seed", ["cgroup", "poststop"])
    assert want.exit_zero and want.state_answers is False
    assert want.left == {"cgroup"} and want.hooks == (True, False)
    assert want.first_named == "cgroup"
    # the state is gone: a second delete meets "does not exist" and the cgroup stays
    assert want.again_zero is False and want.again_left == {"cgroup"}


def test_runc_1_2_stops_at_the_first_failing_step_and_keeps_the_state() -> None:
    want = cli_teardown("runc-1.2", ["cgroup", "state-dir"])
    assert not want.exit_zero and want.state_answers is True
    assert want.left == {"cgroup", "rdt", "state-dir"} and want.hooks == (False, False)
    assert want.again_zero is True and want.again_left == frozenset()


def test_a_hook_that_still_fails_fails_the_second_delete_too() -> None:
    want = cli_teardown("runc-1.2", ["rdt", "poststop"])
    assert want.again_zero is False


def test_the_runtime_spec_asks_only_for_a_non_zero_exit_when_a_resource_is_left() -> None:
    assert not cli_teardown("runtime-spec", ["state-dir"]).exit_zero
    hook_only = cli_teardown("runtime-spec", ["poststop"])
    assert hook_only.exit_zero and hook_only.hooks == (True, True)
    assert hook_only.exit_requirement == "CLI-DELETE-POSTSTOP-FAILS-WARNS"
    assert cli_teardown("runtime-spec", ["cgroup"]).requirements() == ("CLI-DELETE-FAULTS-NONZERO",)


def test_every_combination_names_its_rules() -> None:
    assert {"CLI-DELETE-FAULTS-AGAIN", "CLI-DELETE-FAULTS-AGAIN-KEPT"} <= set(
        cli_teardown_variants(["cgroup"])
    )
    with pytest.raises(ValueError, match="must be among"):
        cli_teardown("seed", ["freezer"])


def test_a_busy_once_cgroup_is_retried_by_libcontainer_profiles_only() -> None:
    assert cli_busy_once("seed") == ("CLI-DELETE-CGROUP-BUSY-ONCE", True)
    assert cli_busy_once("runc-1.2") == ("CLI-DELETE-CGROUP-BUSY-ONCE", True)
    assert cli_busy_once("runtime-spec") == ("CLI-DELETE-FAULTS-NONZERO", False)
