"""harness.interrupts: the first signal stops the process in order, a shielded section is not
cut short, later signals are said and ignored, and the caller's handlers come back after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from harness import interrupts


def _signal_self(signum: int) -> None:
    """Send ``signum`` to this process; Python runs the handler before the next bytecode of
    the main thread, so it has run when this returns."""
    os.kill(os.getpid(), signum)


def test_the_first_signal_raises_keyboard_interrupt_and_is_remembered() -> None:
    with interrupts.handling():
        assert interrupts.received() == 0
        with pytest.raises(KeyboardInterrupt):
            _signal_self(signal.SIGTERM)
        assert interrupts.received() == signal.SIGTERM
    assert interrupts.received() == 0, "handling() puts the state back"


def test_a_shielded_section_runs_whole_and_the_signal_is_raised_after_it() -> None:
    ran = []
    with interrupts.handling():
        with pytest.raises(KeyboardInterrupt):
            with interrupts.shielded():
                _signal_self(signal.SIGINT)
                ran.append("after the signal")
                with interrupts.shielded():
                    pass  # an inner section's end raises nothing: the outer one is open
                ran.append("after the inner section")
        assert ran == ["after the signal", "after the inner section"]


def test_a_quiet_section_leaves_the_signal_to_the_caller() -> None:
    with interrupts.handling():
        with interrupts.shielded(raise_after=False):
            _signal_self(signal.SIGINT)
        assert interrupts.received() == signal.SIGINT


def test_a_second_signal_is_said_and_ignored(capfd: pytest.CaptureFixture[str]) -> None:
    with interrupts.handling():
        with pytest.raises(KeyboardInterrupt):
            _signal_self(signal.SIGINT)
        _signal_self(signal.SIGINT)  # the stop is under way: nothing raised
        _signal_self(signal.SIGTERM)
        assert interrupts.received() == signal.SIGINT
    assert "SIGTERM: stopping already" in capfd.readouterr().err


def test_a_second_signal_is_said_while_the_simulated_kernel_has_the_filesystem(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The handler writes to the real stderr: under pyfakefs the faked os.write failed on fd 2
    with an AttributeError, which the interrupted test then reported as its failure."""
    from harness.fakes.fixtures import booted_kernel

    with booted_kernel(), interrupts.handling():
        with pytest.raises(KeyboardInterrupt):
            _signal_self(signal.SIGINT)
        _signal_self(signal.SIGTERM)  # said, and nothing raised
    assert "SIGTERM: stopping already" in capfd.readouterr().err


def _callers_handler(signum: int, frame: object) -> None:
    """A handler of the caller's own, which :func:`interrupts.handling` must put back."""


def test_the_callers_handlers_come_back() -> None:
    # the caller's handler is one of the test's own: an earlier test in this worker may have
    # left rtgate's handlers installed (a RealHost installs them for the process)
    original = signal.signal(signal.SIGTERM, _callers_handler)
    try:
        with interrupts.handling():
            assert signal.getsignal(signal.SIGTERM) is not _callers_handler
        assert signal.getsignal(signal.SIGTERM) is _callers_handler
    finally:
        signal.signal(signal.SIGTERM, original)


def test_exit_codes_are_the_shells() -> None:
    assert interrupts.exit_code(signal.SIGINT) == 130
    assert interrupts.exit_code(signal.SIGTERM) == 143


def test_a_signal_ignored_from_the_start_stays_ignored_and_sigterm_is_handled() -> None:
    """A shell starts a background job with SIGINT ignored; installing in such a process takes
    SIGTERM (an orderly stop) and leaves SIGINT ignored.  In a fresh interpreter: the
    handlers of this one are not to be touched."""
    code = (
        "import signal\n"
        "from harness import interrupts\n"
        "assert interrupts.install()\n"
        "assert signal.getsignal(signal.SIGTERM) is interrupts._handle\n"
        "assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN\n"
        "assert interrupts.install(), 'a second call answers the same'\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", code],
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # noqa: PLW1509
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
