"""Broken (runc-1.2): the v1 freeze's rounds stop at a thaw before the 50th round that fails,
failing Pause with that write's error, where runc ignores it (`_ =`) and goes on freezing
(v1.2.0 cgroups/fs/freezer.go:61-69)."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import FREEZE_ROUNDS
from reference_impl.cgroups.fs import FROZEN
from reference_impl.cgroups.fs import THAWED
from reference_impl.cgroups.writer import CgroupError
from reference_impl.fileutil import read_file_go
from tests.broken._managers import factory_with_managers


class RoundThawErrorFatal(FsManager):
    def _freeze_rounds(self, directory: str) -> None:
        """The reference's rounds, but for the thaw's error (the sleeps left out)."""
        for round_no in range(FREEZE_ROUNDS):
            if round_no % 50 == 49:
                self.writer.write(directory, "freezer.state", THAWED)  # the defect: raised
            self.writer.write(directory, "freezer.state", FROZEN)
            state = read_file_go(os.path.join(directory, "freezer.state")).strip()
            if state == FROZEN:
                return
            if state != "FREEZING":
                raise CgroupError(f"unexpected state {state} while freezing")
        raise CgroupError("unable to freeze")


new_factory = factory_with_managers("RoundThawErrorFatal", fs=RoundThawErrorFatal)
