#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``delete`` (of a stopped container, or forced) removes
the state dir first and the cgroup directories after it, and stops at a cgroup it cannot
remove: exit 1, the poststop hooks never run, and with the state gone no second delete can
finish the job (CLI-DELETE-FAULTS-ALL-STEPS: runc 1.1 runs every step; CLI-DELETE-FAULTS-LOGGED:
it logs and exits 0)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from typing import Any

from _wrapper import bundle_config
from _wrapper import cgroup_dirs
from _wrapper import main
from _wrapper import option
from _wrapper import run
from _wrapper import state

#: how long a killed container may take to be seen stopped
STOP_WAIT_S = 10.0


def _stopped(runtime: list[str], options: list[str], cid: str) -> bool:
    deadline = time.monotonic() + STOP_WAIT_S
    while state(runtime, options, cid).get("status") != "stopped":
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _poststop(config: dict[str, Any], known: dict[str, Any]) -> None:
    text = json.dumps({**known, "status": "stopped"})
    for hook in (config.get("hooks") or {}).get("poststop") or []:
        argv = [hook["path"], *(hook.get("args") or [hook["path"]])[1:]]
        subprocess.run(argv, input=text, text=True, check=False, timeout=10)  # noqa: S603


def _delete(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
    if command != "delete" or not rest:
        return None
    cid = rest[-1]
    known = state(runtime, options, cid)
    forced = "--force" in rest or "-f" in rest
    if not known or (known.get("status") != "stopped" and not forced):
        return None  # runc says what is wrong
    if known.get("status") != "stopped":
        run([*runtime, *options, "kill", cid, "KILL"])
        if not _stopped(runtime, options, cid):
            print("container init still running", file=sys.stderr)
            return 1
    config = bundle_config(known)
    root = option(options, "--root") or "/run/runc"
    shutil.rmtree(os.path.join(root, cid), ignore_errors=True)  # the defect: the state first
    for path in sorted(cgroup_dirs(config), key=len, reverse=True):
        try:
            os.rmdir(path)
        except OSError as err:
            print(f"remove cgroup {path}: {err.strerror}", file=sys.stderr)
            return 1  # ... and a return before the hooks
    _poststop(config, known)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _delete))
