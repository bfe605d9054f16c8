"""Broken: the ``schemata`` lines are written before ``l3CacheSchema`` and ``memBwSchema``, so
an older field's line for the same caches wins where the v1.3 lines should."""

from __future__ import annotations

import dataclasses

from reference_impl.configs import IntelRdtConfig
from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class WritesSchemataFirst(IntelRdtManager):
    def set(self, config: IntelRdtConfig) -> None:
        if config.schemata:  # the defect: the new lines first, the older fields after
            super().set(IntelRdtConfig(schemata=config.schemata))
            config = dataclasses.replace(config, schemata=())
        super().set(config)


new_factory = factory_with_managers("SchemataWrittenFirst", rdt=WritesSchemataFirst)
