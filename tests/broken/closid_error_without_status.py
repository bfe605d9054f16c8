"""Broken: resctrl errors come without what ``info/last_cmd_status`` says, the only place the
kernel tells why (here: "Out of CLOSIDs")."""

from __future__ import annotations

from reference_impl.intelrdt import IntelRdtManager
from reference_impl.intelrdt.manager import IntelRdtError
from tests.broken._managers import factory_with_managers


class SaysNoStatus(IntelRdtManager):
    def _last_cmd(self, message: str) -> IntelRdtError:
        return IntelRdtError(message)  # the defect: last_cmd_status is never read


new_factory = factory_with_managers("ClosidErrorWithoutStatus", rdt=SaysNoStatus)
