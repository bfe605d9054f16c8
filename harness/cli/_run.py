"""``rtgate run``: check the input, run the suite through pytest in process, print the summary.

Everything that can be checked before the run is (catalog, profile, host, subject, the suite's
location), so a mistake costs one line and no test time.  The exit code comes from the
report's verdict, not from pytest: a failing SHOULD test does not fail the gate, and an
untested requirement does.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import importlib.util
import os
import re
import shlex
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import interrupts
from harness.cli._leftover_wrappers import finalize_quietly
from harness.cli._run_env import run_environment
from harness.cli._terminal import failing_tests
from harness.cli._terminal import header
from harness.errors import InputFileError
from harness.errors import RtgateError
from harness.errors import UsageError
from harness.plugin import ensure_registered
from harness.plugin import hypothesis_profiles
from harness.plugin.keys import driven_key
from harness.plugin.keys import failure_logs_key
from harness.plugin.keys import options_key
from harness.plugin.keys import report_error_key
from harness.plugin.keys import report_key
from harness.plugin.options import request_from
from harness.plugin.run_check import RunOptions
from harness.plugin.run_check import check_run
from harness.plugin.run_check import with_runtime_access
from harness.report.formats import check_report_dir
from harness.report.model import Report
from harness.report.summary import render_summary
from harness.subjects.exits import exits_refused

__all__ = ["default_report_dir", "pytest_args", "run"]

_ALREADY_IMPORTED = "Module already imported so cannot be rewritten"
_HARNESS_TROUBLE = {
    pytest.ExitCode.INTERRUPTED: "the run was interrupted (or the suite failed to collect)",
    pytest.ExitCode.INTERNAL_ERROR: "pytest hit an internal error",
    pytest.ExitCode.NO_TESTS_COLLECTED: "no tests were collected",
}


class _RunHooks:
    """Plugin object handed to :func:`pytest.main`: loads rtgate, hands it the options checked
    here (so the plugin does not check them again), and catches the report."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.report: Report | None = None
        self.logs: dict[str, tuple[str, ...]] = {}
        self.report_error: InputFileError | None = None

    def pytest_addhooks(self, pluginmanager: pytest.PytestPluginManager) -> None:
        ensure_registered(pluginmanager)

    @pytest.hookimpl(tryfirst=True)
    def pytest_cmdline_main(self, config: pytest.Config) -> None:
        config.stash[options_key] = self.options
        config.stash[driven_key] = True

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.report = config.stash.get(report_key, None)
        self.logs = config.stash.get(failure_logs_key, {})
        self.report_error = config.stash.get(report_error_key, None)


def run(args: argparse.Namespace, extra: list[str]) -> int:
    """Run the suite; the exit code of ``rtgate run``.

    Raises:
        RtgateError: bad input (exit 2) or a harness failure (exit 3); printed by the caller.
    """
    with exits_refused(), run_environment(getattr(args, "call_timeout", None)):
        return _run(args, extra)


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    options = check_input(args)
    scenarios = scenarios_dir(args.scenarios)
    report_dir = Path(args.report_dir) if args.report_dir else default_report_dir(args.subject)
    check_report_dir(report_dir)
    options = dataclasses.replace(options, report_dir=str(report_dir.absolute()))
    for line in header(options, report_dir):
        print(line, flush=True)
    # SIGINT and SIGTERM (a CI job that times out), and the run's own --timeout, stop the run
    # in order (harness.interrupts); on a real host every process the run started ends with
    # it, however it escaped.
    hooks = _RunHooks(options)
    limit = getattr(args, "timeout", None)
    with interrupts.handling(), interrupts.stopping_after(limit), _ending_processes(options.host):
        code = _run_suite(hooks, pytest_args(args, options, scenarios, extra))
        signum, timed_out = interrupts.received(), interrupts.timed_out()
    if signum:
        return _interrupted(hooks, signum, report_dir, limit if timed_out else None)
    if hooks.report_error is not None:
        raise hooks.report_error
    if code == pytest.ExitCode.USAGE_ERROR:
        return UsageError.exit_code
    chosen = _selection(args, extra)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED and chosen:
        raise UsageError(f"the selection ({chosen}) matched no test of the suite")
    if code in _HARNESS_TROUBLE:
        raise RtgateError(f"{_HARNESS_TROUBLE[pytest.ExitCode(code)]} (pytest exit code {code})")
    if hooks.report is None:
        raise RtgateError(f"the run ended without a report (pytest exit code {code})")
    for line in failing_tests(hooks.report, hooks.logs):
        print(line)
    print(render_summary(hooks.report))
    print(f"report: {report_dir / 'compliance.json'} (for people: compliance.html)")
    return 0 if hooks.report.summary.verdict == "pass" else 1


def _selection(args: argparse.Namespace, extra: list[str]) -> str:
    """What chose the tests of the run, in words; empty when the run is the whole suite."""
    parts = [f"-k {args.keyword!r}"] if args.keyword else []
    parts += [f"--requirement {args.requirement}"] if args.requirement else []
    parts += [f"pytest's {shlex.join(extra)!r}"] if extra else []
    return ", ".join(parts)


def _ending_processes(host: str) -> contextlib.AbstractContextManager[object]:
    """On a real host, :func:`~harness.hosts.processes.ending_descendants`; else nothing."""
    if host != "real":
        return contextlib.nullcontext()
    from harness.hosts.processes import ending_descendants  # the hosts package is heavy

    return ending_descendants()


def _run_suite(hooks: _RunHooks, argv: list[str]) -> int:
    """pytest's exit code for the suite, on the host prepared for the runtime; a signal
    that stops the run before or after pytest handles it is an interrupted run."""
    try:
        with _prepared_host(hooks.options) as prepared:
            hooks.options = prepared
            code = pytest.main(argv, plugins=[hooks])
    except KeyboardInterrupt:
        code = pytest.ExitCode.INTERRUPTED
    if code == pytest.ExitCode.INTERRUPTED:
        finalize_quietly()
    return code


def _interrupted(hooks: _RunHooks, signum: int, report_dir: Path, timed_out: float | None) -> int:
    """What was found before the stop, said as a run's end says it, and that it is not an
    answer; the exit code of a command that signal stopped (130 for SIGINT), or
    :data:`~harness.interrupts.TIMED_OUT_EXIT` when the run's ``--timeout`` (``timed_out``
    seconds) stopped it."""
    code = interrupts.exit_code(signum)
    why = f"interrupted ({signal.Signals(signum).name})"
    if timed_out is not None:
        code, why = interrupts.TIMED_OUT_EXIT, f"timed out after {timed_out:g} s (--timeout)"
    if hooks.report is None:
        print(f"rtgate: {why} before any test ran", file=sys.stderr)
        return code
    for line in failing_tests(hooks.report, hooks.logs):
        print(line)
    summary = hooks.report.summary
    for what, counts in (("requirements", summary.counts), ("tests", summary.test_counts)):
        print(f"{what} so far: " + ", ".join(f"{n} {o}" for o, n in counts.items() if n))
    ran = len(hooks.report.tests)
    print(
        f"rtgate: {why}: no verdict; the report holds the {ran} test(s) that ran, marked"
        " incomplete",
        file=sys.stderr,
    )
    print(f"report: {report_dir / 'compliance.json'} (for people: compliance.html)")
    return code


@contextlib.contextmanager
def _prepared_host(options: RunOptions) -> Iterator[RunOptions]:
    """The runtime probed and the host prepared for it (:mod:`harness.subjects.access`), said,
    and undone when the run is over.  Doing it here, before pytest starts its workers, makes
    one probe and one preparation serve all of them: the options they are handed say what it
    found."""
    from harness.subjects.access import runtime_prepared

    with runtime_prepared(options.subject, options.profile) as access:
        for line in access.notes:
            print(f"rtgate: {line}", flush=True)
        yield with_runtime_access(options, access)


def check_input(args: argparse.Namespace) -> RunOptions:
    """Everything that can be wrong with the command line, found before any test runs
    (:func:`~harness.plugin.run_check.check_run`, which the plugin uses too).

    Raises:
        UsageError: a bad option value, catalog or expectations file, or subject.
    """
    request = request_from(lambda option: getattr(args, option.dest, None))
    return check_run(
        dataclasses.replace(
            request,
            expectations=os.path.abspath(args.expectations) if args.expectations else None,
            command=shlex.join(getattr(args, "invocation", ["rtgate", "run"])),
        )
    )


def scenarios_dir(override: str | None) -> Path:
    """The suite's directory: the installed ``harness.scenarios`` package, or ``override``.

    Raises:
        UsageError: ``override`` is not a directory.
        RtgateError: the suite is not installed.
    """
    if override is not None:
        if not Path(override).is_dir():
            raise UsageError(f"'--scenarios' must be a directory (got {override!r})")
        return Path(override).absolute()
    spec = importlib.util.find_spec("harness.scenarios")
    if spec is None or not spec.submodule_search_locations:
        raise RtgateError("the conformance suite (harness.scenarios) is not installed")
    return Path(next(iter(spec.submodule_search_locations))).absolute()


def pytest_args(
    args: argparse.Namespace, options: RunOptions, scenarios: Path, extra: list[str]
) -> list[str]:
    """The pytest command line of a run (xdist workers read the options from it)."""
    argv = [
        str(scenarios),
        # pytest's cache, for '-- --lf' and '-- --ff': one per subject, outside the suite
        # (which may be installed read-only) and outside the report directories
        "-o",
        f"cache_dir={cache_dir(args.subject)}",
        # a line per module, so the area running shows; no platform and plugin lines: the
        # header is rtgate's own (_terminal.py), as are the tracebacks and the list of
        # failures, shorter; words after '--' come last and win ('-- --tb=long', '-- -q')
        "--no-header",
        "--tb=no",
        "-rN",
        f"--rtgate-subject={args.subject}",
        f"--rtgate-host={args.host}",
        f"--rtgate-profile={options.profile}",
        f"--rtgate-report-dir={options.report_dir}",
        # Checking the input imported harness and the subject before pytest started; once
        # installed, pytest would warn that it cannot rewrite asserts in those packages.
        "-W",
        f"ignore:{_ALREADY_IMPORTED}:pytest.PytestAssertRewriteWarning",
    ]
    if args.catalog:
        argv.append(f"--rtgate-catalog={args.catalog}")
    if args.expectations:
        argv.append(f"--rtgate-expectations={os.path.abspath(args.expectations)}")
    if args.oci_version:
        argv.append(f"--rtgate-oci-version={args.oci_version}")
    argv += [f"--rtgate-runtime-arg={flag}" for flag in args.runtime_arg or ()]
    argv += [f"--rtgate-require={features}" for features in args.require or ()]
    if args.strict:
        argv.append("--rtgate-strict")
    if args.certify:
        argv.append("--rtgate-certify")
    argv.append(f"--rtgate-command={options.command}")
    if args.preset:
        argv.append(f"--rtgate-preset={args.preset}")
    if args.preset_file:
        argv.append(f"--rtgate-preset-file={os.path.abspath(args.preset_file)}")
    if args.workers is not None:
        argv += ["-n", str(args.workers)]
    if args.requirement:
        argv.append(f"--rtgate-requirement={args.requirement}")
    if args.keyword:
        argv += ["-k", args.keyword]
    if args.quick:
        argv.append("--hypothesis-profile=rtgate-quick")
    if args.hypothesis_profile:
        name = hypothesis_profiles.SHORT_NAMES.get(args.hypothesis_profile, args.hypothesis_profile)
        argv.append(f"--hypothesis-profile={name}")
    if args.hypothesis_seed is not None:
        argv.append(f"--hypothesis-seed={args.hypothesis_seed}")
    return argv + extra


def cache_dir(subject: str) -> Path:
    """Where pytest's cache of runs of ``subject`` lives: ``$XDG_CACHE_HOME/rtgate/<subject>``
    (``~/.cache`` by default), so that ``-- --lf`` reruns what failed last for that runtime."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    slug = re.sub(r"[^a-z0-9]+", "-", subject.lower()).strip("-")[:60] or "subject"
    return base / "rtgate" / slug


def default_report_dir(subject: str, root: Path | None = None) -> Path:
    """A new ``reports/<UTC time>-<subject slug>/``, with ``reports/latest`` pointing at it."""
    reports = (root or Path.cwd()) / "reports"
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    slug = re.sub(r"[^a-z0-9]+", "-", subject.lower()).strip("-")[:40] or "subject"
    check_report_dir(reports)
    for serial in range(1, 1000):
        suffix = "" if serial == 1 else f"-{serial}"
        target = reports / f"{stamp}-{slug}{suffix}"
        try:
            target.mkdir()
        except FileExistsError:
            continue
        _point_latest(reports, target.name)
        return target
    raise RtgateError(f"cannot make a new report directory under {reports}")


def _point_latest(reports: Path, name: str) -> None:
    """Replace ``reports/latest`` in one rename, so it never dangles or goes missing."""
    temp = reports / f".latest.{os.getpid()}"
    temp.unlink(missing_ok=True)
    temp.symlink_to(name, target_is_directory=True)
    os.replace(temp, reports / "latest")
