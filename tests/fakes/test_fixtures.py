"""``booted_kernel`` isolates tests and Hypothesis examples, and boots only what it models."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from harness.errors import FakeKernelError
from harness.fakes import Topology
from harness.fakes import booted_kernel
from tests.fakes._io import read

MARKER = "/run/leak-marker"


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=3))
def test_each_example_gets_a_fresh_host(groups: int) -> None:
    with booted_kernel() as kernel:
        assert not os.path.exists(MARKER)
        assert kernel.live_pids() == []
        for i in range(groups):
            os.mkdir(f"/sys/fs/resctrl/g{i}")
        with open(MARKER, "w") as f:
            f.write("x")
        assert len(os.listdir("/sys/fs/resctrl")) == 7 + groups


def test_the_real_filesystem_is_back_after_the_block() -> None:
    with booted_kernel(), open(MARKER, "w") as f:
        f.write("x")
    assert not os.path.exists(MARKER)


def test_teardown_happens_when_the_body_raises() -> None:
    with pytest.raises(RuntimeError), booted_kernel():
        raise RuntimeError("boom")
    with booted_kernel():
        assert not os.path.exists(MARKER)


@pytest.mark.parametrize("mode", ["v1", "v2", "hybrid"])
def test_every_cgroup_mode_boots(mode: str) -> None:
    with booted_kernel(Topology(cgroup_mode=mode)) as kernel:  # type: ignore[arg-type]
        assert (kernel.unified is None) == (mode == "v1")
        assert bool(kernel.hierarchies) == (mode != "v2")


@pytest.mark.parametrize(
    "topology",
    [
        Topology(cgroup_mode="hybrid", v2_controllers=("memory",)),
        Topology(cgroup_mode="hybrid", v1_controllers=("blkio",), v2_controllers=("io",)),
        Topology(cgroup_mode="v2", v2_controllers=("freezer",)),
        Topology(v1_controllers=("cpu", "cpu")),
    ],
)
def test_impossible_cgroup_layouts_fail_loudly(topology: Topology) -> None:
    with pytest.raises(FakeKernelError), booted_kernel(topology):
        pass


def test_controllers_follow_the_topology() -> None:
    with booted_kernel(Topology(v1_controllers=("freezer", "devices"))):
        assert sorted(os.listdir("/sys/fs/cgroup")) == ["devices", "freezer"]
        mounts = [m for m in read("/proc/self/mountinfo").splitlines() if " - cgroup " in m]
        assert [m.split()[-1] for m in mounts] == ["rw,freezer", "rw,devices"]


@pytest.mark.parametrize("switch", ["pause", "resume"])
def test_a_signal_while_the_patcher_switches_leaves_no_module_half_patched(switch: str) -> None:
    """pyfakefs' pytest plugin pauses and resumes the patcher around every test report, outside
    any section of rtgate's.  A signal in the middle of a pause once left modules patched while
    the patcher said it was not, and the interrupted run's end then wrote through the fake
    ``os`` (EBADF on a real descriptor); one in the middle of a resume made the teardown pop
    an import finder that was not pyfakefs'.  The switch now runs whole and the signal is
    raised after it, so the block's end leaves every module and finder as it found them."""
    import signal

    from pyfakefs.fake_filesystem_unittest import Patcher

    from harness import interrupts
    from harness.report import _atomic

    real_os, finders = os, list(sys.meta_path)
    with interrupts.handling():
        with pytest.raises(KeyboardInterrupt), booted_kernel():
            patcher = Patcher.PATCHER
            assert patcher is not None and patcher._stubs is not None
            if switch == "resume":
                patcher.pause()
            stubs = patcher._stubs
            original = stubs.smart_unset_all if switch == "pause" else stubs.smart_set

            def interrupted(*args: object) -> None:
                os.kill(os.getpid(), signal.SIGINT)  # the handler runs before this returns
                original(*args)  # type: ignore[operator]

            setattr(stubs, original.__name__, interrupted)
            try:
                patcher.pause() if switch == "pause" else patcher.resume()
            finally:
                setattr(stubs, original.__name__, original)
    leaked = _atomic.os is not real_os
    if leaked:  # put every module back, so that the failure stays this test's
        patcher._patching = True
        Patcher.stop_patching(patcher)
    lost = [finder for finder in finders if finder not in sys.meta_path]
    sys.meta_path[:] = finders
    assert not leaked, "a module kept the fake os after the block"
    assert lost == [], "the block's end took import finders that were not pyfakefs'"
    assert Patcher.PATCHER is None
