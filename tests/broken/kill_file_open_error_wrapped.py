"""Broken (runc-1.2): a kill-all whose cgroup.kill cannot be opened says 'failed to write "1"'
around the open's error, where cgroups.WriteFile returns a failed open as it is and wraps only
a failed write (v1.2.0 cgroups/file.go:47-58)."""

from __future__ import annotations

import os
from typing import Any

from reference_impl.cgroups.writer import CgroupError
from reference_impl.container import Container
from reference_impl.errors import PathError
from reference_impl.errors import WrappedError
from tests.broken._base import factory_with


def _signal_v12(c: Any, sig: int) -> None:
    try:
        Container._signal_v12(c, sig)
    except WrappedError as err:
        cause = err.wrapped
        if not (
            isinstance(cause, PathError)
            and cause.op == "open"
            and os.path.basename(str(cause.filename)) == "cgroup.kill"
        ):
            raise
        # the defect: the open's error wrapped as the write's
        wrapped = CgroupError(f'failed to write "1": {cause}')
        raise WrappedError(err.context, wrapped) from cause


new_factory = factory_with("KillFileOpenErrorWrapped", methods={"_signal_v12": _signal_v12})
