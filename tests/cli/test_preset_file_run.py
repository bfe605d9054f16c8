"""``rtgate run --preset-file``: a captured preset runs the simulated suite exactly as the preset
does, and every bad file or combination ends in one line and exit 2."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.fakes import presets
from harness.fakes.presets import PRESETS
from harness.fakes.topology import Topology
from harness.hosts import simulated_host

#: rules whose tests boot the run's machine, on every preset: L3 CAT through a mounted resctrl
#: (a pass, or a skip saying what the host lacks: the cat_l3 flag, the mount, or info/L3 under
#: cdp, listing the info/ it shows); v1 hierarchies (a skip naming the mode on v2); the freezer
#: (v1's freezer.state or cgroup2's cgroup.freeze: their check counts differ); an extra
#: process joining every hierarchy (a check each: 9 on v1, 8 hybrid, 1 on v2); signalling
#: every process of a pure v1 host (a skip naming the mode on hybrid and v2)
_MACHINE_RULES = ("RDT-APPLY", "CG-APPLY-V1", "CG-FREEZE", "LC-EXEC-JOINS-CGROUPS",
                  "LC-SIGNAL-ALL-SIGNAL-WARNED")  # fmt: skip
#: rules of what only some RDT hosts have.  Their tests boot the suite's machines by preset
#: name (xeon-2s-cat-mba, epyc-milan-mba, xeon-cdp, small-closids, rdt-unmounted, ...); a file
#: that carries a preset's name, as ``doctor --capture --name`` gives it, stands for that name
#: in its run, so on those presets they check the captured machine
_FEATURE_RULES: dict[str, str] = {
    "mba": "CLI-RDT-MBA",
    "cdp": "CLI-RDT-CDP-PLAIN-L3",
    "no-resctrl": "CLI-RDT-UNSUPPORTED",
    "few-closids": "CLI-RDT-CLOSID-EXHAUSTED",
}
#: L2 CAT's rule (schemata lines) is the runtime-spec profile's alone: a second run
_L2_RUN = ("runtime-spec", ("CLI-RDT-SCHEMATA-CACHES",))


def _features(topology: Topology) -> set[str]:
    """Keys of :data:`_FEATURE_RULES` the machine has: what picks its RDT rules."""
    rdt = topology.resctrl
    if rdt is None:
        return {"no-resctrl"}
    found = {"mba"} if rdt.mba is not None else set()
    found |= {"cdp"} if rdt.cdp else set()
    found |= set() if topology.resctrl_mounted else {"no-resctrl"}
    # few enough that a test can take every one (the suite's small-closids machine)
    return found | ({"few-closids"} if rdt.num_closids <= 4 else set())


def runs_of(topology: Topology) -> list[tuple[str, tuple[str, ...]]]:
    """(profile, requirements) of each run that compares a preset with its capture: runc-1.2
    knows v1, hybrid and v2 hosts alike; L2 CAT adds a runtime-spec run."""
    rules = [*_MACHINE_RULES]
    rules += [_FEATURE_RULES[feature] for feature in sorted(_features(topology))]
    runs = [("runc-1.2", tuple(rules))]
    rdt = topology.resctrl
    return runs + ([_L2_RUN] if rdt is not None and rdt.l2 is not None else [])


def _doctor_capture(name: str, path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The file ``rtgate doctor --capture FILE --name NAME`` writes on the simulated machine."""
    with simulated_host(name):
        assert main(["doctor", "--capture", "/captured.toml", "--name", name]) == 0
        text = Path("/captured.toml").read_text(encoding="utf-8")
    assert f"captured: /captured.toml (preset {name!r}" in capsys.readouterr().out
    path.write_text(text, encoding="utf-8")
    return path


def _report(out: Path, profile: str, rules: tuple[str, ...], *machine: str) -> dict[str, Any]:
    """Exit code and compliance.json of a run on ``machine`` (--preset or --preset-file),
    without what differs between any two runs: times, object addresses, the command line,
    and the summary (a captured file's is its own one line)."""
    code = main(["run", "--quick", "--profile", profile, "--requirement", ",".join(rules),
                 *machine, "--report-dir", str(out)])  # fmt: skip
    if code == 2:  # refused before any test (a file whose machine is not the name's): no report
        return {"exit": code}
    # a failure's details show object addresses, which differ from run to run
    text = re.sub(r" at 0x[0-9a-f]+", " at 0x", (out / "compliance.json").read_text())
    report = json.loads(text)
    for key in ("started_at", "duration_s", "command"):
        report["run"].pop(key)
    report["run"]["host_probe"].pop("summary")
    for timed in [*report["tests"], *(c for t in report["tests"] for c in t["commands"])]:
        timed.pop("duration_s")
        timed.pop("commands_s", None)  # a test's: its commands' time
    return {"exit": code, **report}


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """No machine of an earlier test's preset file stands for a preset's name: --preset boots
    the shipped machine, and this test's file is forgotten after it."""
    monkeypatch.setattr(presets, "_FROM_FILES", {})


@pytest.mark.usefixtures("fresh_registry")
@pytest.mark.parametrize("name", list(PRESETS), ids=list(PRESETS))
def test_a_captured_preset_reports_as_the_preset(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """doctor --capture on the preset's machine, run back with --preset-file: the same report
    (host topology and features, each rule's outcome, skip reason and checks) as --preset."""
    captured = _doctor_capture(name, tmp_path / f"{name}.toml", capsys)
    for profile, rules in runs_of(PRESETS[name][1]):
        out = tmp_path / profile
        shipped = _report(out / "preset", profile, rules, "--preset", name)
        from_file = _report(out / "file", profile, rules, "--preset-file", str(captured))
        assert shipped["exit"] == 0, shipped.get("summary")
        assert from_file == shipped
        assert shipped["run"]["host_probe"]["preset"] == name
        assert [r["id"] for r in shipped["requirements"]] == sorted(rules)


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["run", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_bad_preset_files_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.toml"
    assert f"{missing}: cannot read the preset file: No such file" in _error(
        capsys, "--preset-file", str(missing)
    )
    # a FIFO would block an open for reading until a writer came: it is refused instead
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    said = _error(capsys, "--preset-file", str(fifo))
    assert "cannot read the preset file: it is a FIFO, not a regular file" in said
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[topology]\ncores = 4\n')
    assert "unknown key 'cores' in [topology]" in _error(capsys, "--preset-file", str(bad))
    bad.write_text('name = "x"\n[topology.resctrl]\nmin_cbm_bits = 12\n')
    assert "impossible machine: resctrl.min_cbm_bits" in _error(capsys, "--preset-file", str(bad))
    bad.write_text('name = "v1-cat"\n[topology]\nnum_cpus = 3\n')
    assert "'v1-cat' is a shipped preset's" in _error(capsys, "--preset-file", str(bad))
    both = _error(capsys, "--preset", "v1-cat", "--preset-file", str(bad))
    assert "give '--preset' or '--preset-file', not both" in both


def test_doctor_captures_this_host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "here.toml"
    assert main(["doctor", "--capture", str(path), "--name", "lab"]) == 0
    assert f"captured: {path} (preset 'lab'" in capsys.readouterr().out
    text = path.read_text()
    assert text.startswith("# rtgate preset file") and 'name = "lab"' in text
    assert main(["doctor", "--name", "lab"]) == 2


def test_presets_lists_the_real_machines_with_their_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["presets", "--format", "json"]) == 0
    listed = {p["preset"]: p for p in json.loads(capsys.readouterr().out)}
    real = [
        "skylake-sp",
        "cascade-lake-mba",
        "ice-lake-cdp",
        "sapphire-rapids-l2",
        "epyc-milan-mba",
    ]
    for name in real:
        assert listed[name]["source"], name
    assert listed["v1-cat"]["source"] == ""
