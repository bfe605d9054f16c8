"""Broken (runc-1.2): a kill(2) of init that answers ESRCH is taken for an init that has just
ended and Signal succeeds, as the kill-all loop does for its processes (v1.2.0
init_linux.go:722-727); runc's signal returns it: "unable to signal init: no such process"
(container_linux.go:415-417)."""

from __future__ import annotations

import errno

from reference_impl.container import Container
from reference_impl.process import InitProcess
from tests.broken._base import factory_with


def signal_init_sparing_esrch(init: InitProcess, sig: int) -> None:
    try:
        Container._signal_init(init, sig)
    except Exception as err:
        if isinstance(err.__cause__, OSError) and err.__cause__.errno == errno.ESRCH:
            return  # the defect
        raise


new_factory = factory_with(
    "InitEsrchIgnored", methods={"_signal_init": staticmethod(signal_init_sparing_esrch)}
)
