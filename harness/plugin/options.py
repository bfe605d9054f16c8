"""The options of a run, in one table that ``rtgate run`` and the plugin both declare.

``rtgate run`` declares each as ``--NAME`` (:mod:`harness.cli._parser`), the plugin as
``--rtgate-NAME``; both read them into a :class:`~harness.plugin.run_check.RunRequest` and check
it once with :func:`~harness.plugin.run_check.check_run`.  A bad value ends the plugin in one
:class:`pytest.UsageError` line naming the option, in the shape
``--rtgate-host: 'host' must be one of ('simulated', 'real') (got 'moon')``.

The controller hands its xdist workers what it alone should find out (the subject's version,
what probing the runtime found) through ``workerinput``: a worker does not run the subject's
``--version`` again.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from harness.errors import HostLacksRequired
from harness.plugin.run_check import HOSTS
from harness.plugin.run_check import OptionError
from harness.plugin.run_check import RunOptions
from harness.plugin.run_check import RunRequest
from harness.plugin.run_check import check_expectations
from harness.plugin.run_check import check_run

__all__ = [
    "HOSTS",
    "RUN_OPTIONS",
    "RunOption",
    "RunOptions",
    "add_options",
    "check_expectations",
    "hand_to_worker",
    "read_options",
    "request_from",
]

#: the ``workerinput`` keys of what the controller hands its workers
_VERSION = "rtgate_subject_version"
_ACCESS = "rtgate_runtime_access"


@dataclasses.dataclass(frozen=True, slots=True)
class RunOption:
    """One option of a run, as both front ends declare it."""

    #: ``oci-version``: ``--oci-version`` in ``rtgate run``, ``--rtgate-oci-version`` in pytest
    name: str
    help: str
    metavar: str | None = None
    default: str | None = None
    #: a switch (``store_true``) rather than a value
    flag: bool = False
    #: may be given many times (``append``): its values are a tuple, in the order given
    repeat: bool = False
    #: the help of ``rtgate run`` where it differs (its defaults are rtgate's, not pytest's)
    run_help: str | None = None
    #: declared by the plugin only: ``rtgate run`` sets it itself
    plugin_only: bool = False

    @property
    def dest(self) -> str:
        """The field of :class:`RunRequest` it fills, and ``rtgate run``'s argparse dest."""
        return self.name.replace("-", "_")

    @property
    def plugin_dest(self) -> str:
        return f"rtgate_{self.dest}"


RUN_OPTIONS = (
    RunOption(
        "subject",
        "the runtime under test: reference, python:MODULE:ATTR or oci:NAME_OR_PATH "
        "(default: reference)",
        metavar="SUBJECT",
        default="reference",
    ),
    RunOption(
        "host",
        f"where the subject acts: one of {', '.join(HOSTS)} (default: simulated)",
        metavar="HOST",
        default="simulated",
    ),  # fmt: skip
    RunOption(
        "preset",
        "the simulated machine (default: v1-cat); 'rtgate presets' lists them",
        metavar="PRESET",
    ),  # fmt: skip
    RunOption(
        "preset-file",
        "the simulated machine from a preset file ('rtgate doctor --capture FILE' writes one; "
        "not with --preset)",
        metavar="FILE",
    ),  # fmt: skip
    RunOption(
        "profile",
        "the catalog profile to check (default: seed; runtime-spec for an oci: subject)",
        metavar="PROFILE",
    ),  # fmt: skip
    RunOption(
        "oci-version",
        "the ociVersion every bundle of an oci: subject declares in config.json, a "
        "runtime-spec release; rules of later releases then skip (default: 1.0.2, and a rule "
        "of a later release its own where the runtime's features reach it; crun 1.8 refuses "
        "newer ones)",
        metavar="VERSION",
    ),  # fmt: skip
    RunOption(
        "runtime-arg",
        "a global flag an oci: subject's runtime needs, given before every command "
        "(repeatable; a flag's value after '=': --runtime-arg=--log-level=debug)",
        metavar="FLAG",
        repeat=True,
    ),
    RunOption(
        "expectations",
        "TOML file of requirements the subject is known to fail: reported as xfail",
        metavar="PATH",
    ),  # fmt: skip
    RunOption(
        "strict",
        "an xpass (a requirement an expectation says fails, passing) fails the verdict",
        flag=True,
    ),  # fmt: skip
    RunOption(
        "certify",
        "certification run: no expectations file may be given, and strict applies",
        flag=True,
    ),  # fmt: skip
    RunOption(
        "report-dir",
        "write compliance.json, junit.xml and the rest into DIR (default: write no report)",
        metavar="DIR",
        run_help="where to write the report (default: "
        "reports/<UTC time>-<subject>/, with reports/latest pointing at it)",
    ),  # fmt: skip
    RunOption("catalog", "requirement catalog (default: the packaged one)", metavar="PATH"),
    RunOption(
        "requirement",
        "only these requirements (comma-separated ids of the profile): their tests run, and "
        "the report and verdict hold them alone",
        metavar="IDS",
    ),  # fmt: skip
    RunOption(
        "require",
        "host features the host must have, comma-separated (repeatable; e.g. "
        "resctrl,cat-l3,mba): a host without one fails the verdict before any test runs, and "
        "a requirement of only required features that skips fails it too",
        metavar="FEATURES",
        repeat=True,
    ),
    RunOption("command", argparse.SUPPRESS, default="", plugin_only=True),
)


def add_options(parser: pytest.Parser) -> None:
    """Declare the ``--rtgate-*`` options in their own help group."""
    group = parser.getgroup("rtgate", "rtgate conformance runs")
    for option in RUN_OPTIONS:
        if option.flag:
            group.addoption(
                f"--rtgate-{option.name}",
                dest=option.plugin_dest,
                action="store_true",
                help=option.help,
            )
            continue
        group.addoption(
            f"--rtgate-{option.name}",
            dest=option.plugin_dest,
            default=option.default,
            metavar=option.metavar,
            help=option.help,
            action="append" if option.repeat else "store",
        )


def request_from(value: Callable[[RunOption], Any]) -> RunRequest:
    """The request of the options whose values ``value`` gives (options it leaves None keep
    their defaults)."""
    given = {option.dest: value(option) for option in RUN_OPTIONS}
    for option in RUN_OPTIONS:
        if option.repeat and given[option.dest] is not None:
            given[option.dest] = tuple(given[option.dest])
    return RunRequest(**{name: found for name, found in given.items() if found is not None})


def read_options(config: pytest.Config) -> RunOptions:
    """Check the plugin's options, once per process (a worker takes the version and what
    probing the runtime found from its controller).

    Raises:
        pytest.UsageError: one line naming the bad option and value.
    """
    request = request_from(lambda option: config.getoption(option.plugin_dest))
    handed: dict[str, Any] = getattr(config, "workerinput", {})
    try:
        options = check_run(request, version=handed.get(_VERSION))
    except OptionError as err:
        raise pytest.UsageError(err.for_pytest()) from err
    except HostLacksRequired as err:
        pytest.exit(f"rtgate: {err.label}: {err}", returncode=1)
    if _ACCESS not in handed:
        return options
    from harness.subjects.access import RuntimeAccess

    return dataclasses.replace(options, runtime_access=RuntimeAccess.from_worker(handed[_ACCESS]))


def hand_to_worker(options: RunOptions, workerinput: dict[str, Any]) -> None:
    """Give an xdist worker what the controller found out once for the run."""
    workerinput[_VERSION] = options.subject_version
    if options.runtime_access is not None:
        workerinput[_ACCESS] = options.runtime_access.to_worker()
