"""Configs survive state.json: every resource and intelRdt field comes back from its JSON."""

from __future__ import annotations

import json
from pathlib import Path

from reference_impl import CgroupConfig
from reference_impl import Config
from reference_impl import IntelRdtConfig
from reference_impl.oci_config import load_bundle


def test_resources_and_intel_rdt_round_trip() -> None:
    config = Config(
        cgroups=CgroupConfig(
            path="/c",
            memory_limit=64 << 20,
            pids_limit=-1,
            cpu_shares=512,
            cpu_weight=100,
        ),
        intel_rdt=IntelRdtConfig(
            l3_cache_schema="L3:0=f",
            mem_bw_schema="MB:0=50",
            clos_id="team",
            enable_monitoring=True,
        ),
    )
    assert Config.from_json(json.loads(json.dumps(config.to_json()))) == config


def test_seed_state_json_without_the_new_fields_still_loads() -> None:
    old = {"cgroups": {"path": "/c", "freezer": ""}, "intel_rdt": {"l3_cache_schema": "L3:0=f"}}
    config = Config.from_json(old)
    assert config.cgroups == CgroupConfig(path="/c")
    assert config.intel_rdt == IntelRdtConfig(l3_cache_schema="L3:0=f")


def test_config_json_shares_carry_their_v2_weight(tmp_path: Path) -> None:
    """The reference's specconv converts the shares, as runc's does (v1.2.0
    spec_linux.go:813-818); the v2 manager then reads the weight alone."""
    spec = {
        "ociVersion": "1.0.2",
        "process": {"args": ["/bin/true"]},
        "linux": {"resources": {"cpu": {"shares": 1024}}},
    }
    (tmp_path / "config.json").write_text(json.dumps(spec))
    config, _ = load_bundle(str(tmp_path), "w")
    assert config.cgroups is not None
    assert (config.cgroups.cpu_shares, config.cgroups.cpu_weight) == (1024, 39)
