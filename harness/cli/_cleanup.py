"""``rtgate cleanup``: remove what real-host runs that were killed left behind."""

from __future__ import annotations

import argparse
import os

from harness.errors import UsageError

__all__ = ["cleanup"]


def cleanup(args: argparse.Namespace) -> int:
    """List (``--dry-run``) or remove the leftovers of dead runs; exit 1 if some remain.

    Raises:
        UsageError: not root (the leftovers are cgroups and mounts).
    """
    if os.geteuid() != 0:
        raise UsageError(f"'cleanup' needs root to remove cgroups and mounts (euid {os.geteuid()})")
    from harness.hosts.leftovers import find_leftovers
    from harness.hosts.leftovers import remove_leftovers

    found = find_leftovers()
    if not found:
        print("no leftovers of earlier runs")
        return 0
    if args.dry_run:
        for line in found.describe():
            print(f"would remove {line}")
        return 0
    problems = remove_leftovers(found)
    left = set(find_leftovers().describe())
    for line in found.describe():
        print(f"{'left' if line in left else 'removed'} {line}")
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems or left else 0
