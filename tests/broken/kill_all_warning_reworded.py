"""Broken: destroy logs a failed kill-all in words of its own around the error, where the seed
logs the error itself (``logrus.Warn(err)``, state_linux.go:44): what make mutate's survivor
destroy_14 (``log.warning("XX%sXX", err)``) did."""

from __future__ import annotations

import dataclasses
import signal
from typing import Any

from reference_impl import states
from tests.broken._base import factory_with


def teardown_with_reworded_warning(c: Any) -> None:
    config = c.config
    if c.profile.kill_all_wanted(config.namespaces):
        try:
            states.signal_all_processes(c, signal.SIGKILL)
        except Exception as err:  # noqa: BLE001 - logged only, as the seed does
            states.log.warning("kill-all before destroy failed: %s", err)  # the defect
    # the rest of the teardown as the reference has it, its own kill-all already done
    c.config = dataclasses.replace(config, namespaces=(*config.namespaces, "pid"))
    try:
        states.destroy(c)
    finally:
        c.config = config


new_factory = factory_with("KillAllWarningReworded", teardown=teardown_with_reworded_warning)
