"""Broken (its command line): create makes the container's state dir before it reads
config.json, and leaves it there when the bundle is missing, is not JSON or has no process
args (the "aborted start" leftover runc's delete.go warns of).

The defect lives in ``create`` of the reference's command line, which reads the bundle before
the factory is asked for anything; the factory here only marks the commands it drives, so the
reference's own commands are unchanged when this module is imported next to them.
"""

from __future__ import annotations

import argparse
import os
from typing import Any
from typing import TextIO

from reference_impl.factory import Factory
from reference_impl.oci_config import load_bundle
from reference_impl.profiles import get_profile
from tests.broken._cli import patch_commands


class DirFirstFactory(Factory):
    """The reference's factory, under the broken ``create``."""


def _dir_first(create: Any) -> Any:
    def create_dir_first(factory: Any, args: argparse.Namespace, out: TextIO) -> None:
        if not isinstance(factory, DirFirstFactory):
            create(factory, args, out)
            return
        made = os.path.join(factory.root, args.id)
        fresh = not os.path.exists(made)
        if fresh:
            os.makedirs(made, 0o711)
        load_bundle(args.bundle, args.id)  # the defect: when this fails, `made` stays
        if fresh:
            os.rmdir(made)
        create(factory, args, out)

    return create_dir_first


patch_commands(("create", "run"), _dir_first)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return DirFirstFactory(root, system, get_profile(profile))
