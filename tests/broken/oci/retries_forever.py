#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``delete`` retries the removal of the container's
cgroup directories for as long as any is left, without end: a group the kernel keeps busy
(rmdir failing with EBUSY at every attempt) makes it hang.  The harness must stop it at the
command's timeout and fail the rule (CLI-DELETE-FAULTS-LOGGED: runc logs and exits 0), not
hang the run."""

from __future__ import annotations

import os
import sys
import time

from _wrapper import bundle_config
from _wrapper import cgroup_dirs
from _wrapper import main
from _wrapper import run
from _wrapper import state

RETRY_PAUSE_S = 0.02


def _delete(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
    if command != "delete" or not rest:
        return None
    config = bundle_config(state(runtime, options, rest[-1]))
    code = run([*runtime, *options, command, *rest])
    while left := cgroup_dirs(config):  # the defect: no last attempt
        for path in sorted(left, key=len, reverse=True):
            try:
                os.rmdir(path)
            except OSError:
                pass
        time.sleep(RETRY_PAUSE_S)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _delete))
