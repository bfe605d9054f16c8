"""The rtgate pytest plugin: options, the ``requirement`` marker, fixtures, the report.

Loaded through the ``pytest11`` entry point ``rtgate`` once installed, or by the checkout's
``conftest.py`` (see :func:`ensure_registered`).  Wiring is here, at module level; the state
lives in two plugin objects registered in :func:`pytest_configure`, as in pytest's own
``junitxml`` and ``stepwise``: :class:`~harness.plugin.marks.RequirementMarks` (collection, on
every process) and :class:`~harness.plugin.collector.OutcomeCollector` (outcomes and the report,
on the controller only).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from harness import hookspec
from harness import interrupts
from harness.plugin import hypothesis_profiles
from harness.plugin.checks import CheckCounter
from harness.plugin.checks import check_failed
from harness.plugin.checks import record_check
from harness.plugin.collector import OutcomeCollector
from harness.plugin.collector import applying_expectations
from harness.plugin.commands import RecordCommands
from harness.plugin.commands import attach_commands
from harness.plugin.expected import XfailByExpectation
from harness.plugin.keys import options_key
from harness.plugin.keys import report_key
from harness.plugin.keys import requirements_key
from harness.plugin.keys import verdict_key
from harness.plugin.marks import MARKER_HELP
from harness.plugin.marks import NEEDS_HELP
from harness.plugin.marks import RequirementMarks
from harness.plugin.marks import record_violation
from harness.plugin.marks import rule_spec_version
from harness.plugin.options import RunOptions
from harness.plugin.options import add_options
from harness.plugin.options import hand_to_worker
from harness.plugin.options import read_options

__all__ = [
    "PLUGIN_NAME",
    "RunOptions",
    "Verify",
    "ensure_registered",
    "record_commands",
    "options_key",
    "record_violation",
    "report_key",
    "requirements_key",
    "rtgate_hypothesis",
    "rtgate_options",
    "rtgate_rule_version",
    "verdict_key",
    "verify",
]

#: the name the plugin is registered under, whichever way it is loaded (``-p no:rtgate``)
PLUGIN_NAME = "rtgate"
_MARKS = "rtgate-marks"
_COLLECTOR = "rtgate-collector"
_EXPECTED = "rtgate-expected"
_CHECKS = "rtgate-checks"


def ensure_registered(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register this module as ``rtgate`` unless the entry point already did, or it is blocked.

    Called from the checkout's ``conftest.py`` and by ``rtgate run``, so the plugin is active
    exactly once whether or not the distribution is installed.
    """
    module = sys.modules[__name__]
    if pluginmanager.is_registered(module) or pluginmanager.is_blocked(PLUGIN_NAME):
        return
    if pluginmanager.get_plugin(PLUGIN_NAME) is None:
        pluginmanager.register(module, PLUGIN_NAME)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspec)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)
    parser.getgroup("rtgate").addoption(
        "--rtgate-replay", dest="rtgate_replay", metavar="VERSION:BLOB",
        help="run the state machines on this one shrunk sequence (rtgate replay gives it)",
    )  # fmt: skip


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # tryfirst: the profiles must exist before Hypothesis' plugin loads --hypothesis-profile;
    # registering one loads nothing: other tests of the session keep their settings
    hypothesis_profiles.register_profiles()
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line("markers", NEEDS_HELP)
    # ``rtgate run`` checked the options in this process already and stashed them
    options = config.stash.get(options_key, None) or read_options(config)
    config.stash[options_key] = options
    marks = RequirementMarks(options)
    config.pluginmanager.register(marks, _MARKS)
    config.pluginmanager.register(CheckCounter(frozenset(marks.in_profile)), _CHECKS)
    holding = applying_expectations(options)
    if holding:
        config.pluginmanager.register(XfailByExpectation(holding), _EXPECTED)
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(OutcomeCollector(config, options), _COLLECTOR)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: a worker takes from the controller what is found out once per run."""
    hand_to_worker(node.config.stash[options_key], node.workerinput)


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Iterator[object]:
    """A run stopped by a signal (or ``-x``) tears its fixtures down here, before pytest
    changes back to its start directory and writes its report and cache: a simulated host's
    fixture keeps the filesystem patched until it is torn down, and pytest would do all that
    in the fake one (or fail, and write no report at all)."""
    try:
        return (yield)
    except BaseException:
        _teardown_now(session)
        raise


def _teardown_now(session: pytest.Session) -> None:
    """Every fixture still set up, torn down in order, and whatever left the filesystem
    patched undone; no signal cuts it short (:mod:`harness.interrupts`)."""
    with interrupts.shielded(raise_after=False):
        setup_state = getattr(session, "_setupstate", None)  # pytest's own, for this end
        try:
            if setup_state is not None:
                setup_state.teardown_exact(None)
        except BaseException as err:  # noqa: BLE001 - the run is ending: say it, go on
            print(f"rtgate: tearing down after the stop: {err!r}", file=sys.stderr)
        if "harness.fakes.fixtures" in sys.modules:
            from harness.fakes.fixtures import release_patching

            release_patching()
        if "harness.hosts.real" in sys.modules:  # one whose fixture never got its teardown
            from harness.hosts.real import close_open_hosts

            for problem in close_open_hosts():
                print(f"rtgate: closing a real host after the stop: {problem}", file=sys.stderr)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish() -> Iterator[None]:
    """The end of the session runs whole: the last fixtures' teardown, then the report; a
    signal meanwhile marks the run interrupted (the report says it) rather than cutting
    either short."""
    with interrupts.shielded(raise_after=False):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[object]:
    """After a signal that something on the way caught, no other test starts: the stop
    goes on at the next test's boundary (:mod:`harness.interrupts`)."""
    try:
        return (yield)
    finally:
        if interrupts.received() and not item.session.shouldstop:
            item.session.shouldstop = f"interrupted by signal {interrupts.received()}"


def pytest_unconfigure(config: pytest.Config) -> None:
    for name in (_COLLECTOR, _EXPECTED, _CHECKS, _MARKS):
        plugin = config.pluginmanager.get_plugin(name)
        if plugin is not None:
            config.pluginmanager.unregister(plugin, name)


@pytest.fixture(scope="session")
def rtgate_options(request: pytest.FixtureRequest) -> RunOptions:
    """The checked options of this run: subject, host, profile, report dir, catalog."""
    return request.config.stash[options_key]


@pytest.fixture
def rtgate_rule_version(request: pytest.FixtureRequest) -> str | None:
    """The newest runtime-spec release the test's requirements come from (the catalog's
    ``spec_version``; None when none names one): what a rule of a later release than the
    run's bundles declare raises its bundles to (harness/spec/versions.py)."""
    return rule_spec_version(request.node)


@pytest.fixture(scope="session")
def rtgate_hypothesis(request: pytest.FixtureRequest) -> hypothesis_profiles.HypothesisRun:
    """rtgate's Hypothesis settings and seed for the suite's state machines: given to each
    run, never loaded for the session (:mod:`harness.plugin.hypothesis_profiles`)."""
    return hypothesis_profiles.rtgate_hypothesis(request.config)


class Verify:
    """``verify(req_id, ok, message)``: one check of one requirement (see
    :mod:`harness.plugin.checks`).

    Every call is counted with its requirement, passed or failed; a failed one blames
    ``req_id`` and stops the test.  A requirement passes only on checks of its own, so a test
    of several requirements checks each through here: one that the test never reached is
    reported "not reached", never passed.
    """

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request

    def __call__(self, req_id: str, ok: object, message: str) -> None:
        __tracebackhide__ = True
        self.each((req_id, ok, message))

    def each(self, *checks: tuple[str, object, str]) -> None:
        """Several ``(req_id, ok, message)`` checks of one outcome: each is counted, every
        failing one is blamed (not only the first), then one error lists them all."""
        __tracebackhide__ = True
        node = self._request.node
        failed: list[str] = []
        for req_id, ok, message in checks:
            record_check(node, req_id, bool(ok), f"[{req_id}] {message}")
            if not ok:
                record_violation(node, req_id)
                failed.append(f"[{req_id}] {message}")
        if failed:
            raise check_failed("; ".join(failed))


@pytest.fixture
def verify(request: pytest.FixtureRequest) -> Verify:
    """Per-requirement assertions: see :class:`Verify`."""
    return Verify(request)


@pytest.fixture
def record_commands(request: pytest.FixtureRequest) -> RecordCommands:
    """``record_commands(records, run=None)``: when the test ends, the commands ``records()``
    returns then go into its report (``run()``: how many ran in all, when ``records()`` holds
    the last of them).  A fixture, so that the suite needs no import of the plugin."""
    return functools.partial(attach_commands, request)
