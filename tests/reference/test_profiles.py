"""The profiles of the reference: each one's errors, wrappers and id rules, taken one by one."""

from __future__ import annotations

import dataclasses

import pytest

from reference_impl.configs import Config
from reference_impl.configs import Hook
from reference_impl.configs import Hooks
from reference_impl.configs import IntelRdtConfig
from reference_impl.errors import GenericError
from reference_impl.errors import SentinelError
from reference_impl.errors import WrappedError
from reference_impl.errors import is_sentinel
from reference_impl.profiles import PROFILES
from reference_impl.profiles import RUNC_1_1
from reference_impl.profiles import RUNC_1_2
from reference_impl.profiles import RUNTIME_SPEC
from reference_impl.profiles import SEED
from reference_impl.profiles import UnknownProfileError
from reference_impl.profiles import get_profile


def test_the_profiles_are_known_and_unknown_names_are_refused() -> None:
    assert set(PROFILES) == {"seed", "runc-1.1", "runc-1.2", "runtime-spec"}
    assert get_profile("runc-1.2") is RUNC_1_2
    with pytest.raises(UnknownProfileError, match="known: runc-1.1, runc-1.2, runtime-spec, seed"):
        get_profile("runc-9")


def test_the_runtime_spec_profile_is_runc_1_2_with_the_spec_s_command_line() -> None:
    """Only the places where runc departs from the runtime-spec differ from runc 1.2: delete,
    the poststop hooks, prestart and poststart at start, a failing poststart hook, the config
    values the spec calls errors, an intelRdt on a host without resctrl, a closID group's
    schemata compared; what
    runc 1.2 does not know of v1.3.0's intelRdt (schemata, enableMonitoring, what features
    says of them); and linux.resources.memory.kernelTCP, which runc ignores."""
    differ = {
        f.name
        for f in dataclasses.fields(RUNTIME_SPEC)
        if getattr(RUNTIME_SPEC, f.name) != getattr(RUNC_1_2, f.name)
    }
    assert differ == {"name", "source", "poststop_failures", "poststart_failures",
                      "cli_delete_created",
                      "rdt_era", "rdt_v1_3", "features_oci_max",
                      "features_intel_rdt", "rdt_closid_compare", "hooks_at_start",
                      "refuses_as_spec_says", "cgroup_kernel_tcp"}  # fmt: skip


def test_every_profile_refuses_the_same_operations() -> None:
    """A key the seed raises under must exist in every profile, or a state would crash."""
    for profile in PROFILES.values():
        assert set(SEED.refusals) <= set(profile.refusals), profile.name


def test_seed_refusals_carry_error_codes() -> None:
    err = SEED.refuse("pause", status="paused")
    assert isinstance(err, GenericError)
    assert str(err) == "container not running or created: paused"


def test_runc_1_2_refusals_are_sentinels() -> None:
    err = RUNC_1_2.refuse("pause", status="paused")
    assert isinstance(err, SentinelError)
    assert str(err) == "container not running"
    assert is_sentinel(err, "ErrNotRunning")
    assert not is_sentinel(err, "ErrRunning")


def test_runc_1_2_wraps_destroy_and_step_errors_and_keeps_the_sentinel() -> None:
    cause = RUNC_1_2.refuse("running-destroy")
    wrapped = RUNC_1_2.wrap_destroy_error(cause)
    assert str(wrapped) == "unable to destroy container: container still running"
    assert is_sentinel(wrapped, "ErrRunning"), "errors.Is sees through %w"
    step = RUNC_1_2.wrap_step_error("rdt", OSError("busy"))
    assert str(step) == "unable to remove container's IntelRDT group: busy"
    hook = RUNC_1_2.wrap_hook_error("poststop", 2, RuntimeError("exit status 1"))
    assert isinstance(hook, WrappedError)
    assert str(hook) == "error running poststop hook #2: exit status 1"


def test_seed_wraps_nothing() -> None:
    err = RuntimeError("x")
    assert SEED.wrap_destroy_error(err) is err
    assert SEED.wrap_step_error("cgroup", err) is err
    assert SEED.wrap_hook_error("poststop", 0, err) is err


@pytest.mark.parametrize(
    ("container_id", "seed", "runc_1_2"),
    [
        ("abc", True, True),
        ("with,comma", True, False),
        (".", True, False),
        ("..", True, False),
        ("a/b", False, False),
    ],
)
def test_id_rules(container_id: str, seed: bool, runc_1_2: bool) -> None:
    assert SEED.valid_id(container_id) is seed
    assert RUNC_1_2.valid_id(container_id) is runc_1_2


def test_the_seed_config_knows_only_what_692f6e1_knows() -> None:
    """692f6e1's configs.Hooks has no createRuntime and its IntelRdt only L3CacheSchema: the
    seed drops the rest, as Go's JSON decoding drops unknown keys; later runc keeps them, and
    drops v1.3.0's schemata and enableMonitoring before the v1.3 profile (a test below)."""
    hook = Hook(path="/bin/true")
    rdt = IntelRdtConfig(l3_cache_schema="L3:0=f", mem_bw_schema="MB:0=50", clos_id="g")
    config = Config(hooks=Hooks(prestart=(hook,), create_runtime=(hook,)), intel_rdt=rdt)
    seed = SEED.known_config(config)
    assert seed.hooks is not None and seed.hooks.create_runtime == ()
    assert seed.hooks.prestart == (hook,)
    assert seed.intel_rdt == IntelRdtConfig(l3_cache_schema="L3:0=f")
    for later in (RUNC_1_1, RUNC_1_2, RUNTIME_SPEC):
        assert later.known_config(config) is config, later.name


def test_only_the_v1_3_profile_knows_schemata_and_monitoring() -> None:
    """runc 1.1 and 1.2's configs.IntelRdt have neither field (runc v1.4.0 brought both), so
    their profiles drop them and keep the rest; the runtime-spec profile keeps them."""
    rdt = IntelRdtConfig(l3_cache_schema="L3:0=f", enable_monitoring=True, schemata=("L2:0=3",))
    config = Config(intel_rdt=rdt)
    for older in (RUNC_1_1, RUNC_1_2):
        assert older.known_config(config).intel_rdt == IntelRdtConfig(l3_cache_schema="L3:0=f")
    assert RUNTIME_SPEC.known_config(config) is config


def test_runc_1_1_is_the_seed_with_sentinels_and_later_features() -> None:
    """runc 1.1.5 keeps the seed's destroy and runType but has sentinel errors, thaws a
    paused container on SIGKILL and knows cgroup v2, closID and createRuntime."""
    assert not RUNC_1_1.destroy_returns_early and RUNC_1_1.init_check == "run-type"
    assert is_sentinel(RUNC_1_1.refuse("signal"), "ErrNotRunning")
    assert RUNC_1_1.signal_semantics == "runc-1.1"
    assert RUNC_1_1.cgroup_v2 and RUNC_1_1.create_runtime_hooks and RUNC_1_1.rdt_era == "runc-1.1"
    assert not SEED.cgroup_v2 and not SEED.create_runtime_hooks
    assert not RUNC_1_1.cli_delete_reports_error, "runc 1.1's delete only logs (7396ca90f)"
