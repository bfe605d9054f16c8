"""Both hosts keep the ``Host`` Protocol the suite is written against: every member is there,
and every method takes the parameters the Protocol names, in its order."""

from __future__ import annotations

import pytest

from harness.hosts import RealHost
from harness.hosts import SimulatedHost
from harness.hosts.protocol import Host
from tests._protocols import protocol_gaps
from tests._protocols import protocol_members


def test_the_protocol_names_what_the_suite_asks() -> None:
    members = protocol_members(Host)
    assert {"container_id", "cgroup_dirs", "is_alive", "hook_runs", "state_root"} <= set(members)


@pytest.mark.parametrize("host_class", [SimulatedHost, RealHost], ids=["simulated", "real"])
def test_host_keeps_the_protocol(host_class: type) -> None:
    assert protocol_gaps(Host, host_class) == []


def test_a_host_that_lacks_a_member_is_caught() -> None:
    class Partial(SimulatedHost):
        cgroup_dirs = None  # type: ignore[assignment]

        def l3_schema(self, masks: str) -> str:  # type: ignore[override]
            return masks

    gaps = protocol_gaps(Host, Partial)
    assert "no method cgroup_dirs" in gaps
    assert any(g.startswith("l3_schema(self, masks") for g in gaps)
