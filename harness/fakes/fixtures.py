"""``booted_kernel``: a patched filesystem with a simulated kernel, for one test or example.

Cheap enough to enter once per Hypothesis example (pyfakefs caches the module scan after the
first ``Patcher``), which keeps examples isolated from each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pyfakefs.fake_filesystem_unittest import Patcher

from harness.fakes.kernel import SimulatedKernel
from harness.fakes.topology import DEFAULT_TOPOLOGY
from harness.fakes.topology import Topology

__all__ = ["booted_kernel"]


@contextmanager
def booted_kernel(topology: Topology = DEFAULT_TOPOLOGY) -> Iterator[SimulatedKernel]:
    """Patch ``os``/``open``/``pathlib``/``shutil`` onto a fresh fake filesystem and boot a
    kernel on it; everything is torn down on exit, even when the body raises."""
    patcher = Patcher()
    patcher.setUp()
    try:
        assert patcher.fs is not None
        yield SimulatedKernel(patcher.fs, topology)
    finally:
        patcher.tearDown()
