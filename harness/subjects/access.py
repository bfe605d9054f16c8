"""Whether a runtime can run containers on this host: probed, and the host prepared, once.

The probe (:mod:`harness.subjects.probe`) runs a container of the runtime's own.  A refusal it
recognises (listed in ``host_refusals.toml``, as crun 1.8's refusal of a hybrid cgroup host)
is the host's: the host is prepared for the runtime when that helps
(:mod:`harness.hosts.preparation`), for as long as the run lasts, and if it still refuses, the
tests that need a container skip for the missing host feature.  Any other failure is the
runtime's: those tests fail with the probe's evidence
(:func:`harness.scenarios._support.skips.require_runtime`).

``rtgate run`` probes before pytest starts its workers and hands them what it found; a plain
pytest run probes once per session, in the ``runtime_access`` fixture.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from harness.subjects.base import Subject

__all__ = ["RuntimeAccess", "runtime_prepared"]


@dataclasses.dataclass(frozen=True, slots=True)
class RuntimeAccess:
    """What the probe of a runtime found, after any preparation of the host."""

    #: why the host refuses the runtime (a known refusal, after any preparation); None: it does not
    refusal: str | None = None
    #: what the notes, docs and skips call the host feature the refusal says is missing
    missing_feature: str | None = None
    #: the probe's evidence that the runtime itself cannot run a container; None: it can
    broken: str | None = None
    #: one line for the report's header: what the probe found (empty: nothing was probed)
    summary: str = ""
    #: what was done to the host, and what failed, one line each for the run's output
    notes: tuple[str, ...] = ()
    #: the host was changed for the runtime: what was read of it before may be stale
    host_changed: bool = False

    def to_worker(self) -> dict[str, Any]:
        """What an xdist worker needs of it (plain values)."""
        return {"refusal": self.refusal, "missing_feature": self.missing_feature,
                "broken": self.broken, "summary": self.summary}  # fmt: skip

    @classmethod
    def from_worker(cls, handed: dict[str, Any]) -> RuntimeAccess:
        return cls(**handed)


@contextmanager
def runtime_prepared(subject: Subject, profile: str) -> Iterator[RuntimeAccess]:
    """Probe ``subject`` on this host and prepare the host if it refuses it in a way
    preparation cures, when its kind acts on a real host (nothing to probe otherwise); undone
    when the block ends."""
    if not subject.kind.needs_real_host:
        yield RuntimeAccess()
        return
    from harness.hosts import open_host
    from harness.hosts.preparation import PREPARATION
    from harness.hosts.preparation import host_prepared
    from harness.subjects.command_line import command_line_for
    from harness.subjects.probe import ProbeResult
    from harness.subjects.probe import probe_runtime
    from harness.subjects.probe import runtime_name

    found: list[ProbeResult] = []

    def probe() -> str | None:
        with open_host("real") as probe_host:
            cli = command_line_for(subject, probe_host, profile)
            found.append(probe_runtime(cli, lambda: runtime_name(subject)))
        known = found[-1].refusal
        curable = known is not None and known.prepare == PREPARATION
        return found[-1].summary if curable else None

    with host_prepared(probe) as prep:
        notes = tuple(line for line in (prep.describe(), prep.failure) if line)
        yield _access(subject.name, found, notes, bool(prep.bound), prep.failure)


def _access(
    name: str, found: list[Any], notes: tuple[str, ...], changed: bool, failure: str | None
) -> RuntimeAccess:
    """The access the probes (first: the host as it was; last: after preparing it) show."""
    first, last = found[0], found[-1]
    summary = f"{name}: {last.summary}"
    if first is not last:
        summary = f"{name}: {first.summary}; host prepared, then: {last.summary}"
    if last.outcome == "broken":
        return RuntimeAccess(broken=last.evidence(), summary=summary, notes=notes,
                             host_changed=changed)  # fmt: skip
    if last.outcome == "refused":
        also = f"; {failure}" if failure else ""
        return RuntimeAccess(
            refusal=f"{name} cannot create a container on this host: {last.summary}{also}",
            missing_feature=last.refusal.feature,
            summary=summary,
            notes=notes,
            host_changed=changed,
        )
    return RuntimeAccess(summary=summary, notes=notes, host_changed=changed)
