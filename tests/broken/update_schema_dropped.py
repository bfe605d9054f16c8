"""Broken (its command line): ``update --l3-cache-schema`` / ``--mem-bw-schema`` exits 0 but
never reaches the resctrl group, as an update that only knows cgroup resources would.

The defect lives in ``update`` of the reference's command line (see tests/broken/_cli.py).
"""

from __future__ import annotations

import argparse
from typing import Any
from typing import TextIO

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from tests.broken._cli import patch_commands


class SchemaDroppingFactory(Factory):
    """The reference's factory, under the broken ``update``."""


def _dropping_schemas(update: Any) -> Any:
    def update_without_rdt(factory: Any, args: argparse.Namespace, out: TextIO) -> None:
        if isinstance(factory, SchemaDroppingFactory):
            args.l3_cache_schema = args.mem_bw_schema = ""  # the defect
        update(factory, args, out)

    return update_without_rdt


patch_commands(("update",), _dropping_schemas)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return SchemaDroppingFactory(root, system, get_profile(profile))
