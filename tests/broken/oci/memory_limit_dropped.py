#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``create`` and ``run`` first drop
``linux.resources.memory.limit`` from the bundle's config.json (and put nothing back), so the
container's group keeps the kernel's unlimited memory (CLI-CREATE-MEMORY).

A wrapper around a real runtime, for real hosts only::

    rtgate run --subject oci:tests/broken/oci/memory_limit_dropped.py --host real

The wrapped binary is ``$RTGATE_WRAPPED_RUNTIME`` (default ``runc``).  It only ever rewrites
the config.json of the bundle the command names.
"""

from __future__ import annotations

import json
import os
import sys

from _wrapper import main


def _bundle(rest: list[str]) -> str:
    """The bundle a create or run names (``--bundle B``, ``-b B``, ``--bundle=B``; else the
    working directory)."""
    for i, arg in enumerate(rest):
        if arg in ("--bundle", "-b") and i + 1 < len(rest):
            return rest[i + 1]
        if arg.startswith("--bundle="):
            return arg.partition("=")[2]
    return os.getcwd()


def _drop_memory_limit(
    runtime: list[str], options: list[str], command: str, rest: list[str]
) -> None:
    """Rewrite the bundle's config.json without the memory limit, then let the command run
    as asked (None)."""
    if command not in ("create", "run"):
        return None
    path = os.path.join(_bundle(rest), "config.json")
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, ValueError):
        return None
    memory = ((spec.get("linux") or {}).get("resources") or {}).get("memory")
    if isinstance(memory, dict) and "limit" in memory:
        del memory["limit"]  # the defect
        with open(path, "w", encoding="utf-8") as f:
            json.dump(spec, f)
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _drop_memory_limit))
