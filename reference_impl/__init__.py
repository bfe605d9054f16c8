"""rtgate's reference runtime: libcontainer's container state machine in Python.

It is a runtime, not a test: it knows processes (through :mod:`reference_impl.system`), files under
/sys, /proc and its state root, and its own config.  It never imports ``harness``.
"""

from __future__ import annotations

from reference_impl.configs import CgroupConfig
from reference_impl.configs import Config
from reference_impl.configs import Hook
from reference_impl.configs import Hooks
from reference_impl.configs import IntelRdtConfig
from reference_impl.configs import Process
from reference_impl.container import Container
from reference_impl.errors import ErrorCode
from reference_impl.errors import GenericError
from reference_impl.errors import LibcontainerError
from reference_impl.errors import StateTransitionError
from reference_impl.factory import Factory
from reference_impl.factory import new_factory
from reference_impl.status import Status

__all__ = [
    "CgroupConfig",
    "Config",
    "Container",
    "ErrorCode",
    "Factory",
    "GenericError",
    "Hook",
    "Hooks",
    "IntelRdtConfig",
    "LibcontainerError",
    "Process",
    "StateTransitionError",
    "Status",
    "new_factory",
]
