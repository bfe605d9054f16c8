"""Broken (its command line): ``update --l3-cache-schema`` of a container made without intelRdt
exits 0 and makes no group, as an update that only calls a writer the container already has
would; runc gives the container a group first (v1.1.5 update.go:310-322).

The defect lives in ``update`` of the reference's command line (see tests/broken/_cli.py).
"""

from __future__ import annotations

import argparse
from typing import Any
from typing import TextIO

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from tests.broken._cli import patch_commands


class WriterOnlyFactory(Factory):
    """The reference's factory, under the broken ``update``."""


def _skipping_new_groups(update: Any) -> Any:
    def update_with_writers_only(factory: Any, args: argparse.Namespace, out: TextIO) -> None:
        if isinstance(factory, WriterOnlyFactory):
            if factory.load(args.id).config.intel_rdt is None:
                args.l3_cache_schema = args.mem_bw_schema = ""  # the defect
        update(factory, args, out)

    return update_with_writers_only


patch_commands(("update",), _skipping_new_groups)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return WriterOnlyFactory(root, system, get_profile(profile))
