"""When prestart and poststart hooks run, seen through the command line: recording hooks
(``host.hook_program``) counted when ``create`` returns and again when ``start`` returns, and
on a real host init's argv[0] as each hook read it in /proc (the program's, or still the
runtime's), so that a hook run between start's call and its return is placed against the
program too.

Each runtime-spec release says it its own way, so each rule is one release's (its catalog
``spec_version``): v1.0.2 config.md:422 runs prestart after ``start`` is called (and calls
runc's prestart inside create "contrary to the spec", :441), v1.1.0 config.md:558-560 runs it
inside create before the createRuntime hooks; poststart runs after the user program is executed
and before ``start`` returns in every release (v1.0.2 config.md:465).  The program is not run
at create (runtime.md:56), so a poststart hook that ran before create returned ran before it.
runc runs both inside create, which its own profiles hold it to.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.runtime_features import require_oci_version
from harness.spec.versions import reaches
from harness.subjects.command_line import CommandLine

#: the release whose config.md moved prestart hooks into create (config.md:558)
PRESTART_IN_CREATE = "1.1.0"
#: the release whose runtime.md:72-73 made a failing poststart hook an error (c6b3b08)
POSTSTART_FAILURE_STOPS = "1.3.0"
#: argv[0] of the containers' program (``cli.bundle``'s default args)
PROGRAM = "/bin/sleep"
#: how long a poststart hook waits to see init exec the program: the runtime lets init go and
#: need not wait for its execve, so the hook polls (a runtime that runs poststart before it
#: lets init go makes each hook wait this long, then record init's other argv[0])
EXEC_WAIT_S = 5.0


def _recording(host: Host, phase: str, count: int = 2, wait_s: float = 0.0) -> list[str]:
    """``count`` recording hooks for ``phase``, each exiting 0; on a real host each notes
    init's argv[0], waiting up to ``wait_s`` for it to be the program's."""
    return [host.hook_program(f"{phase}-{i}", _looking(wait_s)) for i in range(count)]


def _looking(wait_s: float) -> HookProgram:
    """A program of its own (a simulated one keeps its runs) that exits 0 and looks at init."""
    program = HookProgram.exit(0)
    return dataclasses.replace(program, runs=[], init_program=PROGRAM, init_wait_s=wait_s)


def _entries(paths: list[str]) -> list[dict[str, Any]]:
    """Hook entries for ``paths``, the first with an argument so that order shows in args."""
    return [{"path": p, "args": [p, "first"]} if i == 0 else {"path": p} for i, p in
            enumerate(paths)]  # fmt: skip


def _runs(host: Host, paths: list[str]) -> list[int]:
    """How many times each hook of ``paths`` has run so far."""
    return [len(host.hook_runs(p)) for p in paths]


def _in_order(host: Host, paths: list[str]) -> bool:
    """Whether each hook of ``paths`` ran once, in the listed order (config.md:417)."""
    runs = [host.hook_runs(p) for p in paths]
    if any(len(r) != 1 for r in runs):
        return False
    seqs = [r[0].seq for r in runs]
    return seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def _create(cli: CommandLine, host: Host, name: str, hooks: dict[str, Any],
            version: str | None = None) -> str:  # fmt: skip
    cid = host.container_id(name)
    result = cli("create", "--bundle", cli.bundle(name, hooks=hooks, oci_version=version), cid)
    assert result.exit_code == 0, result.describe()
    return cid


def _start(cli: CommandLine, cid: str) -> None:
    result = cli("start", cid)
    assert result.exit_code == 0, result.describe()


def _skip_from_prestart_in_create(cli: CommandLine) -> None:
    """A bundle of v1.1.0 or later asks for prestart in create: v1.0.2's rule is not its."""
    if reaches(cli.oci_version, PRESTART_IN_CREATE):
        pytest.skip(
            f"runtime-spec v1.0.2's prestart timing does not hold for ociVersion "
            f"{cli.oci_version}: v{PRESTART_IN_CREATE} config.md:558 moved prestart into create "
            f"(CLI-HOOK-PRESTART-IN-CREATE)"
        )


def _check_runs_at_start(
    cli: CommandLine, host: Host, verify: Any, rule: str, phase: str, why: str
) -> None:
    """Two ``phase`` hooks: none has run when create returns (``why`` it must not have), each
    has run once, in order, when start returns; where the host lets the hooks look, prestart
    ones saw init before it executed the program, poststart ones after."""
    after_exec = phase == "poststart"
    paths = _recording(host, phase, wait_s=EXEC_WAIT_S if after_exec else 0.0)
    cid = _create(cli, host, f"{phase}-at-start", {phase: _entries(paths)})
    at_create = _runs(host, paths)
    verify(rule, at_create == [0, 0],
           f"{phase} hooks ran {at_create} times before create returned: {why}")  # fmt: skip
    _start(cli, cid)
    verify(rule, _in_order(host, paths),
           f"when start returned the {phase} hooks had run {_runs(host, paths)} times; each "
           f"runs once, in order, at start")  # fmt: skip
    seen = [run.init_argv0 for p in paths for run in host.hook_runs(p)]
    looked = [argv0 for argv0 in seen if argv0 is not None]  # None: no program runs here
    verify(rule, all((argv0 == PROGRAM) == after_exec for argv0 in looked),
           f"the {phase} hooks saw init's argv[0] {looked}: {PROGRAM} is the program, which "
           f"{'MUST have been' if after_exec else 'MUST NOT yet be'} executed when they "
           f"run")  # fmt: skip


@pytest.mark.requirement("CLI-HOOK-PRESTART-AT-START")
def test_prestart_hooks_run_at_start(cli: CommandLine, host: Host, verify: Any) -> None:
    _skip_from_prestart_in_create(cli)
    _check_runs_at_start(cli, host, verify, "CLI-HOOK-PRESTART-AT-START", "prestart",
                         "they MUST run after start is called (config.md:422)")  # fmt: skip


@pytest.mark.requirement("CLI-HOOK-POSTSTART-AT-START")
def test_poststart_hooks_run_at_start(cli: CommandLine, host: Host, verify: Any) -> None:
    _check_runs_at_start(cli, host, verify, "CLI-HOOK-POSTSTART-AT-START", "poststart",
                         "so before the program, which create MUST NOT run (runtime.md:56; "
                         "config.md:465)")  # fmt: skip


@pytest.mark.requirement("CLI-HOOK-PRESTART-IN-CREATE")
def test_prestart_hooks_run_in_create(cli: CommandLine, host: Host, verify: Any) -> None:
    rule = "CLI-HOOK-PRESTART-IN-CREATE"
    version = require_oci_version(cli, "prestart in create")
    pre, runtime = _recording(host, "pre"), _recording(host, "cr", 1)
    hooks = {"prestart": _entries(pre), "createRuntime": _entries(runtime)}
    cid = _create(cli, host, "pre-create", hooks, version)
    order = [host.hook_runs(p)[0].seq for p in pre + runtime if host.hook_runs(p)]
    verify(rule, _in_order(host, pre + runtime) and order == sorted(order),
           f"when create returned prestart and createRuntime had run {_runs(host, pre)}, "
           f"{_runs(host, runtime)} times (sequence {order}): prestart runs in create, in "
           f"order, before createRuntime (v1.1.0 config.md:558-560)")  # fmt: skip
    _start(cli, cid)
    verify(rule, _runs(host, pre) == [1, 1],
           f"start ran prestart hooks again: {_runs(host, pre)} runs")  # fmt: skip


@pytest.mark.requirement("CLI-HOOK-RUNC-CREATE-RUNS-PRESTART-POSTSTART")
def test_runc_create_runs_prestart_and_poststart(cli: CommandLine, host: Host, verify: Any) -> None:
    rule = "CLI-HOOK-RUNC-CREATE-RUNS-PRESTART-POSTSTART"
    pre, post = _recording(host, "pre"), _recording(host, "post")
    hooks = {"prestart": _entries(pre), "poststart": _entries(post)}
    cid = _create(cli, host, "runc-hooks", hooks)
    verify(rule, _in_order(host, pre + post),
           f"when create returned prestart and poststart had run {_runs(host, pre)}, "
           f"{_runs(host, post)} times: runc runs each once, in order, prestart first, inside "
           f"create")  # fmt: skip
    _start(cli, cid)
    verify(rule, _runs(host, pre + post) == [1, 1, 1, 1],
           f"start ran hooks again: {_runs(host, pre + post)} runs")  # fmt: skip


@pytest.mark.requirement("CLI-HOOK-POSTSTART-FAILS-WARNS")
def test_a_failing_poststart_hook_is_a_warning(cli: CommandLine, host: Host, verify: Any) -> None:
    rule = "CLI-HOOK-POSTSTART-FAILS-WARNS"
    if reaches(cli.oci_version, POSTSTART_FAILURE_STOPS):
        pytest.skip(
            f"runtime-spec v1.0.2's poststart warning does not hold for ociVersion "
            f"{cli.oci_version}: v{POSTSTART_FAILURE_STOPS} runtime.md:72-73 makes a failing "
            f"poststart hook an error that stops the container"
        )
    failing = host.hook_program("post-fails", HookProgram.exit(1, stderr="poststart fault"))
    after = _recording(host, "post-after", 1)
    hooks = {"poststart": [{"path": failing}, *_entries(after)]}
    cid = host.container_id("post-fails")
    made = cli("create", "--bundle", cli.bundle("post-fails", hooks=hooks), cid)
    verify(rule, made.exit_code == 0, f"create must succeed: {made.describe()}")
    started = cli("start", cid)
    verify(rule, started.exit_code == 0,
           f"start must go on past the failing poststart hook (runtime.md:69): "
           f"{started.describe()}")  # fmt: skip
    verify(rule, _runs(host, [failing, *after]) == [1, 1],
           f"the failing hook and the one after it ran {_runs(host, [failing, *after])} times; "
           f"each runs once, the remaining hooks as if the failing one had succeeded")  # fmt: skip
    status = cli.status(cid)
    verify(rule, status == "running", f"after start the container is {status}, not running")
