"""The data types of the factory API, as subjects must accept them.

They are the reference implementation's own configuration types: an implementation under test
speaks the same API, so scenarios build configs with these.
"""

from __future__ import annotations

from reference_impl.configs import CgroupConfig
from reference_impl.configs import Config
from reference_impl.configs import Hook
from reference_impl.configs import Hooks
from reference_impl.configs import IntelRdtConfig
from reference_impl.configs import Process

__all__ = ["CgroupConfig", "Config", "Hook", "Hooks", "IntelRdtConfig", "Process"]
