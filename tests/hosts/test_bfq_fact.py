"""``bfq_registered`` reads the blkio root the way the kernel shows BFQ's blkcg policy, so the
fidelity twin of a host without the bfq module has no ``blkio.bfq.*`` files either."""

from __future__ import annotations

import pytest

from harness.fakes import Topology
from harness.fakes import booted_kernel
from harness.hosts.facts import bfq_registered
from harness.hosts.facts import read_layout


@pytest.mark.parametrize("bfq", [True, False])
def test_bfq_is_read_from_the_blkio_root(bfq: bool) -> None:
    with booted_kernel(Topology(bfq=bfq)):
        assert bfq_registered(read_layout()) is bfq


def test_no_v1_blkio_hierarchy_says_nothing() -> None:
    with booted_kernel(Topology(cgroup_mode="v2")):
        assert bfq_registered(read_layout()) is None
