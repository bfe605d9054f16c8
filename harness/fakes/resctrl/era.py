"""What changes between resctrl kernels: ``last_cmd_status`` texts, read formats, parsers.

A model asks :class:`EraTraits` for the behaviour and :meth:`EraTraits.text` for a message, so
that one simulator can stand for a v4.x ``intel_rdt`` kernel and a current ``fs/resctrl`` one.
The v4.x cache-mask texts are the ones of ``intel_rdt_ctrlmondata.c`` (reference CMD-4x); the
lower-case forms of the group and mode texts follow the same (pre "fixup user-visible strings")
style and are inferred, as reference §5 says.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.fakes.topology import ResctrlEra

__all__ = ["EraTraits", "traits"]

#: key -> (the text since v5.0, the v4.x text); ``str.format`` fields are filled by the caller
_TEXTS: dict[str, tuple[str, str]] = {
    "non_hex": ("Non-hex character in the mask {value}", "non-hex character in mask {value}"),
    "out_of_range": ("Mask out of range", "mask out of range"),
    "non_consecutive": (
        "The mask {mask:x} has non-consecutive 1-bits",
        "mask {mask:x} has non-consecutive 1-bits",
    ),
    "min_bits": ("Need at least {bits} bits in the mask", "Need at least {bits} bits in mask"),
    "duplicate": ("Duplicate domain {domain}", "duplicate domain {domain}"),
    "unknown_resource": (
        "Unknown or unsupported resource name '{name}'",
        "unknown/unsupported resource name '{name}'",
    ),
    "missing_colon": ("Missing ':'", "Missing ':'"),
    "missing_value": ("Missing '{name}' value", "Missing '{name}' value"),
    "bad_domain": ("Missing '=' or non-numeric domain", "Missing '=' or non-numeric domain"),
    "non_linear": ("No support for non-linear MB domains", "No support for non-linear MB domains"),
    "mb_parse_old": (
        "Non-decimal digit in MB value {value}",
        "Non-decimal digit in MB value {value}",
    ),
    "mb_parse_new": ("Invalid MB value {value}", "Invalid MB value {value}"),
    "mb_range": (
        "MB value {bw} out of range [{low},{high}]",
        "MB value {bw} out of range [{low},{high}]",
    ),
    "exclusive_overlap": ("Overlaps with exclusive group", "overlaps with exclusive group"),
    "other_overlap": ("Overlaps with other group", "overlaps with other group"),
    "locked_overlap": (
        "CBM overlaps with pseudo-locked region",
        "CBM overlaps with pseudo-locked region",
    ),
    "locked_in_hierarchy": (
        "Pseudo-locked region in hierarchy",
        "pseudo-locked region in hierarchy",
    ),
    "group_locked": ("Resource group is pseudo-locked", "resource group is pseudo-locked"),
    "lock_mba": ("Cannot pseudo-lock MBA resource", "cannot pseudo-lock MBA resource"),
    "out_of_closids": ("Out of CLOSIDs", "out of CLOSIDs"),
    "out_of_rmids": ("Out of RMIDs", "out of RMIDs"),
    "no_space": ("No space on {schema}:{domain}", "no space on {schema}:{domain}"),
    "locking_in_progress": ("Pseudo-locking in progress", "pseudo-locking in progress"),
    "no_task": ("No task {pid}", "No task {pid}"),
    "task_error": ("Error while processing task {pid}", "Error while processing task {pid}"),
    "task_parse": ("Task list parsing error pid {text}", "Task list parsing error pid {text}"),
    "invalid_pid": ("Invalid pid {pid}", "Invalid pid {pid}"),
    "other_control_group": (
        "Can't move task to different control group",
        "Can't move task to different control group",
    ),
    "schemata_overlaps": ("Schemata overlaps", "schemata overlaps"),
    "no_cat": ("Cannot be exclusive without CAT/CDP", "cannot be exclusive without CAT/CDP"),
    "unknown_mode": ("Unknown or unsupported mode", "unknown/unsupported mode"),
    "change_locked": ("Cannot change pseudo-locked group", "cannot change pseudo-locked group"),
    "lock_default": ("Cannot pseudo-lock default group", "cannot pseudo-lock default group"),
    "cdp_enabled": ("CDP enabled", "CDP enabled"),
    "lock_unsupported": ("Pseudo-locking not supported", "pseudo-locking not supported"),
    "monitoring": ("Monitoring in progress", "monitoring in progress"),
    "tasks_assigned": ("Tasks assigned to resource group", "tasks assigned to resource group"),
    "cpus_assigned": ("CPUs assigned to resource group", "CPUs assigned to resource group"),
    "bad_cpus": ("Bad CPU list/mask", "bad cpu list/mask"),
    "offline_cpus": ("Can only assign online CPUs", "can only assign online cpus"),
    "drop_default_cpus": (
        "Can't drop CPUs from default group",
        "Can't drop CPUs from default group",
    ),
    "rename_dirs": (
        "Source and destination must be directories",
        "Source and destination must be directories",
    ),
    "rename_source": ("Source must be a MON group", "Source must be a MON group"),
    "rename_destination": (
        "Destination must be a mon_groups subdirectory",
        "Destination must be a mon_groups subdirectory",
    ),
    "rename_cpus": (
        "Cannot move a MON group that monitors CPUs",
        "Cannot move a MON group that monitors CPUs",
    ),
    "mon_cpus": (
        "Can only add CPUs to mongroup that belong to parent",
        "can only add CPUs to mongroup that belong to parent",
    ),
}


@dataclass(frozen=True, slots=True)
class EraTraits:
    """How one era of resctrl behaves where eras differ."""

    era: ResctrlEra
    #: v4.x message spelling
    lower_case: bool
    #: schemata values zero-padded (masks) or space-padded (MB) to ``max_data_width``
    padded: bool
    #: lines in schema-list order (MB before L3) instead of the resource-array order
    new_order: bool
    #: ``tasks`` takes comma-separated pids (else one pid, parsed before the status is cleared)
    pid_lists: bool
    #: ``kstrtou32`` MB parsing ("Invalid MB value", no delay_linear check)
    new_mb_parse: bool
    #: ``info/L3/sparse_masks`` and ``info/MB/thread_throttle_mode`` exist
    newer_info: bool
    #: under ``mba_MBps`` an MB value is stored as soon as it parses (not staged: a later bad
    #: line does not undo it, and a repeated domain is not a duplicate)
    mbps_immediate: bool
    #: a MON group can be renamed or moved into another ``mon_groups`` (~v6.5+)
    mon_rename: bool

    def text(self, key: str, **fields: object) -> str:
        """The ``last_cmd_status`` line for ``key`` (without its newline)."""
        modern, old = _TEXTS[key]
        return (old if self.lower_case else modern).format(**fields)


_ERAS: dict[ResctrlEra, EraTraits] = {
    "4.x": EraTraits("4.x", True, True, False, False, False, False, False, False),
    "5.x": EraTraits("5.x", False, True, False, False, False, False, False, False),
    "6.x": EraTraits("6.x", False, True, True, True, False, True, True, True),
    "modern": EraTraits("modern", False, False, True, True, True, True, True, True),
}


def traits(era: ResctrlEra) -> EraTraits:
    """The traits of ``era``."""
    return _ERAS[era]
