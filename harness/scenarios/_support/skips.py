"""Ending a test early for what the host or the runtime cannot do, saying which.

- :func:`skip_for_host`: the host lacks what the rule needs; the skip names that feature, in the
  shape ``--certify`` accepts (harness/spec/skip_reasons.py).
- :func:`require_runtime`: the start-up probe's verdict on the runtime (harness/subjects/probe.py):
  a failure with its evidence when the runtime is broken, a skip for the missing host feature
  when the host refuses it in a way the probe recognises.
"""

from __future__ import annotations

from typing import NoReturn

import pytest

from harness.hosts import Host
from harness.hosts import HostCannot
from harness.spec.skip_reasons import missing_host_feature
from harness.subjects.access import RuntimeAccess

__all__ = ["require_runtime", "skip_for_host", "slow_task_in"]


def skip_for_host(feature: str, reason: str) -> NoReturn:
    """Skip: this host lacks ``feature``, as ``reason`` (what was probed) says."""
    pytest.skip(missing_host_feature(feature, reason))


def require_runtime(access: RuntimeAccess) -> None:
    """Return when the runtime can run a container here; else fail or skip, saying why."""
    if access.broken is not None:
        pytest.fail(f"the runtime failed the start-up probe: {access.broken}", pytrace=False)
    if access.refusal is not None:
        skip_for_host(access.missing_feature or "a host the runtime accepts", access.refusal)


def slow_task_in(host: Host, hierarchy: str, path: str, reads: int = 3) -> int:
    """A task that stays freezing for ``reads`` looks at the freezer, moved into ``path`` of
    ``hierarchy``; skip where the host cannot make one (a real kernel)."""
    try:
        slow = host.slow_to_freeze(reads)
    except HostCannot as why:
        skip_for_host("a task slow to freeze", str(why))
    host.move_to_cgroup(slow, hierarchy, path)
    return slow
