"""Broken (its command line): start, kill, pause and resume take a lock by making the
container's dir under the root before they look the container up, and leave it when the id
names no container; runtime-spec v1.0.2 runtime.md:80 says a failed operation leaves the
environment as it found it, and the dir then blocks that id's create.

The defect lives in those commands of the reference's command line (see tests/broken/_cli.py).
"""

from __future__ import annotations

import argparse
import os
from typing import Any
from typing import TextIO

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from tests.broken._cli import patch_commands


class LockDirFactory(Factory):
    """The reference's factory, under the broken commands."""


def _locking(command: Any) -> Any:
    def command_locking(factory: Any, args: argparse.Namespace, out: TextIO) -> None:
        if isinstance(factory, LockDirFactory):
            os.makedirs(os.path.join(factory.root, args.id), 0o711, exist_ok=True)
        command(factory, args, out)  # the defect: when this fails, the dir stays

    return command_locking


for _name in ("start", "kill", "pause", "resume"):
    patch_commands((_name,), _locking)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return LockDirFactory(root, system, get_profile(profile))
