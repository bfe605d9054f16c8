"""Helpers of the resctrl tests: boot a host with a given RDT description, expect a refusal."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from harness.fakes import ResctrlTopology
from harness.fakes import SimulatedKernel
from harness.fakes import Topology
from harness.fakes import booted_kernel
from tests.fakes._io import RESCTRL
from tests.fakes._io import read
from tests.fakes._io import write

STATUS = f"{RESCTRL}/info/last_cmd_status"


@contextmanager
def rdt(**fields: Any) -> Iterator[SimulatedKernel]:
    """A host whose ResctrlTopology has ``fields``."""
    with booted_kernel(Topology(resctrl=ResctrlTopology(**fields))) as kernel:
        yield kernel


def rejected(path: str, payload: str, err: int = errno.EINVAL) -> str:
    """Write ``payload``, expect ``err``, return last_cmd_status."""
    __tracebackhide__ = True
    with pytest.raises(OSError) as exc:
        write(path, payload)
    assert exc.value.errno == err
    return read(STATUS)
