"""Broken: the resctrl writer writes schemata without the final newline, which the kernel
refuses (EINVAL before it even parses the lines)."""

from __future__ import annotations

import os

from reference_impl.configs import IntelRdtConfig
from reference_impl.fileutil import write_file
from reference_impl.intelrdt import IntelRdtError
from reference_impl.intelrdt import IntelRdtManager
from reference_impl.intelrdt import schemata_value
from tests.broken._managers import factory_with_managers


class NoNewline(IntelRdtManager):
    def set(self, config: IntelRdtConfig | str) -> None:
        if isinstance(config, str):
            config = IntelRdtConfig(l3_cache_schema=config)
        value = schemata_value(config).rstrip("\n")  # the defect
        if not value:
            return
        try:
            write_file(os.path.join(self.get_path(), "schemata"), value)
        except OSError as err:
            raise IntelRdtError(f"failed to write {value} to schemata: {err}") from err


new_factory = factory_with_managers("SchemataWithoutNewline", rdt=NoNewline)
