#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``create`` leaves the first of linux.readonlyPaths
out of config.json before runc reads it, so that path stays writable inside the container
(CLI-CFG-READONLY-PATHS).

A wrapper around a real runtime, for real hosts only::

    rtgate run --subject oci:tests/broken/oci/readonly_path_writable.py --host real

The wrapped binary is ``$RTGATE_WRAPPED_RUNTIME`` (default ``runc``).
"""

from __future__ import annotations

import sys
from typing import Any

from _wrapper import editing_create
from _wrapper import main


def _writable_first(spec: dict[str, Any]) -> None:
    paths = (spec.get("linux") or {}).get("readonlyPaths") or []
    if paths:
        spec["linux"]["readonlyPaths"] = paths[1:]  # the defect


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], editing_create(_writable_first)))
