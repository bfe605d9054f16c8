"""The simulated kernel against this machine's kernel: one test per probe.

Each test runs a probe on the real cgroupfs (as root, in groups named ``rtgate-fidelity-<pid>-...``
with ``sleep`` processes it starts, all removed at the end) and on a simulated twin of this
machine, and asserts the two observations are equal.  A failure names the first differing step
with both values.  Tests skip only when the real side cannot run: not root, no such cgroup mount,
no resctrl, each with what was probed.
"""

from __future__ import annotations

import pytest

from harness.fidelity import Comparison
from harness.fidelity import Probe
from harness.fidelity import RealBackend
from harness.fidelity import SimulatedBackend
from harness.fidelity import all_probes
from harness.fidelity import compare
from harness.fidelity._real import real_unavailable

PROBES = all_probes()


def _show(comparison: Comparison) -> str:
    lines = [str(comparison.difference), "real:"]
    lines += [f"  {step}" for step in comparison.real or ()]
    lines.append("simulated:")
    lines += [f"  {step}" for step in comparison.simulated or ()]
    return "\n".join(lines)


@pytest.mark.fidelity
@pytest.mark.parametrize("probe", PROBES, ids=[probe.name for probe in PROBES])
def test_simulation_matches_real_kernel(probe: Probe) -> None:
    reason = real_unavailable(probe)
    if reason is not None:
        pytest.skip(reason)
    comparison = compare(probe, RealBackend(), SimulatedBackend())
    if comparison.skipped is not None:
        pytest.skip(comparison.skipped)
    assert comparison.real == comparison.simulated, _show(comparison)
