"""What ``rtgate run`` puts in its environment for the processes and calls of the run, and takes
back when it ends (the tests run it in process, many times).

- :data:`~harness.subjects.bounded.LIMIT_VARIABLE`: ``--call-timeout``, the limit of each call
  into a ``python:`` subject, read by this process and inherited by its xdist workers;
- :data:`~harness.hosts.ownership.OWNER_VARIABLE`: the run's own owner tag, when it inherited
  one.  A run started by another run (a nested ``rtgate run``: a subject, a test or a script
  that a run started) inherits the outer run's tag, so what it started before it made a host
  (its workers, their commands) carried the outer run's name, and ``rtgate cleanup`` after the
  outer run ended took the inner run's processes for the outer run's leftovers.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from harness.subjects.bounded import LIMIT_VARIABLE

__all__ = ["run_environment"]


@contextlib.contextmanager
def run_environment(call_timeout: float | None) -> Iterator[None]:
    """The run's variables set (see above) for the block; the earlier values back after it."""
    changes: dict[str, str] = {}
    if call_timeout is not None:
        changes[LIMIT_VARIABLE] = repr(call_timeout)
    changes.update(_own_owner())
    before = {name: os.environ.get(name) for name in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _own_owner() -> dict[str, str]:
    """The owner variable naming this process, when it inherited one naming another."""
    from harness.hosts.ownership import OWNER_VARIABLE  # the hosts package is heavy
    from harness.hosts.ownership import owner_tag

    if OWNER_VARIABLE not in os.environ:
        return {}
    return {OWNER_VARIABLE: f"rtgate-{owner_tag()}"}
