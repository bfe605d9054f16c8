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
import sys
from typing import Any
from typing import TextIO

from reference_impl import cli as reference_cli
from reference_impl.factory import Factory
from reference_impl.oci_config import load_bundle
from reference_impl.profiles import get_profile


class DirFirstFactory(Factory):
    """The reference's factory, under the broken ``create``."""


def _patch(commands: dict[str, Any]) -> None:
    create = commands["create"]

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

    commands["create"] = commands["run"] = create_dir_first


_patch(reference_cli._COMMANDS)
# run as a program (``python -m reference_impl.cli``) the commands are __main__'s own
_main = sys.modules.get("__main__")
if getattr(getattr(_main, "__spec__", None), "name", "") == "reference_impl.cli":
    _patch(_main._COMMANDS)  # type: ignore[union-attr]


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return DirFirstFactory(root, system, get_profile(profile))
