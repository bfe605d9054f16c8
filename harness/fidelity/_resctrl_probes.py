"""The resctrl probes (reference §1.5–1.14): they run only where resctrl is mounted."""

from __future__ import annotations

import os
from collections.abc import Iterator

from harness.fidelity._context import ProbeContext
from harness.fidelity._model import Probe

__all__ = ["resctrl_probes"]


def _status(ctx: ProbeContext, mount: str) -> None:
    ctx.read(os.path.join(mount, "info", "last_cmd_status"))


def mkdir_group(ctx: ProbeContext, mount: str) -> None:
    """A new CTRL_MON group gets its files; mkdir of it again is EEXIST."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    ctx.attempt(f"ls {ctx.rel(group)}", lambda: " ".join(sorted(os.listdir(group))))
    ctx.mkdir(group)
    _status(ctx, mount)


def schemata_writes(ctx: ProbeContext, mount: str) -> None:
    """Good and bad schemata writes, each followed by info/last_cmd_status."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    schemata = os.path.join(group, "schemata")
    current = ctx.read(schemata).removeprefix("ok: ")
    l3 = next((line.strip() for line in current.splitlines() if line.strip().startswith("L3")), "")
    domain = l3.partition(":")[2].split(";")[0].partition("=")[0] or "0"
    writes = (l3 + "\n", f"L3:{domain}=0\n", f"L3:{domain}=5\n", "L3:999=1\n", "XX:0=1\n", l3)
    for text in writes:
        ctx.write(schemata, text)
        _status(ctx, mount)
    ctx.read(schemata)


def tasks_and_rmdir(ctx: ProbeContext, mount: str) -> None:
    """A task written to a group's tasks is listed there; rmdir takes it back to the default."""
    group = ctx.group(mount)
    ctx.mkdir(group)
    tasks = os.path.join(group, "tasks")
    pid = ctx.spawn()
    ctx.write(tasks, f"{pid}\n")
    ctx.read(tasks)
    ctx.write(tasks, "abc\n")
    ctx.write(tasks, f"{ctx.unused_pid()}\n", label="'<unused pid>'")
    _status(ctx, mount)
    ctx.rmdir(group)
    _status(ctx, mount)


def resctrl_probes(mount: str = "/sys/fs/resctrl") -> Iterator[Probe]:
    """The resctrl probes under ``mount``."""
    for name, fn in (
        ("mkdir", mkdir_group),
        ("schemata-writes", schemata_writes),
        ("tasks-and-rmdir", tasks_and_rmdir),
    ):
        summary = (fn.__doc__ or "").strip().splitlines()[0]
        yield Probe(f"resctrl.{name}", "resctrl", mount, fn, summary)
