"""Running a probe on both kernels and saying exactly where they disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from harness.errors import FakeKernelError
from harness.fidelity._model import Difference
from harness.fidelity._model import Observation
from harness.fidelity._model import Probe
from harness.fidelity._model import ProbeFailed
from harness.fidelity._model import ProbeSkipped
from harness.fidelity._model import Step

__all__ = ["Comparison", "ProbeBackend", "compare", "first_difference", "observe"]


class ProbeBackend(Protocol):
    """A kernel to run probes on."""

    name: str

    def run(self, probe: Probe) -> Observation: ...


def observe(probe: Probe, backend: ProbeBackend) -> Observation:
    """The probe's observation on ``backend``; a backend or probe that breaks becomes a final
    ``error`` step, so the breakage is compared (and reported) instead of hidden.

    Raises:
        ProbeSkipped: the backend cannot run this probe here.
    """
    try:
        return backend.run(probe)
    except ProbeSkipped:
        raise
    except (ProbeFailed, FakeKernelError) as err:
        return (Step(f"{backend.name} backend", f"error: {err}"),)
    except Exception as err:  # noqa: BLE001 - a broken probe is an observation, not a crash
        return (Step(f"{backend.name} backend", f"error: {type(err).__name__}: {err}"),)


def first_difference(probe: str, real: Observation, simulated: Observation) -> Difference | None:
    """The first step where the two observations part, or None when they are equal."""
    for index in range(max(len(real), len(simulated))):
        mine = real[index] if index < len(real) else None
        theirs = simulated[index] if index < len(simulated) else None
        if mine == theirs:
            continue
        if mine is None or theirs is None:
            present = mine if mine is not None else theirs
            assert present is not None
            real = mine.outcome if mine is not None else "(no such step)"
            simulated = theirs.outcome if theirs is not None else "(no such step)"
            return Difference(probe, index, present.action, real, simulated)
        if mine.action != theirs.action:
            return Difference(probe, index, "(different steps)", str(mine), str(theirs))
        return Difference(probe, index, mine.action, mine.outcome, theirs.outcome)
    return None


@dataclass(frozen=True, slots=True)
class Comparison:
    """One probe run on both kernels."""

    probe: Probe
    real: Observation | None
    simulated: Observation | None
    #: why the probe did not run on the real kernel
    skipped: str | None
    difference: Difference | None

    @property
    def same(self) -> bool:
        """Ran on both and nothing differs."""
        return self.skipped is None and self.difference is None


def compare(probe: Probe, real: ProbeBackend, simulated: ProbeBackend) -> Comparison:
    """Run ``probe`` on the real kernel first (a skip there skips the probe), then simulated."""
    try:
        mine = observe(probe, real)
    except ProbeSkipped as skip:
        return Comparison(probe, None, None, str(skip), None)
    try:
        theirs = observe(probe, simulated)
    except ProbeSkipped as skip:
        theirs = (Step("simulated backend", f"skipped: {skip}"),)
    return Comparison(probe, mine, theirs, None, first_difference(probe.name, mine, theirs))
