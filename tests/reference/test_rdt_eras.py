"""The resctrl writer's texts by era: the seed's, and runc >= 1.1's behind ``rdt_era``."""

from __future__ import annotations

import pytest

from harness.hosts import simulated_host
from reference_impl import IntelRdtConfig
from reference_impl.intelrdt import IntelRdtConfigError
from reference_impl.intelrdt import IntelRdtError
from reference_impl.intelrdt import IntelRdtManager
from reference_impl.intelrdt import RdtFeatures
from reference_impl.intelrdt import probe_features
from reference_impl.intelrdt import validate_intel_rdt

NO_RDT = RdtFeatures(root=None, cat_enabled=False)


def test_seed_refuses_what_runc_1_1_lets_through() -> None:
    empty = IntelRdtConfig()
    cat = RdtFeatures(root="/sys/fs/resctrl", cat_enabled=True, cat_flag=True)
    with pytest.raises(IntelRdtConfigError, match="l3CacheSchema is empty"):
        validate_intel_rdt(empty, cat, "seed")
    validate_intel_rdt(empty, RdtFeatures(root="/sys/fs/resctrl", cat_enabled=True), "runc-1.1")
    with pytest.raises(IntelRdtConfigError, match="not supported or enabled"):
        validate_intel_rdt(IntelRdtConfig("L3:0=f"), NO_RDT, "seed")
    with pytest.raises(IntelRdtConfigError, match="Intel RDT/CAT is not enabled"):
        validate_intel_rdt(IntelRdtConfig("L3:0=f"), NO_RDT, "runc-1.1")


def test_seed_takes_an_l3_schema_on_a_cdp_mount_where_runc_1_1_refuses_it() -> None:
    """692f6e1 intelrdt.go:371-392 asks for the cat_l3 flag and a mount, never for info/L3;
    runc v1.1.5 intelrdt.go:221-222 does, and a cdp mount has L3CODE and L3DATA instead."""
    cdp = IntelRdtConfig("L3CODE:0=f;1=f\nL3DATA:0=f;1=f")
    with simulated_host("xeon-cdp"):
        found = probe_features()
    assert (found.seed_enabled, found.cat_enabled) == (True, False), found
    validate_intel_rdt(cdp, found, "seed")
    with pytest.raises(IntelRdtConfigError, match="Intel RDT/CAT is not enabled"):
        validate_intel_rdt(cdp, found, "runc-1.1")
    flagless = RdtFeatures(root="/sys/fs/resctrl", cat_enabled=False, mba_enabled=True)
    with pytest.raises(IntelRdtConfigError, match="not supported or enabled"):
        validate_intel_rdt(cdp, flagless, "seed")


LAST_CMD = ", last_cmd_status: The mask 5 has non-consecutive 1-bits"


@pytest.mark.parametrize(
    ("era", "prefix", "suffix"),
    [
        # the seed has no NewLastCmdError (runc v1.0.0-rc6): its error ends with the errno
        ("seed", "failed to write L3:0=5 to schemata: ", "invalid argument"),
        ("runc-1.1", "intelrdt: unable to write ", LAST_CMD),
    ],
)
def test_refused_schema_error_by_era(era: str, prefix: str, suffix: str) -> None:
    with simulated_host("small-closids") as host:
        config = IntelRdtConfig("L3:0=5")
        manager = IntelRdtManager(probe_features(), "e", config=config, era=era)
        manager.apply(host.kernel.spawn_process("p"))
        with pytest.raises(IntelRdtError) as info:
            manager.set(config)
        text = str(info.value)
        assert text.startswith(prefix), text
        assert text.endswith(suffix), text
        manager.destroy()


@pytest.mark.parametrize(
    ("era", "clos", "refused"),
    [("runc-1.1", "/", True), ("runc-1.4", "/", False), ("runc-1.4", "/a", True),
     ("runc-1.4", "a/b", True), ("runc-1.4", "..", True), ("runc-1.4", "a", False)],
)  # fmt: skip
def test_closid_slash_is_the_default_clos_from_runc_1_4(era: str, clos: str, refused: bool) -> None:
    """v1.4.0 validator.go:314-316: "/" names the default CLOS (runtime-spec v1.3.0); any
    other closID holding a slash, and "." and "..", stay refused."""
    mounted = RdtFeatures(root="/sys/fs/resctrl", cat_enabled=True)
    config = IntelRdtConfig(clos_id=clos)
    if refused:
        with pytest.raises(IntelRdtConfigError, match="invalid intelRdt.ClosID"):
            validate_intel_rdt(config, mounted, era)
    else:
        validate_intel_rdt(config, mounted, era)
    root = IntelRdtManager(mounted, "c", config=config, era=era)
    if clos == "/":
        assert root.group_path() == "/sys/fs/resctrl"
