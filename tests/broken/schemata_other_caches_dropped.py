"""Broken: of the ``schemata`` lines only those l3CacheSchema and memBwSchema could hold (L3
and MB) are written, as a runtime that maps the v1.3 field onto the older two does; an L2 line,
or the L3CODE and L3DATA lines of a cdp mount, are lost."""

from __future__ import annotations

import dataclasses

from reference_impl.configs import IntelRdtConfig
from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers

_OLDER = ("L3:", "MB:")


class KeepsOnlyL3AndMb(IntelRdtManager):
    def set(self, config: IntelRdtConfig) -> None:
        kept = tuple(line for line in config.schemata if line.startswith(_OLDER))  # the defect
        super().set(dataclasses.replace(config, schemata=kept))


new_factory = factory_with_managers("SchemataOtherCachesDropped", rdt=KeepsOnlyL3AndMb)
