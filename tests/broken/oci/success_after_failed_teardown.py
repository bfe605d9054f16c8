#!/usr/bin/env python3
"""Broken OCI runtime: crun, except that ``delete`` exits 0 whatever failed.  crun 1.8 exits 1
when its state dir cannot be removed, as the runtime-spec profile asks of a delete that leaves
a resource create made (CLI-DELETE-FAULTS-NONZERO); this one reports success.

runc 1.1.5 cannot be the wrapped runtime here: it exits 0 after any failed teardown step, which
its own profiles (seed, runc-1.1) allow and the runtime-spec profile already fails it for.
The wrapped binary is ``$RTGATE_WRAPPED_RUNTIME`` (default ``crun``)."""

from __future__ import annotations

import sys

from _wrapper import main
from _wrapper import run
from _wrapper import wrapped


def _delete(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
    if command != "delete" or not rest:
        return None
    run([*runtime, *options, command, *rest])
    return 0  # the defect


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _delete, runtime=wrapped("crun")))
