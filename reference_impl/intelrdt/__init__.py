"""Intel RDT through resctrl, as the seed (runc 692f6e1) writes it."""

from __future__ import annotations

from reference_impl.intelrdt.manager import IntelRdtError
from reference_impl.intelrdt.manager import IntelRdtManager
from reference_impl.intelrdt.manager import RdtFeatures
from reference_impl.intelrdt.manager import find_mountpoint
from reference_impl.intelrdt.manager import probe_features

__all__ = [
    "IntelRdtError",
    "IntelRdtManager",
    "RdtFeatures",
    "find_mountpoint",
    "probe_features",
]
