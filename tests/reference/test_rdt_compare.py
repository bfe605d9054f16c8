"""The closID comparison of the runtime-spec profile reads a group's schemata by value, as the
kernel prints it: padded names, zero-padded masks, every domain, MB in decimal."""

from __future__ import annotations

import pytest

from reference_impl.intelrdt.compare import schemata_mismatch

#: a group's schemata as a 6.x kernel prints it
CURRENT = "    MB:0= 100;1=  50\n    L3:0=0f0;1=7ff\n"


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("L3:0=f0;1=7ff\n", None),
        ("L3:1=7FF\n", None),
        ("L3:0=f0;1=7ff\nMB:0=100;1=50\n", None),
        ("L3:0=f0;1=7fe\n", "L3 domain 1 is 7ff, not 7fe"),
        ("MB:1=5\n", "MB domain 1 is 50, not 5"),
        ("L3:2=f\n", "its L3 line has no domain 2"),
        ("L2:0=f\n", "the group has no L2 line"),
        ("L3:0=xyz\n", "L3 domain 0 is 0f0, not xyz"),
    ],
)
def test_a_schema_matches_by_value(given: str, why: str | None) -> None:
    assert schemata_mismatch(given, CURRENT) == why
