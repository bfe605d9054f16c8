#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``start`` of a running container exits 0 instead of
failing (CLI-START-RUNNING)."""

from __future__ import annotations

import json
import subprocess
import sys

from _wrapper import main


def _start(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
    if command != "start" or not rest:
        return None
    state = subprocess.run(  # noqa: S603 - the wrapped runtime
        [*runtime, *options, "state", rest[-1]], capture_output=True, text=True, check=False
    )
    if state.returncode == 0 and json.loads(state.stdout).get("status") == "running":
        return 0  # the defect
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _start))
