"""Whether the tests may use this machine as a real host (containers, cgroups, mounts, the
fault engine): as root they do, unless ``RTGATE_NO_REAL`` is set, which lets ``make test``
run as root on a machine whose cgroups and resctrl must not be touched (a production node,
a shared CI runner).  One place, so every such test says the same thing when it skips."""

from __future__ import annotations

import os

import pytest

from harness.hosts import real_host_unavailable

__all__ = ["NO_REAL", "needs_real_host", "real_host_off"]

#: the variable that turns the real-host tests off ("", "0": on)
NO_REAL = "RTGATE_NO_REAL"


def real_host_off() -> str | None:
    """Why the tests must leave this machine alone (turned off, not root, no cgroups), or
    None when they may use it."""
    value = os.environ.get(NO_REAL, "")
    if value not in ("", "0"):
        return f"{NO_REAL}={value}: the real-host tests are turned off"
    return real_host_unavailable()


#: a mark for a test that uses this machine as a real host
needs_real_host = pytest.mark.skipif(
    real_host_off() is not None, reason=f"real host: {real_host_off()}"
)
