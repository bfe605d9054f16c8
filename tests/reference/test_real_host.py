"""The reference on this machine's real kernel: ``rtgate run --host real`` equals the simulated
run requirement by requirement, except where the host lacks what a rule needs (and says what the
probe found); broken runtimes are caught there too; and nothing is left behind, also after
failing tests.

Needs root (real cgroups and mounts); without it the tests skip saying so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.spec.catalog import load_catalog
from harness.spec.skip_reasons import explained_by_host
from tests._debris import checking_leftovers
from tests._real import real_host_off
from tests.broken import expectation

ROOT = Path(__file__).resolve().parents[2]
#: a real run may differ from the simulated one only by a skip whose reason is one of these
#: probe findings: no RDT or resctrl, a cgroup mode other than the rule's, or a fault the real
#: kernel cannot be made to produce (the simulated run checks that one)
PROBED_REASONS = (
    "no L3 CAT: /proc/cpuinfo has no cat_l3 flag",
    "no MBA: /proc/cpuinfo has no mba flag",
    "no L3 CDP: /proc/cpuinfo has no cdp_l3 flag",
    "no cache monitoring: /proc/cpuinfo has no cqm_llc flag",
    "no L2 CAT: /proc/cpuinfo has no cat_l2 flag",
    "resctrl is not mounted: /proc/self/mountinfo has no resctrl line",
    "resctrl has no info/L3",
    "resctrl info/ holds",
    "the rule is about a v1 cgroup host; on this host cgroups are",
    "the rule is about a v2 cgroup host; on this host cgroups are",
    "the rule is about a v2 cgroup host without cgroup.kill; on this host",
    "the rule is about a v2 cgroup host without cgroup.freeze; on this host",
    "the rule is about a v2 cgroup host without memory.swap.max; on this host",
    "the rule is about a v1 cgroup host without the memory hierarchy; on this host",
    "the rule is about a v1 cgroup host without the freezer hierarchy; on this host",
    "the rule is about a v1 cgroup host without the devices hierarchy; on this host",
    "the rule is about a v1 memory hierarchy without",
    "the rule is about a v1 cgroup host with the rdma and misc hierarchies; on this host",
    "the rule is about cgroup v2 mounted in a cgroup namespace whose root is threaded;",
    "the rule is about a hybrid cgroup host; on this host cgroups are",
    "a real kernel cannot be made to",
    "the reference's programs run in the host's PID namespace on a real host",
    "the reference's command line has no exec",
    "the rule is about a host where runc-1.2 can kill a paused container",
    "no v1 net_cls or net_prio hierarchy",
    "a new blkio group on this host has none of blkio.weight_device, blkio.bfq.weight_device",
)

pytestmark = [
    pytest.mark.fidelity,
    pytest.mark.skipif(real_host_off() is not None, reason=f"--host real: {real_host_off()}"),
]


#: how long one whole run may take: a real run of runc-1.2 took 400 s on a loaded 2-core CI
#: machine, and a run that hangs must still end
RUN_DEADLINE_S = 1200


def _rtgate(*args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run the CLI in a fresh interpreter; also return the prefix its real hosts used."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=RUN_DEADLINE_S)
    except subprocess.TimeoutExpired:
        proc.terminate()  # our own child: at SIGTERM a run removes what it made, then ends
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        pytest.fail(f"rtgate {' '.join(args)} ran over {RUN_DEADLINE_S} s: {err[-2000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), f"rtgate-{proc.pid}-"


def _requirements(report_dir: Path) -> dict[str, dict[str, str]]:
    report = json.loads((report_dir / "compliance.json").read_text())
    return {r["id"]: r for r in report["requirements"]}


def _leftovers(prefix: str) -> list[str]:
    """Everything on this machine that carries ``prefix``: cgroups, run dirs, mounts,
    processes (none of a test's deliberate leftovers, whose dead pid may be the run's now)."""
    with checking_leftovers():
        return _carrying(prefix)


def _carrying(prefix: str) -> list[str]:
    found = []
    for root, dirs, _ in os.walk("/sys/fs/cgroup"):
        found += [os.path.join(root, d) for d in dirs if d.startswith(prefix)]
        dirs[:] = [d for d in dirs if not d.startswith(prefix)]
    found += [f"/run/{name}" for name in os.listdir("/run") if name.startswith(prefix)]
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        found += [f"mount {line.split()[4]}" for line in f if prefix in line]
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if prefix.encode() in f.read():
                    found.append(f"process {pid}")
        except OSError:
            continue
    return found


@pytest.mark.slow  # the whole suite twice, real and simulated: minutes
@pytest.mark.parametrize("profile", ["seed", "runc-1.2"])
def test_real_run_equals_the_simulated_run(profile: str, tmp_path: Path) -> None:
    real_dir, sim_dir = tmp_path / "real", tmp_path / "simulated"
    real, prefix = _rtgate(
        "run", "--host", "real", "--profile", profile, "--report-dir", str(real_dir)
    )
    assert real.returncode == 0, real.stdout + real.stderr
    assert _leftovers(prefix) == [], "the real run left these behind"
    sim, _ = _rtgate("run", "--profile", profile, "--report-dir", str(sim_dir))
    assert sim.returncode == 0, sim.stdout + sim.stderr

    on_real, on_sim = _requirements(real_dir), _requirements(sim_dir)
    assert _unexplained(on_real, on_sim) == {}, "real and simulated runs differ"
    passed = [r for r, v in on_real.items() if v["outcome"] == "pass"]
    assert len(passed) >= 100, f"only {len(passed)} requirements passed on the real host"


def _unexplained(
    on_real: dict[str, dict[str, str]], on_sim: dict[str, dict[str, str]]
) -> dict[str, tuple[str, str, str]]:
    """Requirements whose outcomes differ, but for a skip of what the real host lacks:
    (simulated, real, message) by id."""
    assert sorted(on_real) == sorted(on_sim)
    unexplained = {}
    for req, result in on_real.items():
        if result["outcome"] == on_sim[req]["outcome"]:
            continue
        message = result.get("message") or ""
        # a host-feature skip: "missing host feature [<feature>]: <what the probe found>"
        probed = message.partition("]: ")[2] if explained_by_host(message) else ""
        if result["outcome"] == "skip" and (probed or message).startswith(PROBED_REASONS):
            continue
        unexplained[req] = (on_sim[req]["outcome"], result["outcome"], message)
    return unexplained


#: the rules of faults armed for one command: the delete table, the step faults, the retry
FAULT_RULES = (
    "CLI-DELETE-FAULTS-", "CLI-DELETE-CGROUP-BUSY-ONCE", "CLI-DELETE-POSTSTOP-FAILS-WARNS",
    "CLI-CREATE-CGROUP-FAILS", "CLI-PAUSE-FREEZE-FAILS", "CLI-START-FIFO-FAILS",
    "CLI-KILL-SIGNAL-ERROR",
)  # fmt: skip


@pytest.mark.slow  # every fault cell on the real host and the simulated one: minutes
@pytest.mark.parametrize("profile", ["runc-1.1", "runtime-spec"])
def test_real_faults_equal_the_simulated_ones(profile: str, tmp_path: Path) -> None:
    """The profiles the whole-run comparison above leaves out, on the fault rules alone: the
    engine's faults on the real kernel give what the simulated kernel's give."""
    ids = [r.id for r in load_catalog().for_profile(profile) if r.id.startswith(FAULT_RULES)]
    outcomes = []
    for host in ("real", "simulated"):
        done, prefix = _rtgate(
            "run", "--host", host, "--profile", profile, "--requirement", ",".join(ids),
            "--report-dir", str(tmp_path / host),
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert _leftovers(prefix) == [], f"the {host} run left these behind"
        outcomes.append(_requirements(tmp_path / host))
    assert _unexplained(*outcomes) == {}, "real and simulated runs differ"
    assert sum(r["outcome"] == "pass" for r in outcomes[0].values()) >= 3


@pytest.mark.parametrize(
    "module", ["no_kill_all", "precedence_reversed", "hybrid_joins_unified", "poststop_runs_all"]
)
def test_real_host_catches_broken_runtime_and_cleans_up(module: str, tmp_path: Path) -> None:
    wanted = expectation(module)
    result, prefix = _rtgate(
        "run",
        "--host",
        "real",
        "--quick",
        "--subject",
        f"python:tests.broken.{module}:new_factory",
        "--requirement",  # the broken rules' own tests, which fail and must clean up
        ",".join(wanted.requirements),
        "--report-dir",
        str(tmp_path),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    failed = {
        req for req, r in _requirements(tmp_path).items() if r["outcome"] in ("fail", "error")
    }
    assert failed & set(wanted.requirements), (
        f"{module} must fail one of {wanted.requirements}; failed: {sorted(failed)}"
    )
    assert _leftovers(prefix) == [], "failing tests on the real host left these behind"


def test_real_host_undoes_everything_it_made() -> None:
    """Groups with frozen and live processes, a pinned state dir, a hook that ran: all gone."""
    from harness.hosts import real_host
    from harness.hosts.base import HookProgram

    with real_host() as host:
        prefix = host.prefix
        group = host.cgroup_path("g")
        for hierarchy in ("freezer", "devices"):
            os.makedirs(host.cgroup_dir(hierarchy, group + "/sub"))
        worker = host.start_process()
        host.move_to_cgroup(worker, "freezer", group)
        with open(os.path.join(host.cgroup_dir("freezer", group), "freezer.state"), "w") as f:
            f.write("FROZEN")
        state = os.path.join(host.state_root, host.container_id("c"))
        os.makedirs(state)
        host.pin_dir(state)
        with pytest.raises(OSError):
            os.rmdir(state)  # pinned: a mount point
        hook = host.hook_program("h", HookProgram.exit(3, stderr="x"))
        done = subprocess.run([hook, "arg"], input=b'{"id": "c"}', capture_output=True)
        assert done.returncode == 3 and done.stderr == b"x"
        runs = host.hook_runs(hook)
        assert [r.args[1:] for r in runs] == [("arg",)] and runs[0].stdin == b'{"id": "c"}'
    assert _leftovers(prefix) == [], "the real host left these behind"
    assert not os.path.exists(f"/proc/{worker}"), "the frozen helper was thawed, killed, reaped"
