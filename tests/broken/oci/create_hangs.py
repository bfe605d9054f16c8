#!/usr/bin/env python3
"""Broken OCI runtime: runc, except that ``create`` never returns (it blocks before doing
anything), so only a deadline on the command ends it."""

from __future__ import annotations

import signal
import sys

from _wrapper import main


def _hang(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
    if command != "create":
        return None
    while True:  # the defect: wait for a signal that only the caller's kill brings
        signal.pause()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], _hang))
