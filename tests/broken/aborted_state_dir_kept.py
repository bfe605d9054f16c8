"""Broken (its command line): delete of an id that has a state dir but no state (an aborted
create's leftover) fails as it should, but leaves the dir, which then blocks that id for good.

The defect lives in ``delete`` of the reference's command line; the factory here only marks
the commands it drives, so the reference's own commands are unchanged when this module is
imported next to them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any
from typing import TextIO

from reference_impl import cli as reference_cli
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class DirKeepingFactory(Factory):
    """The reference's factory, under the broken ``delete``."""


def _patch(commands: dict[str, Any]) -> None:
    delete = commands["delete"]

    def delete_keeping_dir(factory: Any, args: argparse.Namespace, out: TextIO) -> None:
        if isinstance(factory, DirKeepingFactory):
            factory.load(args.id)  # the defect: an unknown id fails here, its dir kept
        delete(factory, args, out)

    commands["delete"] = delete_keeping_dir


_patch(reference_cli._COMMANDS)
# run as a program (``python -m reference_impl.cli``) the commands are __main__'s own
_main = sys.modules.get("__main__")
if getattr(getattr(_main, "__spec__", None), "name", "") == "reference_impl.cli":
    _patch(_main._COMMANDS)  # type: ignore[union-attr]


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return DirKeepingFactory(root, system, get_profile(profile))
