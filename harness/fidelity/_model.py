"""The values a fidelity run deals in: probes, the steps they observe, and differences.

A probe's observation is a tuple of :class:`Step`: what was done and what the kernel answered, with
every host-specific value (pids, group names) already replaced by a placeholder, so that the real
kernel's tuple and the simulated kernel's tuple compare with ``==``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Literal

if TYPE_CHECKING:
    from harness.fidelity._context import ProbeContext

__all__ = [
    "Backend",
    "Difference",
    "Family",
    "Observation",
    "Probe",
    "ProbeFailed",
    "ProbeSkipped",
    "Step",
]

Backend = Literal["real", "simulated"]
Family = Literal["cgroup-v1", "cgroup-v2", "resctrl"]


@dataclass(frozen=True, slots=True)
class Step:
    """One kernel interaction: ``action`` (host-neutral text) and ``outcome`` ("ok", an errno
    name such as "EBUSY", "open: EACCES", or "ok: <content>")."""

    action: str
    outcome: str

    def __str__(self) -> str:
        return f"{self.action} -> {self.outcome}"


#: everything a probe saw, in order
Observation = tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Probe:
    """A named kernel interaction, run the same way on the real and the simulated kernel.

    ``run(ctx, mount)`` acts through plain ``os`` calls under ``mount`` (a cgroup hierarchy or the
    resctrl root) and records its steps on ``ctx``.
    """

    #: stable id, e.g. "v1.freezer.frozen-then-thawed"
    name: str
    family: Family
    #: the mount root the probe works under, e.g. "/sys/fs/cgroup/freezer"
    mount: str
    run: Callable[[ProbeContext, str], None]
    #: why the probe exists, one line (shown by ``rtgate doctor --fidelity``)
    summary: str = ""


class ProbeSkipped(Exception):
    """The probe cannot run on this host; the message says what was probed and found."""


class ProbeFailed(Exception):
    """The backend itself broke (the simulated kernel did not boot, cleanup failed, ...):
    reported as the probe's observation so a difference is never hidden."""


@dataclass(frozen=True, slots=True)
class Difference:
    """Where the real and the simulated kernel disagree on one probe."""

    probe: str
    #: index of the first step that differs (or the first step only one side has)
    index: int
    action: str
    real: str
    simulated: str

    def __str__(self) -> str:
        return (
            f"{self.probe}: step {self.index + 1} {self.action!r}: "
            f"real {self.real!r} vs simulated {self.simulated!r}"
        )
