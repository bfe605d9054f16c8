#!/usr/bin/env python3
"""Broken OCI runtime: every call, ``--version`` included, takes 30 s before runc (or
``$RTGATE_WRAPPED_RUNTIME``) does what it was asked: correct, but too slow to be checked."""

from __future__ import annotations

import os
import sys
import time

from _wrapper import wrapped

#: how long each call waits before doing its work: the defect
DELAY_S = 30.0


if __name__ == "__main__":
    time.sleep(DELAY_S)
    runtime = wrapped()
    os.execvp(runtime[0], [*runtime, *sys.argv[1:]])  # noqa: S606 - the wrapped runtime
