"""A run is built once: ``--subject`` is parsed once per process, and the subject's version is
read once per run, xdist workers taking it from their controller.  Counted on a kind a third
party adds through the ``rtgate.subjects`` entry points, and on a runc that notes each
``--version``."""

from __future__ import annotations

import collections
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import UsageError
from harness.subjects import registry
from tests._real import real_host_off

ROOT = Path(__file__).resolve().parents[2]
#: two cheap command-line scenarios, so that each of two workers may get one
TWO_TESTS = "test_state_of_a_missing_id or test_state_shows_the_oci_state"
#: a third party's kind: the reference under another name, noting each parse and version read
COUNTED_KIND = """
import dataclasses
import os

from harness.subjects import registry


def _note(what):
    with open(os.environ["RTGATE_COUNTS"], "a", encoding="utf-8") as f:
        f.write(f"{what} {os.getpid()}\\n")


def _parse(text, rest, oci_version):
    _note("parse")
    found = registry.REFERENCE.parse("reference", "", oci_version)
    return dataclasses.replace(found, name=text, kind=KIND)


def _version(subject):
    _note("version")
    return "7.0"


KIND = dataclasses.replace(
    registry.PYTHON, name="counted", usage="counted:NAME", parse=_parse, read_version=_version
)
"""
#: runc, noting each ``--version`` it is asked
COUNTED_RUNC = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "version $$" >> "{counts}"; fi
exec {runc} "$@"
"""


def _install_counted_kind(site: Path) -> None:
    """A distribution on ``site`` whose entry point adds the kind ``counted``."""
    site.mkdir()
    (site / "counted_kind.py").write_text(COUNTED_KIND)
    info = site / "counted_kind-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: counted-kind\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[rtgate.subjects]\ncounted = counted_kind:KIND\n")


def _rtgate(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    main = "import sys; from harness.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", main, *args],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def _counts(path: Path) -> collections.Counter[tuple[str, str]]:
    return collections.Counter(tuple(line.split()) for line in path.read_text().splitlines())


def test_a_third_party_kind_is_parsed_once_per_process_and_its_version_read_once(
    tmp_path: Path,
) -> None:
    site, counts = tmp_path / "site", tmp_path / "counts"
    _install_counted_kind(site)
    env = {"PYTHONPATH": f"{site}{os.pathsep}{ROOT}", "RTGATE_COUNTS": str(counts)}
    result = _rtgate(
        "run", "--subject", "counted:x", "--report-dir", str(tmp_path / "report"),
        "-k", TWO_TESTS, "--", "-n", "2", env=env,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    seen = _counts(counts)
    parses = {pid: n for (what, pid), n in seen.items() if what == "parse"}
    assert len(parses) == 3, f"the run's process and two workers each parse: {seen}"
    assert set(parses.values()) == {1}, f"each process parses --subject once: {seen}"
    versions = [pid for (what, pid), n in seen.items() if what == "version" for _ in range(n)]
    assert len(versions) == 1, f"the version is read once per run: {seen}"
    run = json.loads((tmp_path / "report" / "compliance.json").read_text())["run"]
    assert (run["subject"], run["subject_version"]) == ("counted:x", "7.0")


@pytest.mark.skipif(real_host_off() is not None, reason=f"real containers: {real_host_off()}")
@pytest.mark.skipif(shutil.which("runc") is None, reason="no runc: shutil.which('runc') is None")
def test_an_oci_runtime_is_asked_its_version_once_per_run(tmp_path: Path) -> None:
    counts = tmp_path / "counts"
    runtime = tmp_path / "counted-runc"
    runtime.write_text(COUNTED_RUNC.format(counts=counts, runc=shutil.which("runc")))
    runtime.chmod(runtime.stat().st_mode | stat.S_IXUSR)
    result = _rtgate(
        "run", "--subject", f"oci:{runtime}", "--host", "real",
        "--report-dir", str(tmp_path / "report"), "-k", TWO_TESTS, "--", "-n", "2", env={},
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert len(counts.read_text().splitlines()) == 1, counts.read_text()


def test_an_entry_point_must_be_a_kind_of_its_own_name(monkeypatch: pytest.MonkeyPatch) -> None:
    class Point:
        name, value = "odd", "odd_kind:KIND"

        def load(self) -> object:
            return registry.PYTHON

    monkeypatch.setattr(registry, "entry_points", lambda **select: [Point()])
    with pytest.raises(UsageError, match="entry point 'odd' of rtgate.subjects .* named 'odd'"):
        registry.kind_of("odd:x")


def test_an_unknown_kind_names_every_kind_known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "entry_points", lambda **select: [])
    with pytest.raises(UsageError) as err:
        registry.kind_of("bogus")
    assert str(err.value) == (
        "unknown subject 'bogus': expected 'reference', 'python:MODULE:ATTR' or 'oci:NAME'"
    )


def test_the_kinds_say_what_differs_between_subjects() -> None:
    assert registry.OCI.scopes == ("cli",) and registry.PYTHON.scopes == ("api", "cli")
    assert registry.OCI.default_profile == "runtime-spec"
    assert registry.REFERENCE.default_profile == registry.PYTHON.default_profile == "seed"
    assert registry.OCI.needs_real_host and not registry.REFERENCE.needs_real_host
