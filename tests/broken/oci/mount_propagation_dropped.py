#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``create`` and ``run`` first drop the propagation
options (shared, slave, private, unbindable and their recursive forms) from every mount of the
bundle's config.json, so each mount keeps what it inherits (CLI-CFG-MOUNTS-PROPAGATION).

A wrapper around a real runtime, for real hosts only::

    rtgate run --subject oci:tests/broken/oci/mount_propagation_dropped.py --host real

The wrapped binary is ``$RTGATE_WRAPPED_RUNTIME`` (default ``runc``).  It only ever rewrites
the config.json of the bundle the command names.
"""

from __future__ import annotations

import sys
from typing import Any

from _wrapper import editing_create
from _wrapper import main

PROPAGATIONS = {f"{r}{p}" for r in ("", "r") for p in ("shared", "slave", "private", "unbindable")}


def _drop_propagation(spec: dict[str, Any]) -> None:
    for mount in spec.get("mounts") or []:
        options = mount.get("options")
        if isinstance(options, list):
            mount["options"] = [o for o in options if o not in PROPAGATIONS]  # the defect


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], editing_create(_drop_propagation, ("create", "run"))))
