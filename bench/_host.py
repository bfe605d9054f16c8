"""The ``--host`` option every benchmark shares: a benchmark touches this machine's cgroups and
runtimes only when asked with ``--host real`` (issue 18: ``make bench`` never uses the real host
without saying so), and one that is skipped says why in one line."""

from __future__ import annotations

import argparse
import os

__all__ = ["add_host_option", "real_host_refused"]

#: what a benchmark says when it was not asked for the real host
NOT_ASKED = "it uses this machine as a real host (as root), which only --host real asks for"


def add_host_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        choices=("simulated", "real"),
        default="simulated",
        help="real: also measure on this machine as a real host (root; make bench HOST=real)",
    )


def real_host_refused(host: str) -> str | None:
    """Why the real-host part of a benchmark does not run, or None when it may."""
    if host != "real":
        return NOT_ASKED
    if os.geteuid() != 0:
        return f"--host real needs root (euid {os.geteuid()})"
    return None
