#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``delete`` of a paused container forces it, so the
container is gone instead of the command failing (CLI-DELETE-PAUSED)."""

from __future__ import annotations

import json
import subprocess
import sys

from _wrapper import main
from _wrapper import run


def _delete(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
    if command != "delete" or "--force" in rest or "-f" in rest or not rest:
        return None
    state = subprocess.run(  # noqa: S603 - the wrapped runtime
        [*runtime, *options, "state", rest[-1]], capture_output=True, text=True, check=False
    )
    if state.returncode != 0 or json.loads(state.stdout).get("status") != "paused":
        return None
    return run([*runtime, *options, "delete", "--force", rest[-1]])  # the defect


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _delete))
