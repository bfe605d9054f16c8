"""``os._exit`` of a subject in the process that runs the suite raises instead of ending it;
in a forked child it still ends the child (harness.subjects.exits)."""

from __future__ import annotations

import os

import pytest

from harness.subjects.exits import ExitRefused
from harness.subjects.exits import exits_refused


def test_os_exit_is_refused_here_and_still_ends_a_forked_child() -> None:
    real = os._exit
    with exits_refused():
        with pytest.raises(ExitRefused, match=r"os\._exit\(5\) called in the process") as caught:
            os._exit(5)
        assert caught.value.code == 5
        child = os.fork()
        if child == 0:
            try:
                os._exit(7)
            finally:  # the guard failed the child: end it anyway, never run pytest on in it
                real(9)
        _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 7
    assert os._exit is real
