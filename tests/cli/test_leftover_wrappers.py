"""After an interrupted run, what pytest's own suspended hook wrappers raise while being
finalized is dropped, and any other unraisable exception still reaches the hook before."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from _pytest.capture import CaptureManager

from harness.cli._leftover_wrappers import finalize_quietly


def _unraisable(err: BaseException) -> Any:
    return types.SimpleNamespace(
        exc_type=type(err), exc_value=err, exc_traceback=err.__traceback__, object=None
    )


def _raised(call: Any) -> BaseException:
    try:
        call()
    except BaseException as err:  # noqa: BLE001 - whatever it raised is the sample
        return err
    raise AssertionError("the call raised nothing")


def test_pytests_own_finalization_errors_are_dropped_and_others_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reached: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reached.append(u.exc_value))
    finalize_quietly()
    # what the capture wrapper of an interrupted test raises: its capture is gone
    in_pytest = _raised(CaptureManager("no").read_global_capture)
    elsewhere = _raised(lambda: 1 / 0)
    sys.unraisablehook(_unraisable(in_pytest))
    sys.unraisablehook(_unraisable(elsewhere))
    assert reached == [elsewhere]


def test_a_second_interrupted_run_adds_no_second_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "unraisablehook", lambda u: None)
    finalize_quietly()
    first = sys.unraisablehook
    finalize_quietly()
    assert sys.unraisablehook is first
