"""Which error wins on the command line: ``delete`` of a stopped container and ``delete
--force`` of a running one, with every non-empty set of failing teardown steps.

Each step fails by a fault of the host's kernel, armed only for the one ``delete`` (on a real
host through the syscall fault engine, for any runtime binary): rmdir of each of the
container's cgroup directories, of its resctrl group and of its state dir fails with EBUSY at
every attempt; the first of its two poststop hooks exits 1.  The resctrl group is one the
runtime makes for the container, in the form the host allows (an L3 or MB schema, or on a host
mounted with cdp and no MBA an intelRdt with nothing set, where the profile's runtime makes
groups there).  What the command must then show
(exit code, the step its error names, what is left, what ``state`` says, which hooks ran, and
what a second ``delete`` leaves) is :func:`harness.spec.cli_teardown.cli_teardown`'s, per
profile.
"""

from __future__ import annotations

import errno
import itertools
import os
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.hosts.base import FAILING_HOOK_STDERR
from harness.scenarios._support.command_line import reach_status
from harness.scenarios._support.command_line import state_dir
from harness.scenarios._support.containers import inject
from harness.scenarios._support.rdt_group import own_group_fields
from harness.scenarios._support.setting_up import setting_up
from harness.spec.cli_teardown import CliTeardown
from harness.spec.cli_teardown import cli_busy_once
from harness.spec.cli_teardown import cli_teardown
from harness.spec.cli_teardown import cli_teardown_variants
from harness.spec.tables import PROFILES
from harness.spec.tables import error_sources
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import IntelRdt

SOURCES = error_sources()
COMBINATIONS = [
    tuple(s for s, on in zip(SOURCES, bits, strict=True) if on)
    for bits in itertools.product((False, True), repeat=len(SOURCES))
    if any(bits)
]


def _case(failing: tuple[str, ...]) -> Any:
    return pytest.param(
        failing,
        id="+".join(failing),
        marks=pytest.mark.requirement(*cli_teardown_variants(failing)),
    )


def _container(
    cli: CommandLine,
    host: Host,
    name: str,
    running: bool,
    hooks: list[str],
    rdt: dict[str, str] | None,
) -> tuple[str, int]:
    """A stopped (or running) container with two poststop hooks, and an intelRdt of ``rdt``
    unless None: (its id, its init's pid)."""
    cid = host.container_id(name)
    schema = IntelRdt(**rdt) if rdt is not None else None
    poststop = {"poststop": [{"path": path} for path in hooks]}
    bundle = cli.bundle(name, hooks=poststop, intel_rdt=schema)
    for argv in (("create", "--bundle", bundle, cid), ("start", cid)):
        done = cli(*argv)
        setting_up(done.exit_code == 0, done.describe())
    pid = cli.init_pid(cid)
    if not running:
        killed = cli("kill", cid, "KILL")
        setting_up(killed.exit_code == 0, killed.describe())
    wanted = "running" if running else "stopped"
    reach_status(cli, host, cid, wanted)
    return cid, pid


def _places(cli: CommandLine, host: Host, cid: str) -> dict[str, list[str]]:
    """The directories of each teardown step that exist now."""
    group = host.resctrl_group(cid)
    sdir = state_dir(cli, host, cid)
    return {
        "cgroup": host.cgroup_dirs(f"/{cid}"),
        "rdt": [group] if os.path.isdir(group) else [],
        "state-dir": [sdir] if os.path.isdir(sdir) else [],
    }


def _arm(host: Host, places: dict[str, list[str]], failing: tuple[str, ...]) -> None:
    for step in ("cgroup", "rdt", "state-dir"):
        if step in failing:
            for path in places[step]:
                inject(host, "rmdir", path, errno.EBUSY, every=True)


def _named_first(text: str, markers: dict[str, str]) -> str | None:
    """The step whose marker comes first in the last line of ``text`` that has one."""
    for line in reversed(text.strip().splitlines()):
        found = {step: line.find(mark) for step, mark in markers.items() if mark in line}
        if found:
            return min(found, key=lambda step: found[step])
    return None


@pytest.mark.parametrize("forced", [False, True], ids=["stopped", "forced-running"])
@pytest.mark.parametrize("failing", [_case(f) for f in COMBINATIONS])
def test_delete_with_failing_steps(
    cli: CommandLine,
    host: Host,
    profile: str,
    verify: Any,
    failing: tuple[str, ...],
    forced: bool,
) -> None:
    # a group of the runtime's own in the form this host allows, else a skip saying why
    rdt = own_group_fields(host, profile) if "rdt" in failing else None
    want = cli_teardown(profile, failing)
    name = f"{'f' if forced else 's'}-{'-'.join(s[:2] for s in failing)}"
    first = host.hook_program(
        f"{name}-1",
        HookProgram.exit(1, stderr=FAILING_HOOK_STDERR)
        if "poststop" in failing
        else HookProgram.exit(0),
    )
    second = host.hook_program(f"{name}-2", HookProgram.exit(0))
    cid, pid = _container(cli, host, name, forced, [first, second], rdt)
    had = _places(cli, host, cid)
    _arm(host, had, failing)
    result = cli("delete", *(("--force",) if forced else ()), cid)
    host.clear_faults()

    markers = {"cgroup": "/sys/fs/cgroup", "rdt": "/sys/fs/resctrl",
               "state-dir": state_dir(cli, host, cid), "poststop": FAILING_HOOK_STDERR}  # fmt: skip
    markers = {s: m for s, m in markers.items() if s in failing}
    _check(cli, host, cid, pid, want, result, had, markers, verify, first, second)


@pytest.mark.parametrize("forced", [False, True], ids=["stopped", "forced-running"])
@pytest.mark.requirement(*dict.fromkeys(cli_busy_once(p)[0] for p in PROFILES))
def test_delete_with_cgroups_busy_once(
    cli: CommandLine, host: Host, profile: str, verify: Any, forced: bool
) -> None:
    """A transient fault: each of the container's cgroup dirs is busy at its first rmdir only
    (a process on its way out, say).  A runtime that tries again deletes the container whole."""
    rule, retried = cli_busy_once(profile)
    cid, pid = _container(cli, host, f"{'f' if forced else 's'}-once", forced, [], rdt=None)
    had = _places(cli, host, cid)
    faults = [inject(host, "rmdir", path, errno.EBUSY) for path in had["cgroup"]]
    result = cli("delete", *(("--force",) if forced else ()), cid)
    fired = sum(host.fired(fault) for fault in faults)
    host.clear_faults()
    left = sorted(_left(cli, host, cid, had))
    setting_up(fired or left, f"no rmdir of {had['cgroup']} reached the fault engine")
    said = f"{fired} of {len(faults)} cgroup dirs were busy once: {result.describe()}, left {left}"
    if not retried:  # only a delete that left something must say so
        verify(rule, result.exit_code != 0 or not left, f"{said}; a delete that leaves a "
               "resource must exit non-zero")  # fmt: skip
        return
    gone = cli("state", cid).exit_code != 0
    verify.each(
        (rule, result.exit_code == 0, f"{said}; the profile wants exit 0"),
        (rule, left == [], f"{said}; the profile wants nothing left"),
        (rule, gone, f"{said}; `state` still answers"),
        (rule, pid <= 0 or host.dies(pid), f"the container's init {pid} outlived delete"),
    )


def _left(cli: CommandLine, host: Host, cid: str, had: dict[str, list[str]]) -> frozenset[str]:
    now = _places(cli, host, cid)
    return frozenset(step for step in had if had[step] and now[step])


def _check(
    cli: CommandLine,
    host: Host,
    cid: str,
    pid: int,
    want: CliTeardown,
    result: Any,
    had: dict[str, list[str]],
    markers: dict[str, str],
    verify: Any,
    first: str,
    second: str,
) -> None:
    failing = sorted(want.failing)
    facts = [(want.exit_requirement, (result.exit_code == 0) == want.exit_zero,
              f"with {failing} failing: {result.describe()}; the profile wants exit"
              f" {'0' if want.exit_zero else 'non-zero'}")]  # fmt: skip
    if want.state_answers is not None:
        answers = cli("state", cid).exit_code == 0
        wanted = "answer" if want.state_answers else "error"
        facts.append((want.exit_requirement, answers == want.state_answers,
                      f"after the delete `state` {'answers' if answers else 'errors'}; the"
                      f" profile wants it to {wanted}"))  # fmt: skip
    if want.left_requirement:
        ran = (bool(host.hook_runs(first)), bool(host.hook_runs(second)))
        facts.append((want.left_requirement, ran == want.hooks,
                      f"the poststop hooks ran (first, second) = {ran}; the profile wants"
                      f" {want.hooks}"))  # fmt: skip
    if want.left is not None:
        left = _left(cli, host, cid, had)
        expected = frozenset(s for s in want.left if had.get(s))
        facts.append((want.left_requirement, left == expected,
                      f"with {failing} failing, left behind: {sorted(left)}; the profile wants"
                      f" {sorted(expected)}"))  # fmt: skip
    alive = pid > 0 and not host.dies(pid)
    facts.append((want.left_requirement or want.exit_requirement, not alive,
                  f"the container's init {pid} outlived delete"))  # fmt: skip
    if want.first_named_requirement and want.first_named:
        named = _named_first(result.stderr_tail, markers)
        facts.append((want.first_named_requirement, named == want.first_named,
                      f"the error output names {named} first; the profile wants"
                      f" {want.first_named} (markers {markers})"))  # fmt: skip
    if want.again_requirement and want.again_left is not None:
        again = cli("delete", cid)
        left = _left(cli, host, cid, had)
        expected = frozenset(s for s in want.again_left if had.get(s))
        facts.append((want.again_requirement,
                      (again.exit_code == 0) == want.again_zero and left == expected,
                      f"a second delete: {again.describe()}, left {sorted(left)}; the profile"
                      f" wants exit {'0' if want.again_zero else 'non-zero'}, left"
                      f" {sorted(expected)}"))  # fmt: skip
    verify.each(*facts)
