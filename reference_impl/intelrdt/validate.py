"""The intelRdt checks of the config validator, with runc's texts by era.

The seed checks that RDT is enabled and that the L3 schema is not empty (692f6e1
configs/validate/validator.go:160-171); it knows no other field (its configs.IntelRdt holds
only L3CacheSchema), so a config from it carries none.  Later runc refuses a
schema for a feature the host lacks (MBA from v1.0.0-rc6) and a closID that is not a plain
directory name (v1.1.1).  A closID with no schema is legal: it names a group made beforehand.
runc 1.1.1 to 1.3 no longer ask whether RDT is enabled at all (1d5c33104), so an intelRdt with
no schema is then ignored on a host without resctrl; v1.4.0 asks again, first (e846add59).
"""

from __future__ import annotations

from reference_impl.configs import IntelRdtConfig
from reference_impl.intelrdt.manager import RdtFeatures

__all__ = ["IntelRdtConfigError", "validate_intel_rdt"]


class IntelRdtConfigError(Exception):
    """An intelRdt config the runtime refuses."""


def validate_intel_rdt(rdt: IntelRdtConfig, features: RdtFeatures, era: str) -> None:
    """Raises IntelRdtConfigError with runc's text for the first check that fails.

    ``era`` "seed" makes 692f6e1's two checks only; "runc-1.1" drops those two, as runc 1.1.1
    does (RDT enabled at all, an empty L3 schema), and checks closID, CAT and MBA; "runc-1.4"
    is "runc-1.1" that first refuses any intelRdt on a host where resctrl is not mounted, as
    the runtime-spec wants."""
    if era == "seed":
        _validate_seed(rdt, features)
        return
    clos = rdt.clos_id
    # v1.4.0 validator.go:308-312: IsEnabled is resctrl mounted at all (intelrdt.go:426-428),
    # so a host whose resctrl has neither info/L3 nor info/MB (a cdp mount) passes
    if era == "runc-1.4" and features.root is None:
        raise IntelRdtConfigError("intelRdt is specified in config, but Intel RDT is not enabled")
    # v1.4.0 validator.go:314-316 lets "/" through: the default CLOS of runtime-spec v1.3.0
    if clos in (".", "..") or ("/" in clos and (era != "runc-1.4" or len(clos) > 1)):
        raise IntelRdtConfigError(f'invalid intelRdt.ClosID "{clos}"')
    if rdt.l3_cache_schema and not features.cat_enabled:
        raise IntelRdtConfigError(
            "intelRdt.l3CacheSchema is specified in config, but Intel RDT/CAT is not enabled"
        )
    if rdt.mem_bw_schema and not features.mba_enabled:
        raise IntelRdtConfigError(
            "intelRdt.memBwSchema is specified in config, but Intel RDT/MBA is not enabled"
        )


def _validate_seed(rdt: IntelRdtConfig, features: RdtFeatures) -> None:
    """692f6e1 validator.go:160-171: RDT enabled (the cat_l3 flag and a mount), then a
    non-empty L3 schema."""
    if not features.seed_enabled:
        raise IntelRdtConfigError(
            "intelRdt is specified in config, but Intel RDT feature is not supported or enabled"
        )
    if not rdt.l3_cache_schema:
        raise IntelRdtConfigError(
            "intelRdt is specified in config, but intelRdt.l3CacheSchema is empty"
        )
