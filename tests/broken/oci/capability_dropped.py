#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``create`` drops the first capability of the bounding
set from every set of process.capabilities before runc reads config.json, so init lacks a
capability it was given (CLI-CFG-CAPS-BOUNDING and the other sets' rules).

A wrapper around a real runtime, for real hosts only::

    rtgate run --subject oci:tests/broken/oci/capability_dropped.py --host real

The wrapped binary is ``$RTGATE_WRAPPED_RUNTIME`` (default ``runc``).
"""

from __future__ import annotations

import sys
from typing import Any

from _wrapper import editing_create
from _wrapper import main


def _drop_one(spec: dict[str, Any]) -> None:
    sets = (spec.get("process") or {}).get("capabilities") or {}
    bounding = sets.get("bounding") or []
    if not bounding:
        return
    dropped = bounding[0]
    for name, caps in sets.items():
        sets[name] = [cap for cap in caps or () if cap != dropped]  # the defect


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], editing_create(_drop_one)))
