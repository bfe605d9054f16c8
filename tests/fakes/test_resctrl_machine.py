"""A Hypothesis state machine over the simulated resctrl, driven only through the filesystem:
whatever a runtime does, the kernel's bookkeeping invariants hold (reference §1.8–1.11)."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import consumes
from hypothesis.stateful import invariant
from hypothesis.stateful import multiple
from hypothesis.stateful import rule

from harness.fakes import ResctrlTopology
from harness.fakes import SimulatedKernel
from harness.fakes import Topology
from harness.fakes import booted_kernel
from harness.fakes.topology import MbaTopology
from harness.fakes.topology import MonitoringTopology
from tests.fakes._io import RESCTRL
from tests.fakes._io import read
from tests.fakes._io import write

TOPOLOGY = Topology(
    resctrl=ResctrlTopology(
        cbm_mask=0xFF,
        num_closids=4,
        mba=MbaTopology(),
        monitoring=MonitoringTopology(num_rmids=6),
        shareable_bits=0x80,
    ),
    num_cpus=4,
)
NUM_CPUS = 4
NAMES = st.sampled_from(["a", "b", "c", "d"])
MASKS = st.sampled_from(["ff", "f", "f0", "3", "c", "30", "7f", "1"])
#: what the kernel may answer to a well-formed request it refuses
REFUSALS = {errno.EINVAL, errno.ENOSPC, errno.EBUSY, errno.EEXIST, errno.ENOENT, errno.EPERM}


def _dir(ctrl: str) -> str:
    return f"{RESCTRL}/{ctrl}" if ctrl else RESCTRL


def _attempt(action: Callable[[], object]) -> bool:
    """Run ``action()``: whether it succeeded; a refusal is fine, any other error is a bug."""
    try:
        action()
    except OSError as exc:
        assert exc.errno in REFUSALS, exc
        return False
    return True


@dataclass(frozen=True, slots=True)
class GroupView:
    """What a CTRL_MON group's files say."""

    tasks: list[str]
    cpus: int
    mode: str
    l3: dict[int, int]
    #: MON group name -> (its tasks, its cpus)
    mons: dict[str, tuple[set[str], int]]


class ResctrlMachine(RuleBasedStateMachine):
    """Random group, task, mask, mode and CPU operations."""

    def __init__(self) -> None:
        super().__init__()
        self._stack = contextlib.ExitStack()
        self.kernel: SimulatedKernel = self._stack.enter_context(booted_kernel(TOPOLOGY))
        self.pids = [self.kernel.spawn_process(f"t{i}") for i in range(3)]

    def teardown(self) -> None:
        self._stack.close()

    ctrls = Bundle("ctrls")
    mons = Bundle("mons")

    @rule(target=ctrls, name=NAMES)
    def mkdir_ctrl(self, name: str) -> object:
        if not _attempt(lambda: os.mkdir(f"{RESCTRL}/{name}")):
            return multiple()
        return name

    @rule(target=mons, ctrl=st.just("") | ctrls, name=NAMES)
    def mkdir_mon(self, ctrl: str, name: str) -> object:
        path = f"{_dir(ctrl)}/mon_groups/m{name}"
        return path if _attempt(lambda: os.mkdir(path)) else multiple()

    @rule(ctrl=consumes(ctrls))
    def rmdir_ctrl(self, ctrl: str) -> None:
        _attempt(lambda: os.rmdir(_dir(ctrl)))

    @rule(mon=consumes(mons))
    def rmdir_mon(self, mon: str) -> None:
        _attempt(lambda: os.rmdir(mon))

    @rule(ctrl=st.just("") | ctrls, masks=st.tuples(MASKS, MASKS), mb=st.integers(0, 120))
    def schemata(self, ctrl: str, masks: tuple[str, str], mb: int) -> None:
        payload = f"L3:0={masks[0]};1={masks[1]}\nMB:0={mb}\n"
        _attempt(lambda: write(f"{_dir(ctrl)}/schemata", payload))

    @rule(ctrl=st.just("") | ctrls, mode=st.sampled_from(["shareable", "exclusive"]))
    def mode(self, ctrl: str, mode: str) -> None:
        _attempt(lambda: write(f"{_dir(ctrl)}/mode", f"{mode}\n"))

    @rule(index=st.integers(0, 2), group=st.just("") | ctrls | mons)
    def move(self, index: int, group: str) -> None:
        pid = self.pids[index]
        path = group if group.startswith("/") else _dir(group)
        _attempt(lambda: write(f"{path}/tasks", f"{pid}\n"))

    @rule(group=st.just("") | ctrls | mons, cpus=st.integers(0, 15))
    def cpus(self, group: str, cpus: int) -> None:
        path = group if group.startswith("/") else _dir(group)
        _attempt(lambda: write(f"{path}/cpus", f"{cpus:x}\n"))

    # -- invariants -----------------------------------------------------------------------------
    def _snapshot(self) -> dict[str, GroupView]:
        """Every CTRL_MON group's files, read once: tasks, cpus, mode, L3 masks, MON groups."""
        names = [n for n in os.listdir(RESCTRL) if os.path.isfile(f"{RESCTRL}/{n}/schemata")]
        snap: dict[str, GroupView] = {}
        for ctrl in [RESCTRL] + [f"{RESCTRL}/{n}" for n in names]:
            lines = dict(line.split(":", 1) for line in read(f"{ctrl}/schemata").splitlines())
            assert set(lines) == {"L3", "MB"}
            l3 = {int(d): int(v, 16) for d, v in (i.split("=") for i in lines["L3"].split(";"))}
            assert set(l3) == {0, 1}
            mons = {
                m: (
                    set(read(f"{ctrl}/mon_groups/{m}/tasks").split()),
                    int(read(f"{ctrl}/mon_groups/{m}/cpus"), 16),
                )
                for m in os.listdir(f"{ctrl}/mon_groups")
            }
            snap[ctrl] = GroupView(
                read(f"{ctrl}/tasks").split(),
                int(read(f"{ctrl}/cpus"), 16),
                read(f"{ctrl}/mode").strip(),
                l3,
                mons,
            )
        return snap

    @invariant()
    def bookkeeping_holds(self) -> None:
        snap = self._snapshot()
        # every live task is in exactly one CTRL_MON group; MON groups hold a subset of it
        seen = [int(p) for g in snap.values() for p in g.tasks]
        assert sorted(seen) == sorted(self.kernel.live_pids())
        # CTRL_MON groups partition the CPUs; a MON group's CPUs are its parent's
        union = 0
        for group in snap.values():
            assert not union & group.cpus
            union |= group.cpus
            for tasks, mon_cpus in group.mons.values():
                assert tasks <= set(group.tasks)
                assert mon_cpus & ~group.cpus == 0
        assert union == (1 << NUM_CPUS) - 1
        # an exclusive group's masks share no bit with another group or shareable_bits
        for ctrl, group in snap.items():
            if group.mode != "exclusive":
                continue
            for domain, mask in group.l3.items():
                assert not mask & 0x80
                for other, view in snap.items():
                    assert other == ctrl or not mask & view.l3[domain]
        # CLOSIDs and RMIDs are unique and no RMID leaks
        fs = self.kernel.resctrl
        assert fs is not None
        closids = [g.closid for g in fs.groups.values() if g.kind == "ctrl"]
        assert len(closids) == len(set(closids)) and max(closids) < 4
        rmids = [g.rmid for g in fs.groups.values()]
        assert len(rmids) == len(set(rmids))
        assert sorted([r for r in rmids if r] + fs.rmids.free + fs.rmids.limbo) == [1, 2, 3, 4, 5]


TestResctrlMachine = ResctrlMachine.TestCase
TestResctrlMachine.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
