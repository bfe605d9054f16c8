"""The config validator, for what the seed checks of the parts modelled here (Intel RDT)."""

from __future__ import annotations

from reference_impl.configs import Config
from reference_impl.intelrdt import IntelRdtConfigError
from reference_impl.intelrdt import RdtFeatures
from reference_impl.intelrdt import validate_intel_rdt

__all__ = ["ConfigValidationError", "validate"]


class ConfigValidationError(Exception):
    """A config the runtime refuses; the factory turns it into ConfigInvalid."""


def validate(config: Config, features: RdtFeatures, rdt_era: str) -> None:
    """``Validator.Validate`` for intelRdt (``configs/validate/validator.go`` of the era)."""
    if config.intel_rdt is None:
        return
    try:
        validate_intel_rdt(config.intel_rdt, features, rdt_era)
    except IntelRdtConfigError as err:
        raise ConfigValidationError(str(err)) from err
