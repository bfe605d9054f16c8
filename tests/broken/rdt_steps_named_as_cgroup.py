"""Broken: a start whose resctrl placement or schema write fails names the cgroup step it
follows ("applying cgroup configuration for process", "setting cgroup config for ...
process"), where runc names the Intel RDT step (692f6e1 process_linux.go:296-299, 365-367;
v1.2.0 :577-585, 749-751)."""

from __future__ import annotations

from typing import Any

from reference_impl.container import Container
from tests.broken._base import factory_with

#: the defect: each resctrl step takes the context of the cgroup step before it
CGROUP_STEP_OF = {"rdt-apply": "cgroup-apply", "rdt-set": "cgroup-set"}


def step_named_as_cgroup(c: Any, step: str, action: Any) -> None:
    Container._start_step(c, CGROUP_STEP_OF.get(step, step), action)


new_factory = factory_with("RdtStepsNamedAsCgroup", methods={"_start_step": step_named_as_cgroup})
