"""Whose a name is: a run is its pid *and* its start time, so a reused pid hides no leftover of
an old run and protects none (issue 18 d).  On a fake /proc and /run (pyfakefs), so it runs
anywhere; the real-host interrupt tests (tests/hosts/test_real_interrupts.py) see the names
on this machine."""

from __future__ import annotations

import os

from pyfakefs.fake_filesystem import FakeFilesystem

from harness.hosts.facts import read_stat
from harness.hosts.leftovers import find_leftovers
from harness.hosts.ownership import OWNER_VARIABLE
from harness.hosts.ownership import owner
from harness.hosts.ownership import owner_alive
from harness.hosts.ownership import owner_tag

REUSED = 4242
#: the start time of the process that has pid REUSED now
NOW_START = 900_000
#: the start time the old run with that pid had
OLD_START = 123_456


def _stat(pid: int, start: int, state: str = "S") -> str:
    """A /proc/<pid>/stat line with ``start`` in field 22 (the comm holds a space and a ')',
    as a real one may)."""
    fields = [state, "1"] + ["0"] * 17 + [str(start)] + ["0"] * 30
    return f"{pid} (python ) x) " + " ".join(fields) + "\n"


def _machine(fs: FakeFilesystem) -> None:
    """A machine where pid REUSED lives again, started long after an old run with that pid
    left a run dir, cgroups and a named network namespace."""
    fs.create_file(f"/proc/{REUSED}/stat", contents=_stat(REUSED, NOW_START))
    fs.create_file("/proc/self/mountinfo", contents="")
    fs.create_dir(f"/run/rtgate-{REUSED}-t{OLD_START}-1/state")
    fs.create_dir(f"/run/rtgate-{REUSED}-t{NOW_START}-1/state")
    fs.create_dir(f"/sys/fs/cgroup/memory/rtgate-{REUSED}-t{OLD_START}-1-c/sub")
    fs.create_file("/sys/fs/cgroup/memory/cgroup.procs")
    fs.create_dir(f"/sys/fs/cgroup/memory/rtgate-{REUSED}-t{NOW_START}-1-c")
    fs.create_file(f"/run/netns/rtgate-{REUSED}-t{OLD_START}-1-ns")


def test_a_name_records_the_pid_and_the_start_time() -> None:
    assert owner(f"rtgate-{REUSED}-t{OLD_START}-3-c") == (REUSED, OLD_START)
    assert owner(f"rtgate-fidelity-{REUSED}-t{OLD_START}-1") == (REUSED, OLD_START)
    assert owner(f"rtgate-{REUSED}-3-c") == (REUSED, None), "a name from before start times"
    assert owner("rtgate-fidelity-sim-1") is None
    assert owner("system.slice") is None


def test_this_process_is_its_pid_and_start_time() -> None:
    me = read_stat(os.getpid())
    assert owner_tag() == f"{me.pid}-t{me.start_time}"
    assert owner_alive(f"rtgate-{owner_tag()}-1") is True
    assert owner_alive(f"rtgate-{me.pid}-t{me.start_time + 1}-1") is False


def test_a_live_process_with_a_reused_pid_hides_no_leftover(fs: FakeFilesystem) -> None:
    _machine(fs)
    assert owner_alive(f"rtgate-{REUSED}-t{OLD_START}-1") is False
    assert owner_alive(f"rtgate-{REUSED}-t{NOW_START}-1") is True
    found = find_leftovers()
    old = f"rtgate-{REUSED}-t{OLD_START}-1"
    assert found.dirs == [f"/run/{old}"]
    assert found.groups == [
        f"/sys/fs/cgroup/memory/{old}-c/sub",
        f"/sys/fs/cgroup/memory/{old}-c",
    ]
    assert found.netns == [f"/run/netns/{old}-ns"]
    assert not any(f"t{NOW_START}" in line for line in found.describe()), "the live run's"


def test_a_name_from_before_start_times_goes_by_its_pid(fs: FakeFilesystem) -> None:
    _machine(fs)
    fs.create_dir(f"/run/rtgate-{REUSED}-7")
    fs.create_dir("/run/rtgate-4243-7")
    assert owner_alive(f"rtgate-{REUSED}-7") is True
    assert "/run/rtgate-4243-7" in find_leftovers().dirs


def test_a_zombie_run_is_over(fs: FakeFilesystem) -> None:
    fs.create_file(f"/proc/{REUSED}/stat", contents=_stat(REUSED, OLD_START, state="Z"))
    assert owner_alive(f"rtgate-{REUSED}-t{OLD_START}-1") is False


def test_a_process_that_escaped_is_found_by_the_run_its_environment_names(
    fs: FakeFilesystem,
) -> None:
    _machine(fs)
    escaped, other = 5001, 5002
    fs.create_file(
        f"/proc/{escaped}/environ",
        contents=f"PATH=/bin\0{OWNER_VARIABLE}=rtgate-{REUSED}-t{OLD_START}\0".encode(),
    )
    fs.create_file(
        f"/proc/{other}/environ",
        contents=f"{OWNER_VARIABLE}=rtgate-{REUSED}-t{NOW_START}\0".encode(),
    )
    found = find_leftovers()
    assert found.processes == {escaped: f"rtgate-{REUSED}-t{OLD_START}"}
    assert found.owned_by(REUSED).processes == found.processes
    assert not found.owned_by(REUSED + 1)


def test_a_group_a_runtime_nested_in_another_group_is_found_there(fs: FakeFilesystem) -> None:
    """A relative cgroupsPath lands under the runtime's own group (runc: wherever the harness
    sits), so a dead run's group is looked for at any depth, and only its own subtree goes."""
    _machine(fs)
    old = f"rtgate-{REUSED}-t{OLD_START}-1"
    fs.create_dir(f"/sys/fs/cgroup/memory/machine.slice/session-3/{old}-rel/inner")
    fs.create_dir("/sys/fs/cgroup/memory/machine.slice/session-3/other")
    found = find_leftovers()
    assert found.groups[:2] == [
        f"/sys/fs/cgroup/memory/machine.slice/session-3/{old}-rel/inner",
        f"/sys/fs/cgroup/memory/machine.slice/session-3/{old}-rel",
    ]
    assert not [g for g in found.groups if g.endswith(("other", "session-3", "machine.slice"))]
