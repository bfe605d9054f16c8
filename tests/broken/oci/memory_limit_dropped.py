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

import sys
from typing import Any

from _wrapper import editing_create
from _wrapper import main


def _drop_memory_limit(spec: dict[str, Any]) -> None:
    memory = ((spec.get("linux") or {}).get("resources") or {}).get("memory")
    if isinstance(memory, dict) and "limit" in memory:
        del memory["limit"]  # the defect


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], editing_create(_drop_memory_limit, ("create", "run"))))
