#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``create`` drops the poststop hooks of the bundle's
config.json, so delete runs none (CLI-DELETE-RUNS-POSTSTOP)."""

from __future__ import annotations

import json
import os
import sys

from _wrapper import main


def _create(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
    if command not in ("create", "run"):
        return None
    bundle = next((rest[i + 1] for i, a in enumerate(rest[:-1]) if a in ("--bundle", "-b")), ".")
    path = os.path.join(bundle, "config.json")
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    (spec.get("hooks") or {}).pop("poststop", None)  # the defect
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spec, f)
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _create))
