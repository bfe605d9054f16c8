"""The config validator, for what the seed checks of the parts modelled here (Intel RDT)."""

from __future__ import annotations

from reference_impl.configs import Config
from reference_impl.intelrdt import RdtFeatures

__all__ = ["ConfigValidationError", "validate"]


class ConfigValidationError(Exception):
    """A config the runtime refuses; the factory turns it into ConfigInvalid."""


def validate(config: Config, features: RdtFeatures) -> None:
    """``Validator.Validate`` for intelRdt (BASE ``configs/validate/validator.go``)."""
    if config.intel_rdt is None:
        return
    if not features.cat_enabled:
        raise ConfigValidationError(
            "intelRdt is specified in config, but Intel RDT feature is not supported or enabled"
        )
    if not config.intel_rdt.l3_cache_schema:
        raise ConfigValidationError(
            "intelRdt is specified in config, but intelRdt.l3CacheSchema is empty"
        )
