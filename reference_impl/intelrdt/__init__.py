"""Intel RDT through resctrl: the seed's writer and what runc added to it (MBA, closID,
monitoring, last_cmd_status in errors)."""

from __future__ import annotations

from reference_impl.intelrdt.manager import IntelRdtError
from reference_impl.intelrdt.manager import IntelRdtManager
from reference_impl.intelrdt.manager import RdtFeatures
from reference_impl.intelrdt.manager import find_mountpoint
from reference_impl.intelrdt.manager import probe_features
from reference_impl.intelrdt.manager import schemata_value
from reference_impl.intelrdt.validate import IntelRdtConfigError
from reference_impl.intelrdt.validate import validate_intel_rdt

__all__ = [
    "IntelRdtConfigError",
    "IntelRdtError",
    "IntelRdtManager",
    "RdtFeatures",
    "find_mountpoint",
    "probe_features",
    "schemata_value",
    "validate_intel_rdt",
]
