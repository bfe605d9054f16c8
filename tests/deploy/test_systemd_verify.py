"""deploy/systemd's units pass ``systemd-analyze verify``, and it catches a mistake in them.
Without systemd-analyze or systemd's own units the test skips, saying which is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy._files import SYSTEMD
from tests.deploy._files import unit_values

#: directories that hold systemd's own units (sysinit.target, timers.target, ...)
UNIT_DIRS = (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))


def _install(units: Path, root: Path) -> list[str]:
    """Lay ``units`` out under ``root`` as installed: in /etc/systemd/system, systemd's own
    units beside them, and a stub for each program they run (the docs install rtgate there);
    returns the units' names."""
    system = next(d for d in UNIT_DIRS if (d / "sysinit.target").exists())
    shutil.copytree(system, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in units.iterdir():
        shutil.copy(unit, root / "etc/systemd/system" / unit.name)
        for line in unit_values(unit, "ExecStart") + unit_values(unit, "ExecStartPre"):
            program = root / line.lstrip("-").split()[0].lstrip("/")
            program.parent.mkdir(parents=True, exist_ok=True)
            program.write_text("#!/bin/sh\n")
            program.chmod(0o755)
    return sorted(unit.name for unit in units.iterdir())


def _verify(root: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", "--man=no", *names],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _systemd_missing() -> str | None:
    if shutil.which("systemd-analyze") is None:
        return "systemd-analyze not found on PATH (Debian package systemd)"
    if not any((d / "sysinit.target").exists() for d in UNIT_DIRS):
        return f"no sysinit.target in {', '.join(map(str, UNIT_DIRS))}: systemd's units"
    return None


@pytest.mark.skipif(_systemd_missing() is not None, reason=str(_systemd_missing()))
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    names = _install(SYSTEMD, tmp_path)
    done = _verify(tmp_path, names)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    timer = tmp_path / "etc/systemd/system/rtgate.timer"
    timer.write_text(timer.read_text().replace("OnCalendar=daily", "OnCalendar=dayly"))
    done = _verify(tmp_path, names)
    assert done.returncode != 0 and "dayly" in done.stderr, done.stderr
