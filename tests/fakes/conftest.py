"""Fixtures for the simulated-kernel tests: a patched host per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.fakes import SimulatedKernel
from harness.fakes import booted_kernel


@pytest.fixture
def kernel() -> Iterator[SimulatedKernel]:
    """A default host (cgroup v1, resctrl mounted) patched in for the test."""
    with booted_kernel() as k:
        yield k
