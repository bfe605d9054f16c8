"""The argument parser of ``rtgate``: every mistake is one line, never a usage screen."""

from __future__ import annotations

import argparse
import os
from typing import NoReturn

from harness.build_info import full_version
from harness.errors import UsageError
from harness.interrupts import TIMED_OUT_EXIT
from harness.plugin import hypothesis_profiles
from harness.plugin.options import RUN_OPTIONS
from harness.subjects.bounded import DEFAULT_LIMIT_S
from harness.subjects.bounded import LIMIT_VARIABLE

__all__ = ["ArgumentParser", "build_parser", "check_pytest_workers", "max_workers"]


class ArgumentParser(argparse.ArgumentParser):
    """Raises :class:`~harness.errors.UsageError` instead of printing usage and exiting, so
    :func:`harness.cli.main` reports argparse's errors like every other bad input."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> ArgumentParser:
    """``rtgate [--debug] {run,requirements,presets,doctor,report,cleanup} ...``"""
    parser = ArgumentParser(
        prog="rtgate",
        description="Conformance and fault-injection tests for Linux container runtimes.",
        epilog="exit codes: 0 verdict pass, 1 verdict fail, 2 bad usage or input file, "
        f"3 harness or host error, {TIMED_OUT_EXIT} 'run --timeout' reached, 128+N stopped by "
        "signal N",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of rtgate errors")
    parser.add_argument(
        "--version", action="version", version=f"rtgate {full_version()}",
        help="the version, with the commit it was built from (+g<commit>) when known",
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    _run_command(commands)

    listing = commands.add_parser("requirements", help="list the requirement catalog")
    _common(listing)
    listing.add_argument("--profile", help="only the requirements of this profile")
    listing.add_argument(
        "--oci-version",
        metavar="VERSION",
        help="only the rules of runtime-spec VERSION: those of its release and earlier ones, "
        "which a run of --oci-version VERSION checks",
    )
    listing.add_argument(
        "--catalog", metavar="PATH", help="requirement catalog (default: packaged)"
    )
    listing.add_argument("--format", choices=("text", "json"), default="text")

    hosts = commands.add_parser("presets", help="list the simulated hosts of --preset")
    _common(hosts)
    hosts.add_argument("--format", choices=("text", "json"), default="text")

    _doctor_command(commands)

    cleanup = commands.add_parser(
        "cleanup",
        help="remove what killed real-host runs left (names rtgate-<pid>-... of dead pids)",
    )
    _common(cleanup)
    cleanup.add_argument("--dry-run", action="store_true", help="list, remove nothing")

    _inject_command(commands)
    _report_commands(commands)
    _expectations_command(commands)
    _replay_command(commands)
    _completion_command(commands)
    return parser


def _doctor_command(commands: argparse._SubParsersAction) -> None:
    """``rtgate doctor``: the host report, its fidelity comparison, its capture."""
    doctor = commands.add_parser(
        "doctor",
        help="what this host offers real-host runs; --fidelity compares the simulated kernel",
        description="Print root, kernel, cgroup mode and controllers, resctrl, CPU RDT flags and "
        "the runtimes on PATH.  With --fidelity (root only) also run every probe on this "
        "host's kernel and on its simulated twin and print one line per probe; exit 1 when "
        "any differs.",
    )
    _common(doctor)
    doctor.add_argument(
        "--fidelity", action="store_true", help="compare the simulated kernel with this one"
    )
    doctor.add_argument(
        "--format", choices=("text", "json"), default="text",
        help="json: the host report as one object (schema rtgate-doctor/1), for inventories",
    )  # fmt: skip
    doctor.add_argument(
        "--probe", metavar="TEXT", help="with --fidelity: only probes whose name contains TEXT"
    )
    doctor.add_argument(
        "--capture",
        metavar="FILE",
        help="also write this host as a preset file (TOML) for 'rtgate run --preset-file FILE'",
    )
    doctor.add_argument(
        "--name", metavar="NAME", help="with --capture: the preset's name (default: "
        "captured-<hostname>)",
    )  # fmt: skip


def _expectations_command(commands: argparse._SubParsersAction) -> None:
    """``rtgate expectations update``: waivers written from a run's failures."""
    waivers = commands.add_parser(
        "expectations", help="write an expectations file from a run's failures"
    )
    _common(waivers)
    actions = waivers.add_subparsers(dest="expectations_command", metavar="ACTION", required=True)
    update = actions.add_parser(
        "update",
        help="add a run's new failures to an expectations file",
        description="Add an entry for each failure or error of REPORT that FILE does not list for "
        "the run's profile; the rest of FILE stays as it is.  New entries say 'TO FILL IN' in "
        "their reason and link, which a --strict run refuses.  FILE: --into, else the file the "
        "run used; with neither, the new file is printed.",
    )
    _common(update)
    _report_argument(update)
    update.add_argument("--into", metavar="FILE", help="the expectations file to update or make")


def _replay_command(commands: argparse._SubParsersAction) -> None:
    """``rtgate replay``: a report's shrunk state machine sequence, run again."""
    replay = commands.add_parser(
        "replay",
        help="run a report's shrunk state machine sequence again; exit 1 if it still fails",
        description="Run the sequence of steps a state machine shrank a failure of REQUIREMENT "
        "to, exactly, with the report's command (subject, profile, preset, flags), or against "
        "--subject.  Says whether it still fails (exit 1) or passes now (exit 0).",
    )
    _common(replay)
    _report_argument(replay)
    replay.add_argument("--requirement", required=True, metavar="ID", help="the failing rule")
    replay.add_argument("--subject", help="replay against this subject instead")
    replay.add_argument("--report-dir", metavar="DIR", help="the replay's report (default: temp)")


def _completion_command(commands: argparse._SubParsersAction) -> None:
    """``rtgate completion SHELL``: a completion script generated from this parser."""
    completion = commands.add_parser(
        "completion",
        help="print a shell completion script",
        description="Print a completion script for SHELL, generated from rtgate's own options: "
        'eval "$(rtgate completion bash)" in ~/.bashrc, or save it as '
        "/usr/share/bash-completion/completions/rtgate; zsh: eval it in ~/.zshrc.",
    )
    _common(completion)
    completion.add_argument("shell", choices=("bash", "zsh"), metavar="SHELL", help="bash or zsh")


def _inject_command(commands: argparse._SubParsersAction) -> None:
    """``rtgate inject``: one command under the syscall fault engine."""
    inject = commands.add_parser(
        "inject",
        help="run one command under the syscall fault engine (replays a counterexample)",
        description="Run the command after '--' with the given kernel faults, as the scenarios "
        "arm them for a runtime command: --fault OP:ERRNO:WHEN:PATH (WHEN: first or every; "
        "PATH: absolute, fnmatch patterns allowed).  Root only.  Exits with the command's code.",
    )
    _common(inject)
    inject.add_argument(
        "--fault", action="append", default=[], metavar="OP:ERRNO:WHEN:PATH",
        help="e.g. rmdir:EBUSY:every:/sys/fs/cgroup/*/ctr (repeatable)",
    )  # fmt: skip


def _report_commands(commands: argparse._SubParsersAction) -> None:
    """``rtgate report render | diff | merge``: work on reports that runs wrote."""
    report = commands.add_parser(
        "report",
        help="rebuild, compare or merge reports that runs wrote",
        description="Work on reports that 'rtgate run' wrote.  REPORT is a report directory "
        "or its compliance.json.",
    )
    _common(report)
    actions = report.add_subparsers(dest="report_command", metavar="ACTION", required=True)

    render = actions.add_parser(
        "render",
        help="rebuild every format of a report from its compliance.json",
        description="Read REPORT's compliance.json and write every format again (the JSON "
        "too, unchanged), into REPORT's directory or --out.  Prints the paths written.",
    )
    _common(render)
    _report_argument(render)
    render.add_argument("--out", metavar="DIR", help="write here instead (made if missing)")

    diff = actions.add_parser(
        "diff",
        help="what changed between two reports; exit 1 on a regression",
        description="Compare two reports requirement by requirement: regressions (pass, "
        "xpass, xfail or skip became fail or error; or a tested requirement became "
        "untested), fixes (fail or error became pass or xpass), new and removed "
        "requirements, and other changes; also the verdicts and the facts of the runs that "
        "differ (subject, version, host, profile).",
        epilog="exit codes: 0 no regression, 1 at least one regression, 2 bad usage or input",
    )
    _common(diff)
    diff.add_argument("old", metavar="OLD", help="the earlier report (directory or json)")
    diff.add_argument("new", metavar="NEW", help="the later report (directory or json)")
    diff.add_argument(
        "--format", choices=("text", "md", "json"), default="text", help="default: %(default)s"
    )

    merge = actions.add_parser(
        "merge",
        help="a fleet report: many hosts side by side, grouped by host features",
        description="Merge the reports of several hosts into fleet.json, fleet.md and "
        "fleet.html: one column per host (labelled by hostname, simulated preset or "
        "directory name), grouped by host features, and the requirements that fail on some "
        "hosts only, with the features those hosts share.  Several runs of one host (same "
        "label, subject and profile, other start times) are its history: since when each "
        "requirement fails, and where it flaps.  Prints each host's verdict.",
        epilog="exit codes: 0 written (whatever the hosts' verdicts: it is a report, not a "
        "gate), 2 bad usage or input",
    )
    _common(merge)
    merge.add_argument(
        "reports", metavar="REPORT", nargs="+", help="two or more report dirs or json files"
    )
    merge.add_argument(
        "--out", metavar="DIR", help="where to write (default: reports/fleet-<UTC time>/)"
    )


def _run_command(commands: argparse._SubParsersAction) -> None:
    """``rtgate run``: the options it shares with the plugin, then its own."""
    run = commands.add_parser(
        "run",
        help="run the conformance suite against a subject and write a report",
        description="Run the conformance suite.  Arguments after '--' go to pytest unchanged.  "
        "Requirements whose tests are all left out (e.g. by -k) are untested, which fails "
        "the verdict; --requirement instead checks the named requirements alone.",
    )
    _common(run)
    _run_options(run)
    run.add_argument(
        "-n", dest="workers", type=_workers, metavar="N",
        help=f"run on N pytest-xdist workers (1 to {WORKERS_PER_CPU} per CPU; auto: one per CPU)",
    )  # fmt: skip
    run.add_argument("-k", dest="keyword", metavar="EXPR", help="only tests matching EXPR")
    run.add_argument(
        "--failed", metavar="REPORT",
        help="run REPORT's command again for the requirements that failed in it (options given"
        " here win over the report's)",
    )  # fmt: skip
    _hypothesis_options(run)
    _time_limits(run)
    run.add_argument("--scenarios", metavar="DIR", help=argparse.SUPPRESS)


def _time_limits(run: argparse.ArgumentParser) -> None:
    """How long the whole run, and each call into a ``python:`` subject, may take."""
    run.add_argument(
        "--timeout", type=_seconds, metavar="SECONDS",
        help="stop the run after SECONDS as Ctrl-C stops it: what it made is removed, the "
        f"report is written marked incomplete and says it timed out; exit {TIMED_OUT_EXIT} "
        "(default: no limit)",
    )  # fmt: skip
    run.add_argument(
        "--call-timeout", type=_seconds, metavar="SECONDS",
        help="the most each call into a python: subject may take (its import, new_factory, "
        f"create, start, kill, ...; default: ${LIMIT_VARIABLE}, else {DEFAULT_LIMIT_S:g}): a "
        "call that takes longer is abandoned and its test is an error; a hung import is a "
        "usage error",
    )  # fmt: skip


def _run_options(run: argparse.ArgumentParser) -> None:
    """The options ``rtgate run`` shares with the plugin, from their one table."""
    for option in RUN_OPTIONS:
        if option.plugin_only:
            continue
        help_text = option.run_help or option.help
        if option.flag:
            run.add_argument(f"--{option.name}", action="store_true", help=help_text)
            continue
        run.add_argument(
            f"--{option.name}",
            default=option.default,
            metavar=option.metavar,
            help=help_text,
            action="append" if option.repeat else "store",
        )


def _hypothesis_options(run: argparse.ArgumentParser) -> None:
    """How many sequences the Hypothesis state machines try, and from which seed."""
    examples = run.add_mutually_exclusive_group()
    examples.add_argument("--quick", action="store_true", help="fewer Hypothesis examples")
    examples.add_argument(
        "--hypothesis-profile",
        choices=(*hypothesis_profiles.SHORT_NAMES, *hypothesis_profiles.PROFILES),
        metavar="NAME",
        help="the Hypothesis settings profile: quick (fewer examples, no shrinking), ci (the "
        "default) or deep (for nightly runs), or their full names "
        f"({', '.join(hypothesis_profiles.PROFILES)})",
    )
    run.add_argument(
        "--hypothesis-seed",
        type=_seed,
        metavar="N",
        help=f"the seed of every Hypothesis test (default: {hypothesis_profiles.DEFAULT_SEED}; "
        "the report records it)",
    )


def _report_argument(parser: argparse.ArgumentParser) -> None:
    """The REPORT a command reads: a report directory or its compliance.json."""
    parser.add_argument("report", metavar="REPORT", help="report directory or compliance.json")


def _common(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a subcommand's default must not overwrite a --debug given before it.
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )


#: the most xdist workers per CPU: more only thrash (each is a Python process with the suite)
WORKERS_PER_CPU = 4
#: the largest ``--hypothesis-seed``: what a 64-bit seed holds
MAX_SEED = 2**64 - 1


def max_workers() -> int:
    """The most workers ``-n`` takes on this machine."""
    return WORKERS_PER_CPU * (os.cpu_count() or 1)


def _workers(text: str) -> int | str:
    """``-n``: 'auto' (one per CPU, xdist's own), or 1 to :func:`max_workers`; ``-n 99999``
    would start 99999 Python processes."""
    if text == "auto":
        return text
    return _whole_number(text, 1, max_workers(), " or 'auto'")


def check_pytest_workers(words: list[str]) -> None:
    """The words after ``--`` give pytest-xdist's ``-n`` the same bounds as ``rtgate run -n``.

    Raises:
        UsageError: a number of workers out of bounds.
    """
    parser = ArgumentParser(prog="rtgate run ... --", add_help=False)
    parser.add_argument("-n", "--numprocesses", type=_workers)
    parser.parse_known_args(words)


#: the longest time limit taken: a week (setitimer and Event.wait take no larger)
MAX_SECONDS = 7 * 24 * 3600.0


def _seconds(text: str) -> float:
    """A time limit: a positive number of seconds, at most :data:`MAX_SECONDS`."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds above 0, at most {MAX_SECONDS:g} (got {text[:40]!r})"
        )
    return value


def _seed(text: str) -> int:
    return _whole_number(text, 0, MAX_SEED)


def _whole_number(text: str, low: int, high: int, other: str = "") -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from {low} to {high}{other} (got {text[:40]!r})"
        )
    return value
