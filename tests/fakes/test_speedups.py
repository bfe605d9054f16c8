"""pyfakefs' hot spots replaced by harness/fakes/_speedups.py answer as pyfakefs' own functions."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyfakefs import helpers
from pyfakefs.fake_filesystem_unittest import Patcher

from harness.fakes import _speedups as speedups
from harness.fakes import booted_kernel

SKIP_NAMES = [
    set(),
    {"test_speedups"},
    {"fakes.test_speedups"},
    {"other", "tests.fakes.test_speedups"},
    {"speedups"},
    {"pyfakefs.fake_open", "pyfakefs.fake_io"},
]


def _through_stdlib(check: Callable[..., bool], levels: int, *args: Any) -> bool:
    """``check(*args)`` called from the standard library only: ``levels`` nested ExitStacks
    above it (two frames each), no frame of this module near it; the check looks at five."""
    results: list[bool] = []
    with contextlib.ExitStack() as outer:
        stack = outer
        for _ in range(levels):
            inner = contextlib.ExitStack()
            stack.callback(inner.close)
            stack = inner
        # map and extend run in C: the check's nearest Python callers are contextlib's
        stack.callback(results.extend, map(functools.partial(check, *args), [False]))
    return results[0]


@pytest.mark.parametrize("case_sensitive", [True, False])
@pytest.mark.parametrize("levels", [0, 1, 2, 3])
def test_the_skip_check_answers_as_pyfakefs(case_sensitive: bool, levels: int) -> None:
    speedups.install()
    original = speedups.REPLACED["is_called_from_skipped_module"]
    assert helpers.is_called_from_skipped_module is speedups.is_called_from_skipped_module
    answers = []
    for names in SKIP_NAMES:
        want = _through_stdlib(original, levels, names, case_sensitive)
        got = _through_stdlib(speedups.is_called_from_skipped_module, levels, names, case_sensitive)
        assert got == want, (names, levels)
        answers.append(want)
    if levels == 0:
        assert answers == [False, True, True, True, False, False]


def test_an_open_from_a_skipped_module_uses_the_real_open(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("host")
    with booted_kernel():
        io_module = Patcher.PATCHER.fake_modules["io"]  # type: ignore[union-attr]
        io_module.skip_names = {*io_module.skip_names, "test_speedups"}
        try:
            with open(real) as file:  # called from this module, a skipped one
                assert file.read() == "host"
        finally:
            io_module.skip_names -= {"test_speedups"}
        assert not os.path.exists(real)  # the fake filesystem has no such file
