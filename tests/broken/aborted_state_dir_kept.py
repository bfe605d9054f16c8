"""Broken (its command line): delete of an id that has a state dir but no state (an aborted
create's leftover) fails as it should, but leaves the dir, which then blocks that id for good.

The defect lives in ``delete`` of the reference's command line (see tests/broken/_cli.py).
"""

from __future__ import annotations

import argparse
from typing import Any
from typing import TextIO

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from tests.broken._cli import patch_commands


class DirKeepingFactory(Factory):
    """The reference's factory, under the broken ``delete``."""


def _keeping_dir(delete: Any) -> Any:
    def delete_keeping_dir(factory: Any, args: argparse.Namespace, out: TextIO) -> None:
        if isinstance(factory, DirKeepingFactory):
            factory.load(args.id)  # the defect: an unknown id fails here, its dir kept
        delete(factory, args, out)

    return delete_keeping_dir


patch_commands(("delete",), _keeping_dir)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return DirKeepingFactory(root, system, get_profile(profile))
