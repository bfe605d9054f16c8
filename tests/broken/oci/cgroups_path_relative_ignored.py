#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``create`` and ``run`` first drop a relative
``linux.cgroupsPath`` from the bundle's config.json, so runc puts each container in a group
named after its id: two containers of the same value get two places
(CLI-CREATE-CGROUPS-PATH-RELATIVE).

A wrapper around a real runtime, for real hosts only::

    rtgate run --subject oci:tests/broken/oci/cgroups_path_relative_ignored.py --host real

The wrapped binary is ``$RTGATE_WRAPPED_RUNTIME`` (default ``runc``).  It only ever rewrites
the config.json of the bundle the command names.
"""

from __future__ import annotations

import sys
from typing import Any

from _wrapper import editing_create
from _wrapper import main


def _drop_relative_path(spec: dict[str, Any]) -> None:
    linux = spec.get("linux") or {}
    if not str(linux.get("cgroupsPath") or "/").startswith("/"):
        del linux["cgroupsPath"]  # the defect


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], editing_create(_drop_relative_path, ("create", "run"))))
