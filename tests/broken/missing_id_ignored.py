"""Broken (its command line): start, kill, delete, pause and resume of an id that names no
container exit 0, saying nothing, as if a missing container were one already in the wanted
state; runtime-spec v1.0.2 runtime.md:123, :131, :138 and runc's pause.go make each an error.

The defect lives in those commands of the reference's command line (see tests/broken/_cli.py).
"""

from __future__ import annotations

import argparse
from typing import Any
from typing import TextIO

from reference_impl.errors import LibcontainerError
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from tests.broken._cli import patch_commands


class MissingIgnoringFactory(Factory):
    """The reference's factory, under the broken commands."""


def _ignoring_missing(command: Any) -> Any:
    def command_ignoring_missing(factory: Any, args: argparse.Namespace, out: TextIO) -> None:
        if isinstance(factory, MissingIgnoringFactory):
            try:
                factory.load(args.id)
            except LibcontainerError as err:
                if isinstance(err.__cause__, FileNotFoundError):
                    return  # the defect: no container, no error
        command(factory, args, out)

    return command_ignoring_missing


for _name in ("start", "kill", "delete", "pause", "resume"):
    patch_commands((_name,), _ignoring_missing)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return MissingIgnoringFactory(root, system, get_profile(profile))
