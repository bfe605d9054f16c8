#!/usr/bin/env python3
"""Broken OCI runtime: every command fails, ``--version`` included, with the kind of message a
runtime that cannot set up any container prints (as runc does when its init cannot be started).
It runs nothing: the start-up probe must call it broken, not a host that refuses it."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    command = next((a for a in argv if not a.startswith("-")), "runc")
    print(
        f'time="2024-01-01T00:00:00Z" level=error msg="runc {command} failed: unable to start '
        'container process: error during container init: permission denied"',
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
