#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that a successful ``delete`` also deletes the network
namespaces the container joined by path, as ``ip netns delete`` would (unmount, MNT_DETACH,
then unlink), although the runtime never created them (CLI-NETNS-JOINED-KEPT).

A wrapper around a real runtime, for real hosts only (the simulated host's kernel cannot be
unmounted through ``os``, so no in-process variant of the reference can make this mistake)::

    rtgate run --subject oci:tests/broken/oci/netns_joined_deleted.py --host real

The wrapped binary is ``$RTGATE_WRAPPED_RUNTIME`` (default ``runc``).  It only ever removes the
paths the deleted container's own config.json names.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys

from _wrapper import main
from _wrapper import run

MNT_DETACH = 2


def _joined_netns(runtime: list[str], cid: str) -> list[str]:
    """The network namespace paths of ``cid``'s config.json, read before it is deleted."""
    done = subprocess.run([*runtime, "state", cid], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        return []
    bundle = json.loads(done.stdout).get("bundle", "")
    try:
        with open(os.path.join(bundle, "config.json"), encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, ValueError):
        return []
    entries = (spec.get("linux") or {}).get("namespaces") or []
    return [e["path"] for e in entries if e.get("type") == "network" and e.get("path")]


def _delete(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
    if command != "delete" or not rest:
        return None
    paths = _joined_netns([*runtime, *options], rest[-1])
    code = run([*runtime, *options, command, *rest])
    if code == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for path in paths:  # the defect
            libc.umount2(path.encode(), MNT_DETACH)
            try:
                os.unlink(path)
            except OSError:
                pass
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _delete))
