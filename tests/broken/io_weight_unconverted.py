"""Broken (runc-1.2): the cgroup v2 manager writes the config's block IO weight to io.weight
as it is, without runc's ConvertBlkIOToIOWeightValue (v1.1.5 cgroups/utils.go:458-467,
fs2/io.go:62-67), so a weight of 500 reads "default 500" where runc's reads "default 4950"."""

from __future__ import annotations

import dataclasses

from reference_impl.cgroups import Fs2Manager
from reference_impl.configs import CgroupConfig
from tests.broken._managers import factory_with_managers


class IoWeightUnconverted(Fs2Manager):
    def set(self, config: CgroupConfig | None) -> None:
        weight = 0 if config is None else config.blkio_weight
        if config is not None:
            config = dataclasses.replace(config, blkio_weight=0)
        super().set(config)
        if weight and self.path:
            self.writer.write(self.path, "io.weight", str(weight))  # the defect


new_factory = factory_with_managers("IoWeightUnconverted", fs2=IoWeightUnconverted)
