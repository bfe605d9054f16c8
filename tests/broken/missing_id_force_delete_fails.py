"""Broken (its command line): ``delete --force`` of an id that names no container fails, where
runc's delete.go returns nil for --force once it has removed any dir the id left (692f6e1
delete.go:65-67, v1.1.5 delete.go:63-65), so that a caller's cleanup can delete blindly.

The defect lives in ``delete`` of the reference's command line (see tests/broken/_cli.py).
"""

from __future__ import annotations

import argparse
from typing import Any
from typing import TextIO

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from tests.broken._cli import patch_commands


class ForceRefusingFactory(Factory):
    """The reference's factory, under the broken ``delete``."""


def _forcing_load(delete: Any) -> Any:
    def delete_loading_first(factory: Any, args: argparse.Namespace, out: TextIO) -> None:
        if isinstance(factory, ForceRefusingFactory):
            factory.load(args.id)  # the defect: a missing id fails here, --force or not
        delete(factory, args, out)

    return delete_loading_first


patch_commands(("delete",), _forcing_load)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return ForceRefusingFactory(root, system, get_profile(profile))
