"""Proof that the fidelity check catches a wrong simulation: kernels broken on purpose (through
the fault plan, the way a modelling bug would show) must differ from the real kernel at the step
the bug touches.  Runs the real side, so it is a ``fidelity`` test like the probes themselves.
"""

from __future__ import annotations

import errno
from collections.abc import Callable

import pytest

from harness.fidelity import Observation
from harness.fidelity import Probe
from harness.fidelity import RealBackend
from harness.fidelity import SimulatedBackend
from harness.fidelity import all_probes
from harness.fidelity import compare
from harness.fidelity._real import real_unavailable
from harness.fidelity._simulated import SimulatedContext

Defect = Callable[[object], None]

#: the simulated groups of a probe are named after this prefix
SIM_GROUPS = "/sys/fs/cgroup/*/rtgate-fidelity-sim-*"


class BrokenBackend(SimulatedBackend):
    """The simulated twin with one defect armed before the probe runs."""

    def __init__(self, defect: Defect) -> None:
        super().__init__()
        self._defect = defect

    def run(self, probe: Probe) -> Observation:
        from harness.fakes import booted_kernel

        with booted_kernel(self.twin.topology) as kernel:
            self._defect(kernel)
            ctx = SimulatedContext(kernel)
            probe.run(ctx, probe.mount)
            return ctx.observation()


def _empty_group_is_busy(kernel: object) -> None:
    kernel.faults.fail("rmdir", SIM_GROUPS, errno.EBUSY, count=None)  # type: ignore[attr-defined]


def _freezer_refuses_frozen(kernel: object) -> None:
    kernel.faults.fail(  # type: ignore[attr-defined]
        "write", SIM_GROUPS + "/freezer.state", errno.EINVAL, count=None
    )


def _kill_file_refused(kernel: object) -> None:
    kernel.faults.fail(  # type: ignore[attr-defined]
        "write", "/sys/fs/cgroup/unified/rtgate-fidelity-sim-*/cgroup.kill", errno.EIO, count=None
    )


CASES = [
    ("v1.freezer.rmdir-empty", _empty_group_is_busy, "EBUSY"),
    ("v1.freezer.frozen-then-thawed", _freezer_refuses_frozen, "EINVAL"),
    ("v2.kill", _kill_file_refused, "EIO"),
]


@pytest.mark.fidelity
@pytest.mark.parametrize(("name", "defect", "symptom"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_simulation_is_caught(name: str, defect: Defect, symptom: str) -> None:
    probe = next(p for p in all_probes() if p.name == name)
    reason = real_unavailable(probe)
    if reason is not None:
        pytest.skip(reason)
    broken = compare(probe, RealBackend(), BrokenBackend(defect))
    assert broken.difference is not None, f"the defect behind {name} went unnoticed"
    assert symptom in broken.difference.simulated, str(broken.difference)
    assert symptom not in broken.difference.real, str(broken.difference)
