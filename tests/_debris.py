"""One lock between the tests that make a dead run's leftovers on purpose and the tests that
check that this machine holds no leftovers.

``tests/cli/test_cleanup.py`` leaves what a SIGKILLed run leaves, named after a pid that has
just ended.  A check on another xdist worker (or in another pytest session on this machine)
that looks at every dead run's leftovers, or at a prefix whose pid the kernel has since given
to the run it checks, found those and failed: CI saw a gate run with pid 1686 "leave" the
cleanup test's groups of the dead pid 1686.  The maker holds the lock exclusively while its
leftovers exist; a check holds it shared, so it never sees them.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator

__all__ = ["checking_leftovers", "making_leftovers"]

#: machine-wide, as the leftovers are
LOCK_PATH = "/tmp/rtgate-tests-leftovers.lock"  # noqa: S108 - a lock, no data


@contextlib.contextmanager
def _locked(kind: int) -> Iterator[None]:
    with open(LOCK_PATH, "a") as lock:
        fcntl.flock(lock, kind)
        yield


def making_leftovers() -> contextlib.AbstractContextManager[None]:
    """For the block, no leftovers check runs anywhere on this machine."""
    return _locked(fcntl.LOCK_EX)


def checking_leftovers() -> contextlib.AbstractContextManager[None]:
    """For the block, no test's deliberate leftovers exist."""
    return _locked(fcntl.LOCK_SH)
