"""Deliberately broken runtimes: each one breaks one rule, and the suite must name it.

Every module offers ``new_factory(root, system, profile)`` and is run as
``rtgate run --subject python:tests.broken.<module>:new_factory``.  ``BROKEN`` maps each module
to the requirement ids whose failure proves the suite caught the defect.
"""

from __future__ import annotations

BROKEN: dict[str, tuple[str, ...]] = {
    "precedence_reversed": ("LC-DESTROY-FIRST-ERROR-CGROUP", "LC-DESTROY-FIRST-ERROR-RDT"),
    "rdt_removal_skipped": ("LC-DESTROY-RDT",),
    "running_after_failed_destroy": ("LC-DESTROY-ALWAYS-STOPPED",),
    "restored_not_sticky": ("LC-TRANS-RESTORED-STOPPED", "LC-TRANS-RESTORED-RUNNING"),
    "paused_destroyable": ("LC-DESTROY-PAUSED-ALIVE",),
    "poststop_runs_all": ("LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE",),
    "no_kill_all": ("LC-DESTROY-KILL-ALL",),
    "transition_names_states": ("LC-TRANS-RESTORED-PAUSED", "LC-TRANS-LOADED-LOADED"),
    "v2_controllers_not_enabled": ("CG-V2-ENABLE-CONTROLLERS", "CG-SET-MEMORY"),
    "schemata_without_newline": ("RDT-APPLY",),
    "rdt_group_left_on_refused_schema": ("RDT-INVALID-SCHEMA-NO-GROUP",),
    "closid_group_removed": ("RDT-CLOSID-NOT-REMOVED",),
}
