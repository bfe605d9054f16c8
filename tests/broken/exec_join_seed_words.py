"""Broken (runc-1.2): a process started in a running container whose join fails says the
seed's "adding pid <pid> to cgroups" and "adding pid <pid> to Intel RDT resource control
filesystem" (692f6e1 process_linux.go:88-102), where runc 1.2 says "error adding pid <pid> to
cgroups" and "error adding pid <pid> to Intel RDT" (v1.2.0 process_linux.go:182-183, 190-191)."""

from __future__ import annotations

from reference_impl.profiles import RUNC_1_2
from reference_impl.profiles import SEED
from tests.broken._base import factory_with

_SEED_WORDS = {step: SEED.start_step_contexts[step] for step in ("join-cgroups", "join-rdt")}

new_factory = factory_with(
    "ExecJoinSeedWords",
    profile_changes={"start_step_contexts": {**RUNC_1_2.start_step_contexts, **_SEED_WORDS}},
)
