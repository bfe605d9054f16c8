"""``rtgate run --preset-file``: a captured preset runs the simulated suite exactly as the preset
does, and every bad file or combination ends in one line and exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.fakes.preset_file import dump_preset
from harness.fakes.presets import PRESETS
from harness.hosts import simulated_host
from harness.hosts.capture import capture_preset

#: a handful of RDT requirements every profile checks
RDT = "RDT-APPLY,RDT-SET-SCHEMA,RDT-INVALID-SCHEMA,RDT-DESTROY-RETURNS-TASKS"


def _capture(name: str, path: Path) -> Path:
    with simulated_host(name):
        preset, notes = capture_preset(name, PRESETS[name][0])
    path.write_text(dump_preset(preset, notes), encoding="utf-8")
    return path


def _report(tmp_path: Path, name: str, *machine: str) -> tuple[int, dict[str, Any]]:
    """Exit code and compliance.json of a run of preset ``name`` given as ``machine``
    (--preset or --preset-file), without what differs between any two runs."""
    out = tmp_path / machine[0].lstrip("-")
    profile = "runc-1.2" if PRESETS[name][1].cgroup_mode == "v2" else "seed"
    code = main(["run", "--quick", "--profile", profile, "--requirement", RDT, *machine,
                 "--report-dir", str(out)])  # fmt: skip
    # a failure's details show object addresses, which differ from run to run
    text = re.sub(r" at 0x[0-9a-f]+", " at 0x", (out / "compliance.json").read_text())
    report = json.loads(text)
    for key in ("started_at", "duration_s", "command"):
        report["run"].pop(key)
    for test in report["tests"]:
        test.pop("duration_s")
    return code, report


@pytest.mark.parametrize("name", ["sapphire-rapids-l2", "epyc-milan-mba", "ice-lake-cdp"])
def test_a_captured_preset_reports_as_the_preset(name: str, tmp_path: Path) -> None:
    captured = _capture(name, tmp_path / f"{name}.toml")
    shipped = _report(tmp_path, name, "--preset", name)
    from_file = _report(tmp_path, name, "--preset-file", str(captured))
    assert from_file == shipped
    assert shipped[1]["run"]["host_probe"]["preset"] == name
    assert len(shipped[1]["requirements"]) == len(RDT.split(","))


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["run", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_bad_preset_files_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.toml"
    assert f"{missing}: not a preset file: No such file" in _error(
        capsys, "--preset-file", str(missing)
    )
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
