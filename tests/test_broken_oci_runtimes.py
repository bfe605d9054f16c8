"""Proof that the suite catches a broken OCI runtime binary: each wrapper in tests/broken/oci is
runc with one rule broken, and ``rtgate run --subject oci:<wrapper> --host real`` must exit 1
with that rule among the failures, named in the summary.  runc itself passes these rules
(tests/subjects/oci/test_gate.py), so the failure is the wrapper's.

Three wrappers cannot run a container at all (every command fails, ``create`` hangs, every call
takes 30 s): the start-up probe (harness/subjects/probe.py) must call them broken, every rule
must fail or error with its evidence, in bounded time, with and without ``--certify``: never
the "verdict PASS, 31 skip" of a probe that took any failure for a host's refusal."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.hosts.inject.seccomp import unsupported as inject_unsupported
from tests._real import real_host_off

ROOT = Path(__file__).resolve().parent.parent
WRAPPERS = ROOT / "tests" / "broken" / "oci"
#: wrapper -> the rule it breaks
BROKEN_OCI = {
    "paused_deletable.py": "CLI-DELETE-PAUSED",
    "poststop_dropped.py": "CLI-DELETE-RUNS-POSTSTOP",
    "running_restartable.py": "CLI-START-RUNNING",
    "netns_joined_deleted.py": "CLI-NETNS-JOINED-KEPT",
    "capability_dropped.py": "CLI-CFG-CAPS-BOUNDING",
    "readonly_path_writable.py": "CLI-CFG-READONLY-PATHS",
    "memory_limit_dropped.py": "CLI-CREATE-MEMORY",
    "mount_propagation_dropped.py": "CLI-CFG-MOUNTS-PROPAGATION",
    "cgroups_path_relative_ignored.py": "CLI-CREATE-CGROUPS-PATH-RELATIVE",
}

#: wrapper -> (profile, the rule it breaks, the cases of test_cli_precedence.py it must fail):
#: runtimes only the syscall fault engine reveals, each run on the cases of its defect alone
FAULTED_OCI = {
    "success_after_failed_teardown.py": (
        "runtime-spec", "CLI-DELETE-FAULTS-NONZERO", "state-dir-stopped and not cgroup"),
    "retries_forever.py": ("runc-1.1", "CLI-DELETE-FAULTS-LOGGED", "cgroup-stopped"),
    "state_dir_removed_first.py": (
        "runc-1.1", "CLI-DELETE-FAULTS-ALL-STEPS", "cgroup-stopped or cgroup-forced-running"),
    "state_dir_failure_swallowed.py": (
        "runc-1.1", "CLI-DELETE-FAULTS-FIRST-NAMED", "state-dir-stopped and not cgroup"),
}  # fmt: skip

#: wrapper -> what the probe's evidence must say of it
UNUSABLE_OCI = {
    "fails_everything.py": "create of the probe container exited 1",
    "create_hangs.py": "create of the probe container did not end within the 10 s limit",
    "slow_calls.py": "create of the probe container did not end within the 10 s limit",
}
#: seconds a run of an unusable runtime may take (measured here: 9 s, 20 s and 38 s)
UNUSABLE_RUN_LIMIT_S = 120

pytestmark = [
    pytest.mark.skipif(real_host_off() is not None, reason=f"real containers: {real_host_off()}"),
    pytest.mark.skipif(
        shutil.which("runc") is None, reason="no runc: shutil.which('runc') is None"
    ),
]


def test_every_wrapper_is_listed() -> None:
    found = {p.name for p in WRAPPERS.glob("*.py") if not p.name.startswith("_")}
    assert found == set(BROKEN_OCI) | set(UNUSABLE_OCI) | set(FAULTED_OCI)


@pytest.mark.parametrize("wrapper", sorted(BROKEN_OCI))
def test_suite_catches_broken_oci_runtime(wrapper: str, tmp_path: Path) -> None:
    rule = BROKEN_OCI[wrapper]
    # the tests of the broken rule alone (--requirement), as the Python broken runtimes are
    # judged: a whole run per wrapper took about a minute each
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())",
         "run", "--subject", f"oci:{WRAPPERS / wrapper}", "--host", "real",
         "--requirement", rule, "--report-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 1, f"{wrapper} must fail the gate\n{result.stdout}\n{result.stderr}"
    report = json.loads((tmp_path / "compliance.json").read_text())
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    # an error is a test that could not run: the wrapper must fail the rule's own checks
    assert outcomes.get(rule) == "fail", f"{wrapper} must fail {rule}: {outcomes}"
    assert rule in result.stdout, "the summary must name the broken rule"


@pytest.mark.parametrize("wrapper", sorted(FAULTED_OCI))
def test_suite_catches_runtime_only_faults_reveal(wrapper: str, tmp_path: Path) -> None:
    """Each fails its rule in every case it runs, with the fault table's evidence; the
    wrapped runtime passes the same cases (tests/subjects/oci/test_gate.py)."""
    profile, rule, cases = FAULTED_OCI[wrapper]
    if inject_unsupported() is not None:
        pytest.skip(f"no syscall fault engine: {inject_unsupported()}")
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())",
         "run", "--subject", f"oci:{WRAPPERS / wrapper}", "--host", "real",
         "--profile", profile, "--requirement", rule, "-k", cases,
         "--report-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    out = f"{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    assert result.returncode == 1, f"{wrapper} must fail the gate\n{out}"
    report = json.loads((tmp_path / "compliance.json").read_text())
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    assert outcomes.get(rule) == "fail", f"{wrapper} must fail {rule}: {outcomes}"
    ran = [t for t in report["tests"] if t["outcome"] != "skip"]
    assert ran and all(t["outcome"] == "fail" for t in ran), [
        (t["nodeid"], t["outcome"]) for t in report["tests"]
    ]
    assert rule in result.stdout, "the summary must name the broken rule"


@pytest.mark.slow  # each run waits out the probe limits of a runtime that hangs: up to 40 s
@pytest.mark.parametrize("certify", [False, True], ids=["plain", "certify"])
@pytest.mark.parametrize("wrapper", sorted(UNUSABLE_OCI))
def test_a_runtime_that_cannot_run_a_container_fails_in_bounded_time(
    wrapper: str, certify: bool, tmp_path: Path
) -> None:
    said = UNUSABLE_OCI[wrapper]
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())",
         "run", "--subject", f"oci:{WRAPPERS / wrapper}", "--host", "real",
         "--report-dir", str(tmp_path), *(["--certify"] if certify else [])],
        cwd=ROOT, capture_output=True, text=True, timeout=UNUSABLE_RUN_LIMIT_S + 60,
    )  # fmt: skip
    took = time.monotonic() - start
    out = f"{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    assert result.returncode == 1, f"{wrapper} must fail the gate\n{out}"
    assert took < UNUSABLE_RUN_LIMIT_S, f"{wrapper}: the run took {took:.0f} s"
    report = json.loads((tmp_path / "compliance.json").read_text())
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    assert outcomes and set(outcomes.values()) <= {"fail", "error"}, outcomes
    # every MUST fails the verdict; a SHOULD's error is reported, not fatal
    musts = sorted(r["id"] for r in report["requirements"] if r["level"].startswith("MUST"))
    assert report["summary"]["fatal"] == musts
    assert said in report["run"]["host_probe"]["runtime_probe"]
    assert f"runtime probe: oci:{WRAPPERS / wrapper}: {said}" in result.stdout
    evidence = {r["message"] for r in report["requirements"]}
    assert all("the runtime failed the start-up probe: " + said in m for m in evidence), evidence
    assert f"{WRAPPERS / wrapper} --root" in report["tests"][0]["message"], "argv as evidence"
