#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``delete`` keeps quiet about a state dir it could not
remove: the lines of its error output that name the state dir are dropped, so nothing tells
the operator why the container's state is left (CLI-DELETE-FAULTS-FIRST-NAMED: runc's error
names the state dir)."""

from __future__ import annotations

import os
import subprocess
import sys

from _wrapper import main
from _wrapper import option


def _delete(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
    if command != "delete" or not rest:
        return None
    root = option(options, "--root") or "/run/runc"
    done = subprocess.run(  # noqa: S603 - the wrapped runtime
        [*runtime, *options, command, *rest], capture_output=True, text=True, check=False
    )
    sys.stdout.write(done.stdout)
    state_dir = os.path.join(root, rest[-1])
    kept = [line for line in done.stderr.splitlines(True) if state_dir not in line]
    sys.stderr.write("".join(kept))  # the defect: the state dir's error is gone
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _delete))
