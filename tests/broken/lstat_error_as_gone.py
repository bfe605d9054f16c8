"""Broken (runc-1.2): the pid listing takes any failed lstat of the group for a group that is
gone (ENOENT), where runc's WalkDir returns the Lstat's own error (v1.2.0
cgroups/getallpids.go:10-27)."""

from __future__ import annotations

import errno

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import FsManager
from reference_impl.errors import PathError
from tests.broken._managers import factory_with_managers


def _as_gone(err: PathError) -> PathError:
    if err.op != "lstat":
        return err
    return PathError("lstat", str(err.filename), errno.ENOENT)  # the defect


class LstatAsGone(FsManager):
    def get_all_pids(self) -> list[int]:
        try:
            return super().get_all_pids()
        except PathError as err:
            raise _as_gone(err) from err


class LstatAsGoneV2(Fs2Manager):
    def get_all_pids(self) -> list[int]:
        try:
            return super().get_all_pids()
        except PathError as err:
            raise _as_gone(err) from err


new_factory = factory_with_managers("LstatErrorAsGone", fs=LstatAsGone, fs2=LstatAsGoneV2)
