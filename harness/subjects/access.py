"""Whether a runtime can run containers on this host: probed, and the host prepared, once.

A runtime binary may refuse the host as it is (crun 1.8 and a hybrid cgroup host): it is
probed with a container of its own, and the host prepared for it when that helps
(:mod:`harness.hosts.preparation`), for as long as the run lasts.  ``rtgate run`` does it before
pytest starts its workers and hands them what it found; a plain pytest run does it once per
session, in the ``runtime_refusal`` fixture.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from harness.subjects.base import Subject

__all__ = ["RuntimeAccess", "runtime_prepared"]


@dataclasses.dataclass(frozen=True, slots=True)
class RuntimeAccess:
    """What the probe of a runtime found, after any preparation of the host."""

    #: why the runtime cannot run any container here, as a test skipping says it; None: it can
    refusal: str | None = None
    #: what was done to the host, and what failed, one line each for the run's output
    notes: tuple[str, ...] = ()
    #: the host was changed for the runtime: what was read of it before may be stale
    host_changed: bool = False


@contextmanager
def runtime_prepared(subject: Subject, profile: str) -> Iterator[RuntimeAccess]:
    """Probe ``subject`` on this host and prepare the host if it refuses it, when its kind acts
    on a real host (nothing to probe otherwise); undone when the block ends."""
    if not subject.kind.needs_real_host:
        yield RuntimeAccess()
        return
    from harness.hosts import open_host
    from harness.hosts.preparation import host_prepared
    from harness.subjects.command_line import command_line_for
    from harness.subjects.command_line import refusal_of

    def probe() -> str | None:
        with open_host("real") as probe_host:
            return refusal_of(command_line_for(subject, probe_host, profile))

    with host_prepared(probe) as prep:
        notes = tuple(line for line in (prep.describe(), prep.failure) if line)
        refusal = None
        if prep.refusal is not None:
            also = f"; {prep.failure}" if prep.failure else ""
            refusal = f"{subject.name} cannot create a container on this host: {prep.refusal}{also}"
        yield RuntimeAccess(refusal, notes, host_changed=bool(prep.bound))
