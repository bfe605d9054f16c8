"""The ``oci:`` subject's building blocks: bundles, recording hooks, and the runtime driver."""

from __future__ import annotations

from harness.hookscripts import HookRun
from harness.hookscripts import all_hook_runs
from harness.hookscripts import hook_runs
from harness.hookscripts import write_recording_hook
from harness.subjects.oci.bundle import APPLETS
from harness.subjects.oci.bundle import Bundle
from harness.subjects.oci.bundle import BundleError
from harness.subjects.oci.bundle import BusyboxUnavailable
from harness.subjects.oci.bundle import NotElfError
from harness.subjects.oci.bundle import elf_interpreter
from harness.subjects.oci.bundle import find_busybox
from harness.subjects.oci.bundle import make_bundle
from harness.subjects.oci.config import HOOK_PHASES
from harness.subjects.oci.config import ContainerConfig
from harness.subjects.oci.config import DeviceRule
from harness.subjects.oci.config import Hook
from harness.subjects.oci.config import Hooks
from harness.subjects.oci.config import IntelRdt
from harness.subjects.oci.config import Namespace
from harness.subjects.oci.config import Resources
from harness.subjects.oci.runtime import CommandRecord
from harness.subjects.oci.runtime import OciCommandError
from harness.subjects.oci.runtime import OciRuntime
from harness.subjects.oci.runtime import OciTimeouts
from harness.subjects.oci.runtime import RuntimeMissing
from harness.subjects.oci.runtime import RuntimeVersion
from harness.subjects.oci.runtime import StatusTimeout

__all__ = [
    "APPLETS",
    "HOOK_PHASES",
    "Bundle",
    "BundleError",
    "BusyboxUnavailable",
    "CommandRecord",
    "ContainerConfig",
    "Hook",
    "HookRun",
    "Hooks",
    "IntelRdt",
    "Namespace",
    "NotElfError",
    "OciCommandError",
    "OciRuntime",
    "OciTimeouts",
    "DeviceRule",
    "Resources",
    "RuntimeMissing",
    "RuntimeVersion",
    "StatusTimeout",
    "all_hook_runs",
    "elf_interpreter",
    "find_busybox",
    "hook_runs",
    "make_bundle",
    "write_recording_hook",
]
