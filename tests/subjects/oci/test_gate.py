"""``rtgate run --subject oci:<runtime> --host real``: the CLI scenarios against the real runc
and crun of this machine, with and without their shipped expectations, serial and with two
workers; nothing of a run is left on the machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.hosts.leftovers import find_leftovers
from tests._debris import checking_leftovers
from tests._real import real_host_off

ROOT = Path(__file__).resolve().parents[3]
#: runtime -> (the version line prefix its expectations file is for, the file)
GATES = {
    "runc": ("1.1.", ROOT / "expectations" / "runc-1.1.toml"),
    "crun": ("1.8", ROOT / "expectations" / "crun-1.8.toml"),
}
PROFILES = ("runtime-spec", "seed", "runc-1.1", "runc-1.2")
#: what a real host's skip says of a fault it cannot make (harness/hosts/real.py)
HOST_CANNOT_INJECT = "a real kernel cannot be made to"
#: what a skip says of a runtime without the optional features command (features.md:3)
NO_FEATURES = "the runtime has no features command"
#: why a rule may skip on this host, besides RDT (no resctrl here): a real kernel cannot fail a
#: syscall of the runtime on demand; crun 1.8 has no features command; neither runtime takes a
#: bundle of a later runtime-spec (runc says ociVersionMax 1.0.2-dev); no AppArmor or SELinux;
#: no per-device blkio weight (no CFQ or BFQ) and no v1 net_cls or net_prio hierarchy
HOST_SKIPS = (
    HOST_CANNOT_INJECT,
    NO_FEATURES,
    "a bundle may declare v1.1.0 only where the runtime accepts it",
    "no /sys/module/apparmor on this host",
    "no /sys/fs/selinux on this host",
    "no CFQ or BFQ per-device weight",
    "no v1 net_cls or net_prio hierarchy",
)

pytestmark = pytest.mark.skipif(
    real_host_off() is not None, reason=f"real containers: {real_host_off()}"
)


def _version(runtime: str) -> str:
    """``runc version 1.1.5+ds1`` / ``crun version 1.8.1``: the third word of the first line."""
    out = subprocess.run([runtime, "--version"], capture_output=True, text=True).stdout
    words = out.split()
    return words[2] if len(words) > 2 and words[1] == "version" else ""


def _gate(runtime: str) -> Path:
    """The expectations file of ``runtime``, or a skip saying what was found instead."""
    if shutil.which(runtime) is None:
        pytest.skip(f"no {runtime}: shutil.which({runtime!r}) is None")
    prefix, expectations = GATES[runtime]
    found = _version(runtime)
    if not found.startswith(prefix):
        pytest.skip(f"{runtime} here is {found or 'of no known version'}, not {prefix}x")
    return expectations


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, err = proc.communicate(timeout=900)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), f"rtgate-{proc.pid}-"


def _left(prefix: str) -> list[str]:
    """What a run left: names with its prefix, and anything of a dead rtgate process (its
    xdist workers have prefixes of their own): /run dirs, cgroups, mounts."""
    with checking_leftovers():
        found = [f"/run/{n}" for n in os.listdir("/run") if n.startswith(prefix)]
        for root, dirs, _ in os.walk("/sys/fs/cgroup"):
            found += [os.path.join(root, d) for d in dirs if d.startswith(prefix)]
            dirs[:] = [d for d in dirs if not d.startswith(prefix)]
        return found + find_leftovers().describe()


def _messages(report_dir: Path) -> dict[str, str]:
    report = json.loads((report_dir / "compliance.json").read_text())
    return {r["id"]: str(r.get("message") or "") for r in report["requirements"]}


def _outcomes(report_dir: Path) -> dict[str, Any]:
    report = json.loads((report_dir / "compliance.json").read_text())
    assert all(r["scope"] == "cli" for r in report["requirements"]), "an OCI binary has no API"
    return {r["id"]: r["outcome"] for r in report["requirements"]}


@pytest.mark.slow  # a whole gate run of a real runtime per profile: about a minute each
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("runtime", sorted(GATES))
def test_runtime_passes_with_its_expectations(runtime: str, profile: str, tmp_path: Path) -> None:
    expectations = _gate(runtime)
    result, prefix = _run(
        "run", "--subject", f"oci:{runtime}", "--host", "real", "--profile", profile,
        "--expectations", str(expectations), "--report-dir", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert _left(prefix) == []
    outcomes = _outcomes(tmp_path)
    assert set(outcomes.values()) <= {"pass", "xfail", "skip"}, outcomes
    messages = _messages(tmp_path)
    skipped = sorted(r for r, o in outcomes.items() if o == "skip")
    unexplained = [
        r for r in skipped
        if not r.startswith("CLI-RDT-")
        and not any(said in messages.get(r, "") for said in HOST_SKIPS)
    ]  # fmt: skip
    assert unexplained == [], f"only what HOST_SKIPS names may skip: {unexplained}"


@pytest.mark.slow  # a whole gate run of a real runtime
@pytest.mark.parametrize("runtime", sorted(GATES))
def test_runtime_fails_without_its_expectations(runtime: str, tmp_path: Path) -> None:
    """Each runtime departs from the runtime-spec somewhere: without the file the gate says so."""
    _gate(runtime)
    result, prefix = _run(
        "run", "--subject", f"oci:{runtime}", "--host", "real", "--report-dir", str(tmp_path)
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "fail the verdict" in result.stdout
    assert _left(prefix) == []


@pytest.mark.slow  # two whole gate runs of runc
def test_two_workers_give_the_serial_run_s_outcomes(tmp_path: Path) -> None:
    """Each xdist worker has its own root, ids and bundles: the outcomes do not change."""
    expectations = _gate("runc")
    common = ("run", "--subject", "oci:runc", "--host", "real", "--expectations", str(expectations))
    serial, prefix = _run(*common, "--report-dir", str(tmp_path / "serial"))
    parallel, parallel_prefix = _run(
        *common, "--report-dir", str(tmp_path / "parallel"), "--", "-n", "2"
    )
    assert serial.returncode == parallel.returncode == 0, serial.stdout + parallel.stdout
    assert _outcomes(tmp_path / "serial") == _outcomes(tmp_path / "parallel")
    assert _left(prefix) == [] and _left(parallel_prefix) == []
