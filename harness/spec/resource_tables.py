"""The expectations of ``resources.toml``: what the cgroup manager and the resctrl writer
write, where, and the texts of their errors, by profile where the profiles differ.

Pure data and pure functions, as :mod:`harness.spec.tables` (which re-exports them).
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from harness.errors import SpecError

RESOURCES = Path(__file__).with_name("resources.toml")


@functools.cache
def resources() -> dict[str, Any]:
    """The parsed expectations of the cgroup manager and the resctrl writer."""
    try:
        return tomllib.loads(RESOURCES.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise SpecError(str(RESOURCES), str(err)) from err


# read now, on the real filesystem: scenarios ask for texts while a simulated host is patched in
resources()


def resource_message(key: str, **fields: Any) -> str:
    """A cgroup or resctrl error text; for a kernel text with eras, the newest era's."""
    value = resources()["messages"][key]
    text = value[0] if isinstance(value, list) else value
    return str(text).format(**fields)


def schemata_write_error(profile: str, **fields: Any) -> str:
    """The error of a Set whose schemata write fails under ``profile``."""
    return str(resources()["schemata_write_error"][profile]).format(**fields)


def tasks_write_error(profile: str, **fields: Any) -> str:
    """The error of an Apply whose write of a pid to the group's tasks fails under ``profile``."""
    return str(resources()["tasks_write_error"][profile]).format(**fields)


def exec_tasks_write_error(profile: str, **fields: Any) -> str:
    """The cause of a failed write of a pid to the resctrl group's tasks when a process is
    started in a running container, under ``profile``."""
    return str(resources()["exec_tasks_write_error"][profile]).format(**fields)


def cgroup_write_error(profile: str, **fields: Any) -> str | None:
    """A failed write of a cgroup v1 control file under ``profile``; None where the spec does
    not hold that profile's text."""
    text = resources()["cgroup_write_error"].get(profile)
    return None if text is None else str(text).format(**fields)


def memory_limit_busy(profile: str, **fields: Any) -> str | None:
    """Set's error when the v1 kernel refuses a memory limit as below the usage (EBUSY), under
    ``profile``; None where the spec does not hold that profile's text."""
    text = resources()["memory_limit_busy"].get(profile)
    return None if text is None else str(text).format(**fields)


def memory_usage_files() -> tuple[str, str]:
    """The v1 files runc reads the usage and the peak usage from for that error."""
    table = resources()["memory_limit_busy"]
    return str(table["usage_file"]), str(table["peak_file"])


def memory_unlimited_reads(profile: str) -> tuple[str, ...]:
    """The v1 memory files a limit of -1 reads before it lifts swap, under ``profile``."""
    return tuple(str(name) for name in resources()["memory_unlimited_reads"][profile])


def memory_unlimited_overrides_swap(profile: str) -> bool:
    """Whether a v1 memory limit of -1 lifts swap to -1 even when a swap limit is given."""
    return bool(resources()["memory_unlimited_overrides_swap"][profile])


def blkio_weight_file_without_cfq(profile: str) -> str:
    """The file a v1 blkio weight is written to in a group without blkio.weight."""
    return str(resources()["blkio_weight_file_without_cfq"][profile])


def swappiness_invalid(profile: str, value: int) -> str:
    """Set's error for a v1 memory swappiness above 100, under ``profile``."""
    return str(resources()["swappiness_invalid"][profile]).format(value=value)


def cfs_period_retried(profile: str) -> bool:
    """Whether a v1 period refused with EINVAL is written again after the quota."""
    return bool(resources()["cfs_period_retried"][profile])


def memory_read_candidates() -> tuple[str, ...]:
    """Every file some profile reads there: each one a test makes unreadable in turn."""
    table = resources()["memory_unlimited_reads"]
    return tuple(dict.fromkeys(str(name) for names in table.values() for name in names))


def procs_einval_retries() -> tuple[int, float]:
    """How many writes of a pid to cgroup.procs runc makes while the kernel answers EINVAL, and
    the pause after each."""
    table = resources()["procs_einval"]
    return int(table["tries"]), float(table["pause_s"])


def limit_without_group(profile: str, subsystem: str, file: str) -> str:
    """The error of a limit for ``subsystem`` (written to ``file``) on a host without its
    hierarchy."""
    return str(resources()["limit_without_group"][profile]).format(subsystem=subsystem, file=file)


def limit_without_group_read_first(profile: str, subsystem: str) -> str | None:
    """The error of a limit for ``subsystem`` that reads the group first, on a host without
    its hierarchy; None where the source gives no text."""
    text = resources()["limit_without_group_read_first"].get(profile)
    return None if text is None else str(text).format(subsystem=subsystem)


def freeze_without_group(profile: str) -> str:
    """The error of a Pause on a host without the freezer hierarchy."""
    return str(resources()["freeze_without_group"][profile])


def directory_mode(kind: str) -> int:
    """The mode Apply makes a ``kind`` ("cgroup" or "resctrl") directory with, less the umask."""
    return int(resources()["directory_mode"][kind])


def rdt_destroy_unstarted_removes_group(profile: str) -> bool:
    """Whether Destroy of a container never started removes ``<resctrl>/<id>``."""
    return bool(resources()["rdt_destroy_unstarted_removes_group"][profile])


def rdt_schema_forms(profile: str) -> tuple[str, ...]:
    """The schema forms ("L3", "L3CDP", "MB") with which ``profile``'s runtime writes a
    group's schemata, each where the host has what it needs."""
    return tuple(resources()["rdt_schema_forms"][profile])


def rdt_group_without_schema(profile: str) -> bool:
    """Whether ``profile``'s runtime makes a container's group with no schema, resctrl
    mounted being enough."""
    return bool(resources()["rdt_group_without_schema"][profile])


def procs_write_error(profile: str, **fields: Any) -> str:
    """The cause of a failed write of a pid to a cgroup.procs under ``profile``."""
    return str(resources()["procs_write_error"][profile]).format(**fields)


def resource_messages(key: str, **fields: Any) -> tuple[str, ...]:
    """Every era's text of a kernel message (newest first)."""
    value = resources()["messages"][key]
    texts = value if isinstance(value, list) else [value]
    return tuple(str(t).format(**fields) for t in texts)


def v1_limit_file(limit: str) -> tuple[str, str]:
    """(hierarchy, file) a limit of the config is written to on cgroup v1."""
    hierarchy, name = resources()["v1_files"][limit]
    return str(hierarchy), str(name)


def v1_unlimited(limit: str) -> str:
    """What a v1 limit's file reads back after the config gave it -1 (unlimited)."""
    return str(resources()["v1_unlimited"][limit])


def v1_cpu_shares_bounds() -> tuple[int, int]:
    """(lowest, highest) cpu.shares the v1 kernel keeps; it clamps others to them."""
    row = resources()["v1_cpu_shares"]
    return int(row["min"]), int(row["max"])


def v2_unlimited(limit: str) -> str:
    """What a v2 limit's file (or memory.swap.max) reads back after the config gave -1."""
    return str(resources()["v2_unlimited"][limit])


def v2_file(name: str) -> str:
    """The cgroup v2 file of a limit, or of the freezer ("freeze", "events", ...)."""
    return str(resources()["v2_files"][name])


def v2_controller(limit: str) -> str:
    """The controller a limit needs enabled above a cgroup2 group."""
    return str(resources()["v2_controllers"][limit])


def cpu_default(cgroup_mode: str) -> str:
    """What a new group's cpu file (cpu.shares on v1, cpu.weight on v2) reads unwritten."""
    return str(resources()["cpu_default"][cgroup_mode])


def shares_to_weight() -> dict[int, int]:
    """cpu shares -> the cgroup v2 cpu.weight runc writes for them."""
    return {int(r["shares"]): int(r["weight"]) for r in resources()["shares_to_weight"]}


def shares_wrapped() -> tuple[int, int]:
    """The cpu shares runc's uint64 conversion wraps, and the weight it gives (which the kernel
    refuses)."""
    row = resources()["shares_wrapped"]
    return int(row["shares"]), int(row["weight"])


def frozen_sigkill(cgroup_mode: str) -> str:
    """What SIGKILL does to a frozen task: "pending" (until thawed) or "delivered"."""
    return str(resources()["frozen_sigkill"][cgroup_mode])


def freezer_file(cgroup_mode: str) -> tuple[str, str, str]:
    """(file, frozen value, thawed value) that freeze a group on a host of ``cgroup_mode``."""
    name, frozen, thawed = resources()["freezer_file"][cgroup_mode]
    return str(name), str(frozen), str(thawed)


def v1_extra_hierarchies(profile: str) -> list[str]:
    """The v1 hierarchies beyond the seed's whose groups ``profile``'s runtime makes and joins."""
    return [str(h) for h in resources()["v1_extra_hierarchies"][profile]]


def kill_all_file(profile: str, cgroup_mode: str) -> tuple[str, str]:
    """(hierarchy, control file) destroy's kill-all step goes through under ``profile``: a
    hierarchy of the host ("unified", or "v1" for any v1 one that holds the processes)."""
    hierarchy, name = resources()["kill_all_file"][profile][cgroup_mode]
    return str(hierarchy), str(name)


def paused_kill_reaches(profile: str, cgroup_mode: str) -> bool:
    """Whether ``delete --force`` under ``profile`` reaches the processes of a paused container
    without a private PID namespace on a ``cgroup_mode`` host (runc 1.2 on a hybrid host does
    not: its cgroup.kill leaves the v1 freezer frozen)."""
    return bool(resources()["paused_kill_reaches"][profile][cgroup_mode])


def v1_freeze_rounds() -> dict[str, float]:
    """runc's v1 freeze loop: rounds, thaw_every, thaw_pause_s, read_pause_every,
    read_pause_s."""
    return {str(k): float(v) for k, v in resources()["v1_freeze_rounds"].items()}


def v2_freeze_wait() -> tuple[int, float]:
    """(reads of cgroup.events, seconds between them) a cgroup v2 freeze waits at most."""
    table = resources()["v2_freeze_wait"]
    return int(table["polls"]), float(table["pause_s"])
