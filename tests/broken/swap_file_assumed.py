"""Broken (runc-1.2): a memory limit of -1 always writes memory.swap.max, so on a kernel without
swap accounting (no such file) Set fails where runc 1.2 leaves swap alone and goes on."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from tests.broken._managers import factory_with_managers


class SwapFileAssumed(Fs2Manager):
    def _lift_swap(self, directory: str) -> None:
        self.writer.write(directory, "memory.swap.max", "max")  # the defect: no ENOENT case


new_factory = factory_with_managers("SwapFileAssumed", fs2=SwapFileAssumed)
