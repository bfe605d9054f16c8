"""Broken: the resctrl writer records its group only once the schema took, so a group whose
schema the kernel refused is never removed."""

from __future__ import annotations

import os

from reference_impl.configs import IntelRdtConfig
from reference_impl.fileutil import write_file
from reference_impl.intelrdt import IntelRdtManager
from reference_impl.intelrdt import schemata_value
from tests.broken._managers import factory_with_managers


class RecordsLate(IntelRdtManager):
    def apply(self, pid: int) -> None:
        super().apply(pid)
        self.path = ""  # the defect: forgotten until set succeeds

    def set(self, config: IntelRdtConfig | str) -> None:
        if isinstance(config, str):
            config = IntelRdtConfig(l3_cache_schema=config)
        value = schemata_value(config)
        path = self.group_path()
        if value:
            write_file(os.path.join(path, "schemata"), value)
        self.path = path


new_factory = factory_with_managers("RdtGroupLeftOnRefusedSchema", rdt=RecordsLate)
