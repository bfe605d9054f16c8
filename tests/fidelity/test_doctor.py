"""``rtgate doctor``: the host report, the fidelity comparison and its exit codes."""

from __future__ import annotations

import os
import platform

import pytest

from harness.cli import main
from harness.hosts.facts import read_layout
from tests._real import real_host_off


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_doctor_reports_the_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert f"kernel: {platform.release()}" in out
    assert f"cgroup mode: {read_layout().mode}" in out
    assert ("root: yes" in out) == (os.geteuid() == 0)
    assert "resctrl: " in out and "CPU RDT flags: " in out
    assert "  runc  " in out and "  crun  " in out


def test_probe_without_fidelity_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--probe", "freezer"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _one_line(captured.err) == "rtgate: error: '--probe' only applies with '--fidelity'"


def test_unknown_probe_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--fidelity", "--probe", "no-such-probe"]) == 2
    assert _one_line(capsys.readouterr().err).startswith("rtgate: error: '--probe' matches no")


def test_fidelity_needs_root(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert main(["doctor", "--fidelity"]) == 2
    assert _one_line(capsys.readouterr().err) == (
        "rtgate: error: '--fidelity' needs root: it creates cgroups on this host (euid 1000)"
    )


@pytest.mark.fidelity
def test_fidelity_exit_code_follows_the_differences(capsys: pytest.CaptureFixture[str]) -> None:
    if (off := real_host_off()) is not None:
        pytest.skip(f"real host: {off}")
    if not os.path.ismount("/sys/fs/cgroup/freezer"):
        pytest.skip("no v1 freezer hierarchy: /sys/fs/cgroup/freezer is not a mount point")
    code = main(["doctor", "--fidelity", "--probe", "v1.freezer."])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("  ") and "v1.freezer." in line]
    assert rows and all(row.split()[0] in ("same", "DIFFERENT") for row in rows)
    assert code == (1 if any(row.split()[0] == "DIFFERENT" for row in rows) else 0)
    assert "fidelity: " in out.splitlines()[-1]


@pytest.mark.parametrize(
    ("preset", "resource", "wanted", "features"),
    [
        ("xeon-2s-cat-mba", "L3", {"cbm_mask": "7ff", "num_closids": "16"},
         "CAT: yes; CDP: capable; MBA: yes; monitoring: yes"),
        ("xeon-cdp", "L3CODE", {"cbm_mask": "fffff", "min_cbm_bits": "2"},
         "CAT: yes; CDP: on; MBA: no; monitoring: no"),
    ],
)  # fmt: skip
def test_doctor_describes_a_resctrl_host(
    preset: str, resource: str, wanted: dict[str, str], features: str
) -> None:
    from harness.cli._doctor import format_facts
    from harness.hosts import simulated_host
    from harness.hosts.facts import host_facts

    with simulated_host(preset):
        facts = host_facts()
    assert facts.resctrl_mount == "/sys/fs/resctrl"
    assert wanted.items() <= facts.resctrl_info[resource].items()
    lines = format_facts(facts)
    assert f"  {features}" in lines
    assert any(line.startswith(f"  {resource} ") for line in lines), lines
