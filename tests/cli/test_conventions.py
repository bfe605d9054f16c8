"""What a command-line tool is expected to have: ``--version`` with the commit, ``python -m
rtgate``, shell completion generated from the parser, and the host report as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.build_info import checkout_commit
from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _python_m(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rtgate", *args],
        cwd="/", capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_version_names_the_commit_and_python_m_rtgate_is_the_command() -> None:
    done = _python_m("--version")
    assert done.returncode == 0, done.stderr
    commit = checkout_commit(ROOT)
    assert commit is not None, "these tests run from a git checkout"
    assert done.stdout.strip() == f"rtgate 0.1.0+g{commit[:12]}"
    bad = _python_m("nope")
    assert bad.returncode == 2 and bad.stderr.startswith("rtgate: error: argument COMMAND")


def _complete(script: Path, *words: str) -> list[str]:
    """What bash's completion offers after ``words`` (the last one being completed)."""
    line = " ".join(f"'{w}'" for w in words)
    probe = f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _rtgate; "
    probe += 'printf "%s\\n" "${COMPREPLY[@]}"'
    done = subprocess.run(
        ["bash", "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [w for w in done.stdout.splitlines() if w]


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (("rtgate", ""), ["cleanup", "completion", "doctor", "expectations", "inject",
                          "presets", "replay", "report", "requirements", "run"]),
        (("rtgate", "report", ""), ["diff", "merge", "render"]),
        (("rtgate", "run", "--pro"), ["--profile"]),
        (("rtgate", "run", "--profile", ""), ["seed", "runc-1.1", "runc-1.2", "runtime-spec"]),
        (("rtgate", "run", "--preset", "xeon-c"), ["xeon-cdp"]),
        (("rtgate", "run", "--require", "cd"), ["cdp", "cdp-capable"]),
        (("rtgate", "run", "--oci-version", "1.2"), ["1.2.0", "1.2.1"]),
        (("rtgate", "requirements", "--oci-version", "1.3"), ["1.3.0"]),
        (("rtgate", "run", "--requirement", "LC-DESTROY-FIRST-ERROR-C"),
         ["LC-DESTROY-FIRST-ERROR-CGROUP"]),
        (("rtgate", "doctor", "--format", ""), ["text", "json"]),
        (("rtgate", "completion", ""), ["bash", "zsh"]),
        (("rtgate", "run", "--report-dir", "pyproj"), ["pyproject.toml"]),
        (("rtgate", "run", "--", "-"), []),
    ],
)  # fmt: skip
def test_bash_completion_offers_what_the_parser_takes(
    words: tuple[str, ...], offered: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["completion", "bash"]) == 0
    script = tmp_path / "rtgate.bash"
    script.write_text(capsys.readouterr().out)
    assert _complete(script, *words) == offered


def test_zsh_completion_is_the_bash_one_through_bashcompinit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["completion", "zsh"]) == 0
    zsh = capsys.readouterr().out
    assert main(["completion", "bash"]) == 0
    bash = capsys.readouterr().out
    assert zsh.splitlines()[1] == "autoload -U +X bashcompinit && bashcompinit"
    assert zsh.splitlines()[2:] == bash.splitlines()[1:]


def test_doctor_json_is_the_host_report_as_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == "rtgate-doctor/1"
    assert set(document) >= {"kernel", "host_features", "cgroup", "resctrl", "runtimes"}
    features = set(document["host_features"])
    assert f"cgroup-{document['cgroup']['mode']}" in features
    mounted = document["resctrl"]["mount"] is not None
    assert ("resctrl" in features) == mounted, document["resctrl"]
    assert mounted or document["resctrl"]["absent"], "an absent resctrl says why"
    assert main(["doctor", "--format", "json", "--fidelity"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
