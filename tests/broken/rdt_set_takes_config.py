"""Broken: the resctrl writer takes the config a Set gave it, so a Set naming another closID
changes what Destroy removes; runc 1.2's Manager keeps the config it was made with (v1.2.0
intelrdt.go:148-153, 593-673)."""

from __future__ import annotations

from reference_impl.configs import IntelRdtConfig
from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class TakesSetConfig(IntelRdtManager):
    def set(self, config: IntelRdtConfig) -> None:
        IntelRdtManager.set(self, config)
        self.config = config  # the defect: Destroy now follows the Set's closID


new_factory = factory_with_managers("RdtSetTakesConfig", rdt=TakesSetConfig)
