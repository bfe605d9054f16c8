"""Broken (its command line): ``features`` prints ociVersionMax and leaves out ociVersionMin,
which runtime-spec features.md:14-15 makes REQUIRED, as a runtime that only thinks of the newest
version it knows would.

The defect lives in ``features`` of the reference's command line (see tests/broken/_cli.py).
"""

from __future__ import annotations

import argparse
import io
import json
from typing import Any
from typing import TextIO

from reference_impl.factory import Factory
from reference_impl.profiles import get_profile
from tests.broken._cli import patch_commands


class NoMinimumFactory(Factory):
    """The reference's factory, under the broken ``features``."""


def _without_minimum(features: Any) -> Any:
    def features_without_min(factory: Any, args: argparse.Namespace, out: TextIO) -> None:
        if not isinstance(factory, NoMinimumFactory):
            features(factory, args, out)
            return
        said = io.StringIO()
        features(factory, args, said)
        document = json.loads(said.getvalue())
        del document["ociVersionMin"]  # the defect
        print(json.dumps(document, indent=4), file=out)

    return features_without_min


patch_commands(("features",), _without_minimum)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return NoMinimumFactory(root, system, get_profile(profile))
