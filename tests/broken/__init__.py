"""Deliberately broken runtimes: each one breaks one rule, and the suite must name it.

Every module offers ``new_factory(root, system, profile)`` and is run as
``rtgate run --subject python:tests.broken.<module>:new_factory``.  ``BROKEN`` maps each module
to the requirement ids whose failure proves the suite caught the defect: a tuple of ids for a
defect of the seed profile, or a :class:`Broken` that also names the profile to run under (a
defect of a later profile's rule only shows under that profile).
"""

from __future__ import annotations

import dataclasses

__all__ = ["BROKEN", "Broken", "expectation"]


@dataclasses.dataclass(frozen=True, slots=True)
class Broken:
    """What a broken runtime must fail, and under which profile."""

    requirements: tuple[str, ...]
    profile: str = "seed"


BROKEN: dict[str, tuple[str, ...] | Broken] = {
    "precedence_reversed": ("LC-DESTROY-FIRST-ERROR-CGROUP", "LC-DESTROY-FIRST-ERROR-RDT"),
    "rdt_removal_skipped": ("LC-DESTROY-RDT",),
    "running_after_failed_destroy": ("LC-DESTROY-ALWAYS-STOPPED",),
    "restored_not_sticky": ("LC-TRANS-RESTORED-STOPPED", "LC-TRANS-RESTORED-RUNNING"),
    "paused_destroyable": ("LC-DESTROY-PAUSED-ALIVE",),
    "poststop_runs_all": ("LC-DESTROY-POSTSTOP-STOPS-AT-FAILURE",),
    "cgroup_rmdir_no_retry": ("CLI-DELETE-CGROUP-BUSY-ONCE",),
    "start_fifo_error_ignored": ("CLI-START-FIFO-FAILS",),
    "pause_freeze_error_ignored": ("CLI-PAUSE-FREEZE-FAILS",),
    "no_kill_all": ("LC-DESTROY-KILL-ALL",),
    "transition_names_states": ("LC-TRANS-RESTORED-PAUSED", "LC-TRANS-LOADED-LOADED"),
    # a feature runc brought after the seed: its rule is not the seed's
    "v2_controllers_not_enabled": Broken(
        ("CG-V2-ENABLE-CONTROLLERS", "CG-SET-MEMORY"), profile="runc-1.2"
    ),
    "schemata_without_newline": ("RDT-APPLY",),
    "rdt_group_left_on_refused_schema": ("RDT-INVALID-SCHEMA-NO-GROUP",),
    # a feature runc brought after the seed: its rule is not the seed's
    "closid_group_removed": Broken(("RDT-CLOSID-NOT-REMOVED",), profile="runc-1.2"),
    "rdt_set_takes_config": Broken(("RDT-SET-CLOSID-IGNORED",), profile="runc-1.2"),
    "rdt_ignored_without_resctrl": ("CLI-RDT-UNSUPPORTED",),
    "rdt_schemaless_unchecked": ("CLI-RDT-UNSUPPORTED-NO-SCHEMA",),
    "rdt_path_lost_on_load": ("CLI-RDT-GROUP",),
    # a feature runc brought after the seed: its rule is not the seed's
    "closid_group_removed_when_empty": Broken(("CLI-RDT-CLOSID-KEPT",), profile="runc-1.2"),
    "rdt_kept_when_create_fails": ("CLI-RDT-INVALID-SCHEMA",),
    # features runc brought after the seed (MBA, closID): their rules are not the seed's
    "mem_bw_schema_dropped": Broken(("CLI-RDT-MBA", "CLI-RDT-L3-MB"), profile="runc-1.2"),
    "closid_tasks_emptied_on_delete": Broken(("CLI-RDT-CLOSID-SHARED",), profile="runc-1.2"),
    "l3_schema_dropped_without_cat": ("CLI-RDT-CDP-PLAIN-L3",),
    "closid_exhaustion_ignored": ("CLI-RDT-CLOSID-EXHAUSTED",),
    "update_schema_dropped": Broken(("CLI-RDT-UPDATE",), profile="runc-1.1"),
    "update_skips_container_without_rdt": Broken(
        ("CLI-RDT-UPDATE-NEW-GROUP", "CLI-RDT-UPDATE-NEW-GROUP-SCHEMA"), profile="runc-1.1"
    ),
    "closid_ignored_without_cat_mba": Broken(
        ("CLI-RDT-CLOSID-WITHOUT-CAT-MBA",), profile="runc-1.2"
    ),
    "closid_root_refused": Broken(("CLI-RDT-CLOSID-ROOT",), profile="runtime-spec"),
    "closid_root_left_where_born": Broken(("CLI-RDT-CLOSID-ROOT",), profile="runtime-spec"),
    "closid_slash_accepted": Broken(("CLI-RDT-CLOSID-SLASH-REFUSED",), profile="runc-1.2"),
    "v13_fields_known_early": Broken(("CLI-RDT-V13-FIELDS-UNKNOWN",), profile="runc-1.2"),
    "closid_schema_not_compared": Broken(
        ("CLI-RDT-CLOSID-SCHEMA-COMPARED",), profile="runtime-spec"
    ),
    # runtime-spec v1.1's features, which the v1.3 rules hang on (runc 1.1 and later)
    "features_without_oci_min": Broken(("CLI-FEATURES-OCI-VERSIONS",), profile="runc-1.2"),
    # runtime-spec v1.3's intelRdt: rules of the runtime-spec profile alone
    "schemata_field_dropped": Broken(("CLI-RDT-SCHEMATA",), profile="runtime-spec"),
    "schemata_written_first": Broken(("CLI-RDT-SCHEMATA-LAST",), profile="runtime-spec"),
    "schemata_other_caches_dropped": Broken(("CLI-RDT-SCHEMATA-CACHES",), profile="runtime-spec"),
    "monitoring_init_not_joined": Broken(("CLI-RDT-MONITORING",), profile="runtime-spec"),
    "monitoring_group_left": Broken(("CLI-RDT-MONITORING-CLOSID",), profile="runtime-spec"),
    "monitoring_exhaustion_ignored": Broken(
        ("CLI-RDT-MONITORING-EXHAUSTED",), profile="runtime-spec"
    ),
    "closid_error_without_status": Broken(("CLI-RDT-CLOSID-EXHAUSTED-STATUS",), profile="runc-1.1"),
    # a feature runc brought after the seed: its rule is not the seed's
    "v2_shares_written_as_weight": Broken(("CG-V2-SET-SHARES-UNUSED",), profile="runc-1.2"),
    # a feature runc brought after the seed: its rule is not the seed's
    "v2_weight_from_shares": Broken(("CG-SET-CPU",), profile="runc-1.2"),
    "specconv_shares_unconverted": Broken(("CLI-CREATE-CPU-SHARES",), profile="runc-1.2"),
    "io_weight_unconverted": Broken(("CLI-CREATE-BLKIO-WEIGHT",), profile="runc-1.2"),
    # runtime-spec's hook timing (runc runs both in create: the runc profiles' rule)
    "hooks_run_in_create": Broken(
        ("CLI-HOOK-PRESTART-AT-START", "CLI-HOOK-POSTSTART-AT-START"), profile="runtime-spec"
    ),
    "shares_converted_unbounded": Broken(("CLI-CREATE-CPU-SHARES",), profile="runc-1.2"),
    "pipe_fds_before_apply": Broken(("LC-START-PIPE-FDS",), profile="runc-1.2"),
    "lookup_directory_old_go": Broken(("LC-START-PROGRAM-NOT-FOUND",), profile="runc-1.2"),
    # an extra process's join as runc 1.2 does it (v1.2.0 process_linux.go:164-195)
    "exec_join_seed_words": Broken(
        ("LC-EXEC-JOIN-ERROR", "LC-EXEC-JOIN-RDT-ERROR"), profile="runc-1.2"
    ),
    "exec_skips_gone_cgroup": Broken(("LC-EXEC-CGROUP-GONE-ERROR",), profile="runc-1.2"),
    "exec_join_without_init_fallback": Broken(("LC-EXEC-JOIN-INIT-CGROUP",), profile="runc-1.2"),
    # a feature runc brought after the seed: its rule is not the seed's
    "v2_controllers_never_read": Broken(("CG-V2-SET-CONTROLLERS-READ",), profile="runc-1.2"),
    # cgroup v2's CreateCgroupPath (runc v1.0.0-rc91 on): not rules of the seed
    "v2_create_leaves_made_levels": Broken(("CG-V2-CREATE-UNDONE",), profile="runc-1.2"),
    "v2_thread_mode_unchecked": Broken(
        ("CG-V2-CREATE-MODE-REFUSED", "CG-V2-CREATE-INVALID-THREADED"), profile="runc-1.2"
    ),
    "v2_enable_all_or_nothing": Broken(("CG-V2-ENABLE-ONE-BY-ONE",), profile="runc-1.2"),
    "v2_mount_root_checked": Broken(("CG-V2-CREATE-MOUNT-ROOT-UNCHECKED",), profile="runc-1.2"),
    "hybrid_joins_unified": ("CG-HYBRID-V1-ONLY",),
    # a feature runc brought after the seed: its rule is not the seed's
    "v2_freeze_no_wait": Broken(("CG-V2-FREEZE",), profile="runc-1.2"),
    "joined_pidns_killed": ("LC-DESTROY-NO-KILL-ALL-JOINED-PIDNS",),
    "state_dir_kept": ("LC-DESTROY-STATE-DIR", "CLI-DELETE-STOPPED"),
    "start_hook_error_unnamed": ("LC-HOOK-START-ERROR-NAMES-HOOK",),
    # the holes the audit's mutants found (spec-audit-c820ba9.md 5.3: M1, M2, M3, M5, M7, M8)
    "paused_thaw_skipped": ("LC-DESTROY-PAUSED-GONE", "LC-DESTROY-PAUSED-THAW-ERROR"),
    "created_not_killed": ("LC-DESTROY-CREATED-ALIVE", "LC-DESTROY-LOADED-ALIVE"),
    "poststop_before_state_dir": ("LC-DESTROY-ORDER",),
    "restored_stat_error_swallowed": ("LC-DESTROY-RESTORED-STAT-ERROR",),
    "poststop_status_running": ("LC-HOOK-POSTSTOP-STATE-EMPTY",),
    "unreleased_init_counts_as_running": ("LC-DESTROY-RUNNING-FIFO-INIT",),
    "poststop_hooks_reversed": ("LC-DESTROY-POSTSTOP",),
    # the command line's teardown and create failures (harness/scenarios/test_cli_teardown.py)
    "kill_all_spares_children": ("CLI-DELETE-KILLS-FORKED-CHILD",),
    "pause_without_freezing": ("CLI-PAUSE-FREEZES-CGROUP",),
    "resume_without_thawing": ("CLI-RESUME-THAWS-CGROUP",),
    "bad_bundle_leaves_state_dir": (
        "CLI-CREATE-BUNDLE-MISSING",
        "CLI-CREATE-CONFIG-NOT-JSON",
        "CLI-CREATE-NO-PROCESS-ARGS",
    ),
    # a feature runc brought after the seed: its rule is not the seed's
    "createruntime_ignored": Broken(
        ("CLI-CREATE-RUNS-CREATERUNTIME", "CLI-CREATE-CREATERUNTIME-FAILS"), profile="runc-1.2"
    ),
    "aborted_state_dir_kept": ("CLI-DELETE-ABORTED-STATE-DIR",),
    "state_dir_failure_skips_poststop": ("CLI-DELETE-STATE-DIR-LOGGED",),
    "state_dir_error_ignored": Broken(("CLI-DELETE-STATE-DIR-REPORTED",), profile="runc-1.2"),
    "netns_holder_left": ("CLI-NETNS-OWN-RELEASED",),
    # operations on an id that names no container (harness/scenarios/test_cli_missing.py)
    "missing_id_ignored": (
        "CLI-START-MISSING",
        "CLI-KILL-MISSING",
        "CLI-DELETE-MISSING",
        "CLI-PAUSE-MISSING",
        "CLI-RESUME-MISSING",
    ),
    "missing_id_leaves_lock_dir": (
        "CLI-START-MISSING",
        "CLI-KILL-MISSING",
        "CLI-PAUSE-MISSING",
        "CLI-RESUME-MISSING",
    ),
    "missing_id_force_delete_fails": ("CLI-DELETE-FORCE-MISSING",),
    # containers of several processes in every teardown path (test_cli_processes.py)
    "kill_all_walks_init_tree": Broken(
        (
            "CLI-DELETE-KILLS-DAEMONIZED-GRANDCHILD",
            "CLI-DELETE-FORCE-KILLS-RUNNING-TREE",
            "CLI-DELETE-FORCE-KILLS-PAUSED-TREE",
            "CLI-DELETE-FORCE-KILLS-CREATED-TREE",
        ),
        profile="runc-1.1",
    ),
    # the runtime-spec profile: where the spec and runc part ways
    "created_deletable": Broken(("CLI-DELETE-CREATED-REFUSED",), profile="runtime-spec"),
    "poststop_failure_stops_the_rest": Broken(
        ("CLI-DELETE-POSTSTOP-FAILS-WARNS",), profile="runtime-spec"
    ),
    "poststart_failure_stops_start": Broken(
        ("CLI-HOOK-POSTSTART-FAILS-WARNS",), profile="runtime-spec"
    ),
    "joined_pidns_spared": Broken(("LC-DESTROY-KILL-ALL-JOINED-PIDNS",), profile="runc-1.2"),
    "delete_error_swallowed": Broken(
        ("CLI-DELETE-BUSY-CGROUP-REPORTED", "CLI-DELETE-POSTSTOP-FAILS-REPORTED"),
        profile="runc-1.2",
    ),
    "destroy_continues_after_failure": Broken(
        ("LC-DESTROY-EARLY-RETURN-NO-POSTSTOP", "LC-DESTROY-EARLY-RETURN-KEEPS-STATE"),
        profile="runc-1.2",
    ),
    "poststop_after_early_return": Broken(
        ("LC-DESTROY-EARLY-RETURN-NO-POSTSTOP",), profile="runc-1.2"
    ),
    # runc v1.2.0's own texts and timings (the faithful model: tests/models/runc_v120.py)
    "hook_error_prefixed": Broken(
        ("LC-HOOK-ERROR-NAMES-HOOK", "LC-HOOK-START-ERROR-NAMES-HOOK"), profile="runc-1.2"
    ),
    "hook_state_config_version": Broken(("LC-HOOK-STATE-STDIN",), profile="runc-1.2"),
    "cgroup_removal_rounds": Broken(("CG-DESTROY-RETRIES-EBUSY",), profile="runc-1.2"),
    "poststop_hooks_twice": ("LC-DESTROY-POSTSTOP",),
    # the survivors of make mutate (docs/mutation.md): the seed's logrus.Warn(err), and
    # runc v1.2.0's Exists() on cgroup v1
    "kill_all_warning_reworded": ("LC-DESTROY-KILL-ALL-ERROR-LOGGED",),
    "set_keeps_limits_after_rdt_failure": Broken(
        ("CG-SET-RESTORED-AFTER-RDT",), profile="runc-1.2"
    ),
    "cgroup_exists_any_controller": Broken(
        ("LC-SIGNAL-KILL-ALL-DEVICES-GONE",), profile="runc-1.2"
    ),
    # issue 14's later rules: the kill-all's warning, the exec fifo of runc 1.2, error kinds
    "kill_all_warns_like_kill": ("LC-SIGNAL-ALL-SIGNAL-WARNED",),
    "exec_fifo_checked_first": Broken(("LC-EXEC-FIFO-EXISTS",), profile="runc-1.2"),
    "refusals_without_codes": ("LC-ERROR-KINDS",),
    "state_without_descriptors": ("LC-STATE-FILE-KEYS",),
    "exec_joins_gone_rdt_group": ("LC-EXEC-RDT-GONE",),
    "pause_error_with_status": Broken(
        ("LC-PAUSE-STOPPED-ERR-NOT-RUNNING", "LC-PAUSE-PAUSED-ERR-NOT-RUNNING"),
        profile="runc-1.2",
    ),
    "set_not_saved": ("LC-SET-SAVES-STATE",),
    # survivors of make mutate at f8c5729 (docs/mutation.md)
    "kill_thaws_any_signal": (
        "CLI-KILL-PAUSED-OTHER-SIGNAL-KEPT",
        "LC-SIGNAL-PAUSED-OTHER-SIGNAL-KEPT",
    ),
    "kill_all_reaps_nothing": ("LC-DESTROY-KILL-ALL-REAPS",),
    # features runc brought after the seed: their rules are not the seed's
    "kill_file_assumed": Broken(("CG-KILL-ALL-NO-KILL-FILE",), profile="runc-1.2"),
    "kill_file_then_each": Broken(("CG-KILL-ALL-CGROUP-KILL",), profile="runc-1.2"),
    "kill_file_open_error_wrapped": Broken(("LC-SIGNAL-KILL-ALL-ERROR",), profile="runc-1.2"),
    "thaw_not_read_back": ("CG-THAW-READ-ERROR",),
    "thaw_read_back": Broken(("CG-THAW-NOT-READ-BACK",), profile="runc-1.2"),
    "round_thaw_error_fatal": Broken(("CG-FREEZE-ROUND-THAW-IGNORED",), profile="runc-1.2"),
    "lstat_error_as_gone": Broken(("LC-PROCESSES-LSTAT-ERROR",), profile="runc-1.2"),
    "procs_read_error_returned": ("LC-PROCESSES-READ-ERROR",),
    "pids_walk_lstats_nothing": ("LC-PROCESSES-LSTAT-ERROR", "LC-PROCESSES-ENTRY-LSTAT"),
    "pids_walk_skips_unlisted": Broken(("LC-PROCESSES-SUBGROUP-UNLISTED",), profile="runc-1.2"),
    "loaded_devices_path_planned": Broken(("LC-PROCESSES-LOADED-NO-DEVICES",), profile="runc-1.2"),
    "v2_freezer_assumed": Broken(("CG-V2-FREEZE-UNSUPPORTED",), profile="runc-1.2"),
    "seed_knows_later_keys": ("LC-HOOK-CREATERUNTIME-UNKNOWN", "RDT-SEED-L3-ONLY"),
    # survivors of make mutate at f8da852, and rules of issue 14's last sittings
    "init_stat_read_again": ("LC-START-INIT-STAT-UNREADABLE",),
    "rdt_group_kept_after_failed_start": ("RDT-DESTROY-AFTER-FAILED-SET",),
    "run_execs_after_failed_start": ("LC-RUN-START-ERROR",),
    "load_errors_in_python_words": ("LC-FACTORY-LOAD-UNREADABLE",),
    "load_swallows_refresh_error": ("LC-FACTORY-LOAD-REFRESH-ERROR",),
    "root_checked_after_id": ("LC-FACTORY-ROOT-NOT-SET",),
    "root_made_at_create": ("LC-FACTORY-ROOT-MADE",),
    "mkdir_error_in_python_words": ("LC-FACTORY-STATE-DIR",),
    "cgroup_check_errors_ignored": Broken(("LC-FACTORY-CGROUP-CHECK-ERROR",), profile="runc-1.2"),
    "state_temp_left": Broken(("LC-SET-SAVE-ERROR",), profile="runc-1.2"),
    "exec_remove_error_ignored": Broken(("LC-EXEC-REMOVE-ERROR",), profile="runc-1.2"),
    "state_dir_joined_plainly": Broken(("LC-FACTORY-STATE-DIR-SYMLINK",), profile="runc-1.2"),
    "poststart_refresh_error_wrapped": Broken(
        ("LC-START-POSTSTART-REFRESH-ERROR",), profile="runc-1.2"
    ),
    "unified_paths_unchecked": Broken(("LC-FACTORY-LOAD-PATHS-INCONSISTENT",), profile="runc-1.2"),
    "processes_ignore_gone_group": Broken(("LC-PROCESSES-GROUP-GONE",), profile="runc-1.2"),
    "processes_planned_group_unread": Broken(
        ("LC-PROCESSES-NOT-STARTED-GROUP-FILLED",), profile="runc-1.2"
    ),
    "rdt_destroy_only_applied": Broken(("RDT-DESTROY-NEVER-STARTED",), profile="runc-1.2"),
    "rmdir_tried_once": Broken(("CG-DESTROY-TRANSIENT-ERRORS",), profile="runc-1.2"),
    # features runc brought after the seed: their rules are not the seed's
    "config_without_cgroups_accepted": Broken(("LC-FACTORY-NO-CGROUPS",), profile="runc-1.2"),
    "devices_checked_at_start": Broken(("LC-FACTORY-NO-DEVICES",), profile="runc-1.2"),
    "swap_file_assumed": Broken(("CG-V2-SWAP-UNACCOUNTED",), profile="runc-1.2"),
    # runc 1.2's cgroup writes and edge values (the rules of the runc-1.2 walk's list)
    "seed_cgroup_writes": Broken(
        (
            "CG-APPLY-PROCS-EINVAL-RETRIED",
            "CG-SET-CPU-CLAMPED-IN-PLACE",
            "CG-SET-RESTORE-WARNED",
        ),
        profile="runc-1.2",
    ),
    "seed_api_habits": Broken(
        (
            "LC-START-EXEC-KEEPS-STATE",
            "LC-EXEC-OPEN-ERROR",
            "LC-PROCESSES-ERROR",
            "LC-FACTORY-LOAD-ID-REFUSED",
            "LC-FACTORY-CGROUP-NOT-EMPTY",
            "LC-FACTORY-CGROUP-FROZEN",
        ),
        profile="runc-1.2",
    ),
    "v2_limits_as_v1": Broken(
        ("CG-V2-SET-UNLIMITED", "CG-SET-FREEZER-INVALID", "CG-V2-FREEZE-WRITE-ERROR"),
        profile="runc-1.2",
    ),
    # the walks of issue 14 item 4: the cgroup managers, the start and the exec
    "gone_group_fails_destroy": ("CG-DESTROY-GROUP-GONE",),
    "busy_subgroup_parent_retried": Broken(("CG-V2-DESTROY-BUSY-SUBGROUP",), profile="runc-1.2"),
    "processes_threads_unread": Broken(("LC-PROCESSES-THREADED-GROUP",), profile="runc-1.2"),
    "exec_skips_unconfigured_rdt": ("LC-EXEC-RDT-WITHOUT-CONFIG",),
    "fork_error_unwrapped": ("LC-START-FORK-ERROR",),
    "program_looked_up_at_fork": ("LC-START-PROGRAM-NOT-FOUND",),
    "finished_init_waited_again": ("LC-START-TERMINATE-WARNED",),
    "terminate_warning_dropped": ("LC-START-TERMINATE-WARNED",),
    "set_config_kept_shared": ("CG-SET-CONFIG-REPLACED",),
    "hook_state_spaced": ("LC-HOOK-STATE-STDIN",),
    # ignoreCgroupError came with runc 1.2: not a rule of the seed
    "gone_group_any_error_ignored": Broken(("LC-PROCESSES-GONE-OTHER-ERROR",), profile="runc-1.2"),
    # the resctrl writer's and Signal's remaining branches (helper C's items of issue 14)
    "rdt_set_resets_without_schema": ("RDT-SET-WITHOUT-SCHEMA-UNTOUCHED",),
    "rdt_existing_group_kept": ("RDT-APPLY-EXISTING-GROUP",),
    "rdt_steps_named_as_cgroup": ("LC-START-STEP-ERROR-CONTEXT",),
    "kill_all_falls_back_to_init": Broken(("LC-SIGNAL-KILL-ALL-ERROR",), profile="runc-1.2"),
    "init_esrch_ignored": Broken(("LC-SIGNAL-INIT-ERROR",), profile="runc-1.2"),
    "processes_fail_after_destroy": Broken(("LC-PROCESSES-AFTER-DESTROY",), profile="runc-1.2"),
    "hook_state_without_annotations": Broken(("LC-HOOK-STATE-ANNOTATIONS",), profile="runc-1.2"),
    "limits_after_prestart": ("LC-START-RESOURCES-BEFORE-PRESTART",),
    "pipe_fd_permission_fatal": ("LC-START-PIPE-FDS",),
    # the v1 groups' own ways (the walks' lists: memory, freezer, cpu)
    "memory_busy_unexplained": Broken(("CG-SET-MEMORY-BUSY",), profile="runc-1.2"),
    "memory_swap_after_limit": ("CG-SET-MEMORY-UNLIMITED-SWAP",),
    "memory_read_skipped": ("CG-SET-MEMORY-UNLIMITED-READS",),
    "memory_swap_unchecked": ("CG-SET-MEMORY-SWAP-UNACCOUNTED",),
    "freezer_gone_is_error": ("LC-STATUS-FREEZER-GONE",),
    "freezer_enodev_is_error": Broken(("LC-STATUS-FREEZER-ENODEV",), profile="runc-1.2"),
    "v1_rdma_misc_unjoined": Broken(("CG-V1-RDMA-MISC",), profile="runc-1.2"),
    "self_freezing_ignored": Broken(("LC-STATUS-PARENT-FROZEN",), profile="runc-1.2"),
    "freezing_read_once": Broken(
        ("LC-STATUS-FREEZING-SETTLES", "LC-STATUS-PARENT-FROZEN"), profile="runc-1.2"
    ),
    "freeze_read_back_forever": Broken(
        ("CG-FREEZE-UNABLE", "CG-FREEZE-READ-ERROR-THAWS"), profile="runc-1.2"
    ),
    "failed_freeze_left_frozen": Broken(
        ("CG-FREEZE-READ-ERROR-THAWS", "CG-FREEZE-UNABLE"), profile="runc-1.2"
    ),
    "cpu_read_error_wrapped": Broken(("CG-SET-CPU-READ-ERROR",), profile="runc-1.2"),
    "freeze_not_recorded": ("CG-FREEZE-RECORDED", "CG-FREEZE-RESTORED"),
    "freeze_not_restored": ("CG-FREEZE-RESTORED",),
    "joined_paths_all_recorded": ("CG-JOINED-UNMOUNTED-SKIPPED",),
    "joined_paths_only_existing": ("CG-JOINED-MISSING-RECORDED",),
    "outside_thaw_fought": Broken(("CG-FREEZE-THAWED-MID-FREEZE",), profile="runc-1.2"),
    # the program lookup's last survivors of make mutate (768bb33)
    "lookup_in_runtime_path": ("LC-START-PROGRAM-ON-PATH",),
    "exec_never_execs": ("LC-START-PROCESS-PROGRAM",),
    "init_lookup_deferred": ("CLI-CREATE-PROGRAM-NOT-FOUND", "LC-START-PROGRAM-NOT-FOUND"),
    "rdt_join_needs_directory": ("LC-EXEC-RDT-ID-NAMES-FILE",),
    "exec_without_init_skips_join": Broken(("LC-EXEC-WITHOUT-INIT",), profile="runc-1.2"),
    # the seed keeps a failed init's groups too: only runc 1.2 tells exec from init here
    "failed_exec_removes_groups": Broken(
        ("LC-START-PROGRAM-NOT-FOUND", "LC-EXEC-JOIN-RDT-ERROR"), profile="runc-1.2"
    ),
}


def expectation(module: str) -> Broken:
    """The entry of ``module`` as a :class:`Broken` (a bare tuple means the seed profile)."""
    entry = BROKEN[module]
    return entry if isinstance(entry, Broken) else Broken(entry)
