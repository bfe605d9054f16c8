"""The ``rtgate`` command, called in process: exit codes and one-line errors.

``rtgate run`` is pointed at small fake suites (the hidden ``--scenarios`` option) checked
against the sample catalog of tests/plugin, so each run takes a fraction of a second.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest

from harness.cli import _run
from harness.cli import main
from tests._real import real_host_off

PASSING = """
import pytest

@pytest.mark.requirement("T-ONE-A", "T-ONE-B")
def test_one(verify):
    verify.each(("T-ONE-A", True, "one"), ("T-ONE-B", True, "the other"))

@pytest.mark.requirement("T-TWO-A", "T-THREE-A")
def test_two(verify):
    verify.each(("T-TWO-A", True, "two"), ("T-THREE-A", True, "three"))
"""


def _suite(tmp_path: Path, body: str) -> Path:
    """A fake scenarios dir; module names are unique because runs share one interpreter."""
    suite = tmp_path / "scenarios"
    suite.mkdir(exist_ok=True)
    (suite / f"test_fake_{uuid.uuid4().hex[:12]}.py").write_text(body)
    return suite


def _run_cli(tmp_path: Path, catalog: Path, body: str | None, *extra: str) -> tuple[int, Path]:
    out = tmp_path / "out"
    suite = _suite(tmp_path, body) if body is not None else tmp_path / "scenarios"
    suite.mkdir(exist_ok=True)
    args = ["run", "--scenarios", str(suite), "--catalog", str(catalog), "--report-dir", str(out)]
    return main([*args, *extra]), out


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_exit_0_when_the_verdict_passes(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run_cli(tmp_path, catalog, PASSING)
    stdout = capsys.readouterr().out
    assert code == 0
    assert "rtgate: verdict PASS" in stdout
    assert f"report: {out / 'compliance.json'}" in stdout
    report = json.loads((out / "compliance.json").read_text())
    assert report["summary"]["verdict"] == "pass"
    assert (out / "junit.xml").is_file()


def test_exit_1_when_a_must_fails(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = PASSING.replace('("T-ONE-A", True, "one")', '("T-ONE-A", False, "bad")')
    code, _ = _run_cli(tmp_path, catalog, body)
    stdout = capsys.readouterr().out
    assert code == 1
    assert "rtgate: verdict FAIL" in stdout
    assert "T-ONE-A" in stdout and "AssertionError: [T-ONE-A] bad" in stdout


def test_exit_1_when_a_requirement_is_untested(tmp_path: Path, catalog: Path) -> None:
    code, out = _run_cli(tmp_path, catalog, PASSING, "-k", "test_one")
    assert code == 1
    report = json.loads((out / "compliance.json").read_text())
    assert report["summary"]["fatal"] == ["T-THREE-A", "T-TWO-A"]


def test_profile_and_quick_reach_pytest(tmp_path: Path, catalog: Path) -> None:
    body = """
import pytest
from hypothesis import settings

@pytest.mark.requirement("T-ONE-A", "T-RUNC-ONLY")
def test_it(rtgate_options, verify):
    assert rtgate_options.profile == "runc-1.2"
    assert settings.default.max_examples == 10
    verify.each(("T-ONE-A", True, "one"), ("T-RUNC-ONLY", True, "runc only"))
"""
    code, _ = _run_cli(tmp_path, catalog, body, "--profile", "runc-1.2", "--quick")
    assert code == 0


def test_hypothesis_profile_and_seed_reach_pytest(tmp_path: Path, catalog: Path) -> None:
    body = """
import pytest
from hypothesis import core
from hypothesis import settings

@pytest.mark.requirement("T-ONE-A", "T-ONE-B", "T-TWO-A", "T-THREE-A")
def test_it(verify):
    profile = settings.get_current_profile_name()
    seed = core.global_force_seed
    for req in ("T-ONE-A", "T-ONE-B", "T-TWO-A", "T-THREE-A"):
        verify(req, profile == "rtgate-deep" and seed == 4, f"profile {profile}, seed {seed}")
"""
    # deep: the short name of rtgate-deep, which the run records
    args = ("--hypothesis-profile", "deep", "--hypothesis-seed", "4")
    code, out = _run_cli(tmp_path, catalog, body, *args)
    assert code == 0
    report = json.loads((out / "compliance.json").read_text())
    assert report["run"]["hypothesis"]["seed"] == "4"
    assert report["run"]["hypothesis"]["profile"] == "rtgate-deep"


#: an oci: subject on this host, under a profile of the sample catalog
_OCI_SEED = ("--subject", "oci:runc", "--host", "real", "--profile", "seed")
_AS_ROOT = pytest.mark.skipif(
    real_host_off() is not None, reason=f"an oci: subject needs a real host: {real_host_off()}"
)


def _as_root(args: list[str], message: str) -> object:
    """A case of an oci: subject's option, which needs a real host (root)."""
    return pytest.param([*_OCI_SEED, *args], message, marks=_AS_ROOT)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "nope"], "rtgate: error: '--profile' must be one of ('runc-1.2', 'seed')"),
        (["--host", "moon"], "rtgate: error: '--host' must be one of ('simulated', 'real')"),
        (
            ["--host", "real", "--preset", "no-rdt"],
            "rtgate: error: '--preset' names a simulated machine; it cannot go with '--host real'",
        ),
        (["-n", "many"], "rtgate: error: argument -n: must be a whole number from 1 to"),
        (["--frobnicate"], "rtgate: error: unrecognized arguments: --frobnicate"),
        (["--scenarios", "/nonexistent"], "rtgate: error: '--scenarios' must be a directory"),
        (
            ["--oci-version", "1.0.2"],
            "rtgate: error: '--oci-version' is for an oci: subject, which reads config.json",
        ),
        (
            ["--oci-version", "1.4.0"],
            "rtgate: error: '--oci-version' must be a runtime-spec release, one of 1.0.0, 1.0.1,"
            " 1.0.2, 1.1.0, 1.2.0, 1.2.1, 1.3.0 (got '1.4.0')",
        ),
        (["--oci-version", "1.0.2-dev"], "rtgate: error: '--oci-version' must be a runtime-spec"),
        (
            ["--runtime-arg=--debug"],
            "rtgate: error: '--runtime-arg' is for an oci: subject, a binary that takes flags",
        ),
        (["--runtime-arg"], "rtgate: error: argument --runtime-arg: expected one argument"),
        _as_root(
            ["--runtime-arg=--debug", "--runtime-arg=create"],
            "rtgate: error: '--runtime-arg' must be one global flag, its value after '=' "
            "(-d, --debug, --log-level=debug; got 'create')",
        ),
        _as_root(["--runtime-arg=--log /l"], "rtgate: error: '--runtime-arg' must be one global"),
        _as_root(["--runtime-arg=--log="], "rtgate: error: '--runtime-arg' must be one global"),
        _as_root(
            ["--runtime-arg=--root=/run/runc"],
            "rtgate: error: '--runtime-arg' must not be --root, which rtgate gives each command "
            "itself (got '--root=/run/runc')",
        ),
        (
            ["--quick", "--hypothesis-profile", "rtgate-deep"],
            "rtgate: error: argument --hypothesis-profile: not allowed with argument --quick",
        ),
        (
            ["--hypothesis-profile", "nightly"],
            "rtgate: error: argument --hypothesis-profile: invalid choice: 'nightly'",
        ),
        (["--hypothesis-seed", "-1"], "rtgate: error: argument --hypothesis-seed: must be a"),
    ],
)
def test_exit_2_with_one_line_for_bad_usage(
    tmp_path: Path,
    catalog: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code = main(["run", "--catalog", str(catalog), "--report-dir", str(tmp_path), *args])
    captured = capsys.readouterr()
    assert code == 2
    assert _one_line(captured.err).startswith(message)
    assert captured.out == ""


RUNTIME_ARGS_SEEN = """
import pytest

@pytest.mark.requirement("T-TWO-A")
def test_two(rtgate_options, verify):
    seen = rtgate_options.subject.runtime_args
    verify("T-TWO-A", seen == ("--debug", "--log-format=json"), f"the subject has {seen}")
"""


@_AS_ROOT
def test_runtime_args_reach_the_subject_and_the_report(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real run of runc given two flags: the probe runs with them, the subject the tests
    drive carries them, and every format of the report names them."""
    if shutil.which("runc") is None:
        pytest.skip("runc is not on PATH")
    flags = ("--runtime-arg=--debug", "--runtime-arg=--log-format=json")
    code, out = _run_cli(tmp_path, catalog, RUNTIME_ARGS_SEEN, *_OCI_SEED, *flags)
    report = json.loads((out / "compliance.json").read_text())
    assert report["run"]["runtime_args"] == ["--debug", "--log-format=json"]
    assert "probe container created and deleted" in report["run"]["host_probe"]["runtime_probe"]
    assert code == 0, report["requirements"]
    assert "runtime flags: --debug --log-format=json" in capsys.readouterr().out
    markdown = (out / "compliance.md").read_text()
    assert "- **Runtime flags:** `--debug` `--log-format=json` (before every command)" in markdown
    assert "<code>--log-format=json</code>" in (out / "compliance.html").read_text()


def test_exit_2_for_an_unknown_subject(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("harness.subjects.registry")
    assert main(["run", "--subject", "bogus"]) == 2
    assert _one_line(capsys.readouterr().err).startswith("rtgate: error: unknown subject 'bogus'")


def test_exit_2_for_a_malformed_catalog_naming_file_and_line(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog.write_text(catalog.read_text().replace('scope = "cli"', 'scope = "gui"'))
    assert main(["run", "--catalog", str(catalog)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"rtgate: error: {catalog}:29: requirement 'T-TWO-A': 'scope'")
    assert line.endswith("(got 'gui')")


def test_exit_2_when_pytest_refuses_its_arguments(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _run_cli(tmp_path, catalog, PASSING, "--", "--no-such-pytest-flag")
    assert code == 2
    assert "--no-such-pytest-flag" in capsys.readouterr().err


def test_exit_3_when_no_tests_are_collected(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _run_cli(tmp_path, catalog, None)
    assert code == 3
    assert _one_line(capsys.readouterr().err).startswith("rtgate: error: no tests were collected")


def test_exit_3_when_the_suite_names_an_unknown_requirement(
    tmp_path: Path, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = PASSING.replace('"T-TWO-A", ', '"T-TWO-X", ')
    code, _ = _run_cli(tmp_path, catalog, body)
    captured = capsys.readouterr()
    assert code == 3
    assert "(got 'T-TWO-X')" in captured.out
    assert _one_line(captured.err).startswith("rtgate: error: the run was interrupted")


def test_exit_3_when_the_suite_is_not_installed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_run.importlib.util, "find_spec", lambda name: None)
    assert main(["run"]) == 3
    assert _one_line(capsys.readouterr().err) == (
        "rtgate: error: the conformance suite (harness.scenarios) is not installed"
    )


def test_exit_3_for_unexpected_errors_and_debug_shows_the_traceback(
    tmp_path: Path,
    catalog: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def boom(report: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(_run, "render_summary", boom)
    code, _ = _run_cli(tmp_path, catalog, PASSING)
    assert code == 3
    assert _one_line(capsys.readouterr().err) == (
        "rtgate: error: internal error: RuntimeError: boom"
        f" (at tests/cli/test_cli.py:{boom.__code__.co_firstlineno + 1} in boom; see --debug)"
    )
    code = main(
        [
            "--debug",
            "run",
            "--scenarios",
            str(tmp_path / "scenarios"),
            "--catalog",
            str(catalog),
            "--report-dir",
            str(tmp_path / "again"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 3
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom" in err


def test_default_report_dir_and_latest_link(
    tmp_path: Path, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    suite = _suite(tmp_path, PASSING)
    args = ["run", "--scenarios", str(suite), "--catalog", str(catalog)]
    assert main(args) == 0
    assert main(args) == 0
    runs = sorted(p for p in (tmp_path / "reports").iterdir() if p.name != "latest")
    assert len(runs) == 2
    assert all(p.name.endswith(("-reference", "-reference-2")) for p in runs)
    latest = tmp_path / "reports" / "latest"
    assert latest.is_symlink() and (latest / "compliance.json").is_file()
    assert latest.resolve() == max(runs, key=lambda p: p.stat().st_mtime_ns).resolve()


def test_default_report_dir_slugs_the_subject(tmp_path: Path) -> None:
    made = _run.default_report_dir("python:My.Module:make", root=tmp_path)
    assert made.name.endswith("-python-my-module-make")
    assert (tmp_path / "reports" / "latest").resolve() == made.resolve()


def test_requirements_listing(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["requirements", "--catalog", str(catalog), "--profile", "runc-1.2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["T-ONE-A", "T-RUNC-ONLY"]
    assert lines[0].split()[1:6] == ["MUST", "api", "one", "runc", "692f6e1"]
    assert lines[1].split()[4:6] == ["runc", "v1.2.0"], "each rule shows the release it came in"
    assert main(["requirements", "--catalog", str(catalog), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in data] == sorted(r["id"] for r in data)
    assert data[0]["profiles"] == ["seed", "runc-1.2"]
    assert data[0]["since"] == "runc 692f6e1"


def test_requirements_with_unknown_profile(
    catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["requirements", "--catalog", str(catalog), "--profile", "x"]) == 2
    assert _one_line(capsys.readouterr().err).startswith("rtgate: error: '--profile' must be")


def test_requirements_of_one_spec_version(capsys: pytest.CaptureFixture[str]) -> None:
    """The packaged catalog: v1.3.0's RDT rules join at 1.3.0, the features rule at 1.1.0, and
    the factory API's rules, of no runtime-spec release, are listed under none."""
    listed: dict[str, set[str]] = {}
    for version in ("1.0.2", "1.1.0", "1.3.0"):
        assert main(["requirements", "--oci-version", version, "--format", "json"]) == 0
        listed[version] = {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert "CLI-FEATURES-OCI-VERSIONS" in listed["1.1.0"] - listed["1.0.2"]
    assert "CLI-RDT-SCHEMATA" in listed["1.3.0"] - listed["1.1.0"]
    assert listed["1.0.2"] < listed["1.1.0"] < listed["1.3.0"]
    assert main(["requirements", "--format", "json"]) == 0
    every = json.loads(capsys.readouterr().out)
    assert listed["1.3.0"] == {r["id"] for r in every if r["spec_version"]}
    assert main(["requirements", "--oci-version", "1.0.0"]) == 0
    assert capsys.readouterr().out.strip() == "(no requirements)"


def test_requirements_of_an_unknown_spec_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["requirements", "--oci-version", "2.0.0"]) == 2
    assert _one_line(capsys.readouterr().err) == (
        "rtgate: error: '--oci-version' must be a runtime-spec release, one of 1.0.0, 1.0.1,"
        " 1.0.2, 1.1.0, 1.2.0, 1.2.1, 1.3.0 (got '2.0.0')"
    )


@pytest.mark.parametrize("command", ["report", "nonsense"])
def test_a_command_without_its_action_or_unknown_is_one_line(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command]) == 2
    assert _one_line(capsys.readouterr().err).startswith("rtgate: error: ")


def test_no_command_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert _one_line(capsys.readouterr().err).startswith("rtgate: error: the following")
    assert main(["--help"]) == 0
    assert "exit codes: 0 verdict pass" in capsys.readouterr().out
