"""``rtgate report render | diff | merge`` end to end, on reports that real runs wrote.

Four quick runs of the real suite make the reports, once for the session (tests/_shared_runs.py:
the preset tests read the same runs): the reference on the presets v1-cat, xeon-cdp and
hybrid-cat, and a broken runtime that reverses the precedence of teardown errors.  The
commands are then called in process through :func:`harness.cli.main`.  The tests of bad input
need no run.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.json_writer import write_json
from tests._shared_runs import shared_run
from tests.broken import expectation
from tests.report._samples import sample_report
from tests.test_presets import preset_run_args

BROKEN = "precedence_reversed"
#: report name -> the arguments of its ``rtgate run``
RUNS = {
    "v1-cat": ("--quick", "--profile", "seed", "--preset", "v1-cat"),
    "xeon-cdp": preset_run_args("xeon-cdp"),
    "hybrid-cat": preset_run_args("hybrid-cat"),
    "broken": ("--quick", "--profile", "seed", "--preset", "v1-cat",
               "--subject", f"python:tests.broken.{BROKEN}:new_factory"),
}  # fmt: skip
#: the exit code each run must end with: the broken runtime fails its verdict
VERDICT_CODES = {"v1-cat": 0, "xeon-cdp": 0, "hybrid-cat": 0, "broken": 1}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Report directories of real quick runs, by the names of :data:`RUNS`, shared with the
    other tests that make the same runs (tests/_shared_runs.py); read-only."""
    made = {name: shared_run(tmp_path_factory, args) for name, args in RUNS.items()}
    for name, run in made.items():
        assert run.returncode == VERDICT_CODES[name], (
            f"rtgate run for {name} exited {run.returncode}:\n{run.stdout}\n{run.stderr}"
        )
    return {name: run.report_dir for name, run in made.items()}


def _one_error_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("rtgate: error: "), text
    return lines[0]


def _outcomes(report_dir: Path) -> dict[str, str]:
    data = json.loads((report_dir / "compliance.json").read_text())
    return {r["id"]: r["outcome"] for r in data["requirements"]}


# --- bad input: no run needed ---------------------------------------------------------------


def test_diff_of_a_missing_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.json"
    assert main(["report", "diff", str(missing), str(tmp_path / "x")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _one_error_line(captured.err) == f"rtgate: error: {missing}: no such file or directory"


def test_merge_of_one_report_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "merge", str(tmp_path)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "'merge' needs at least two reports (got 1)" in line


def test_a_json_that_is_not_a_report_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "package.json"
    other.write_text('{"name": "left-pad"}\n')
    out = tmp_path / "out"
    for argv in (
        ["diff", str(other), str(other)],
        ["merge", str(other), str(other), "--out", str(out)],
    ):
        assert main(["report", *argv]) == 2
        line = _one_error_line(capsys.readouterr().err)
        assert line.startswith(f"rtgate: error: {other}: 'schema' must be"), line
    assert not out.exists()


def test_a_directory_without_a_report_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "render", str(tmp_path)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line == f"rtgate: error: {tmp_path}: not a report directory: it has no compliance.json"


def test_a_binary_file_is_not_a_report(capsys: pytest.CaptureFixture[str]) -> None:
    binary = sys.executable
    assert main(["report", "diff", binary, binary]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"rtgate: error: {binary}: not a report: not UTF-8 text")


def test_an_output_that_cannot_be_written_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = write_json(sample_report(), tmp_path / "compliance.json")
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    assert main(["report", "merge", str(report), str(report), "--out", str(in_the_way)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        _one_error_line(captured.err)
        == f"rtgate: error: {in_the_way}: cannot write there: File exists"
    )


def test_merge_of_two_sample_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "one").mkdir()
    report = write_json(sample_report(), tmp_path / "one" / "compliance.json")
    assert (
        main(["report", "merge", str(report), str(tmp_path / "one"), "--out", str(tmp_path)]) == 0
    )
    assert capsys.readouterr().out.splitlines()[:2] == [
        "one    FAIL  unknown features",
        "one#2  FAIL  unknown features",
    ]
    assert [h["label"] for h in json.loads((tmp_path / "fleet.json").read_text())["hosts"]] == [
        "one",
        "one#2",
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["report"],
        ["report", "nonsense"],
        ["report", "diff", "only-one"],
        ["report", "diff", "a", "b", "--format", "html"],
        ["report", "render"],
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    _one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--help"],
        ["report", "render", "--help"],
        ["report", "diff", "--help"],
        ["report", "merge", "--help"],
    ],
)
def test_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: rtgate {' '.join(argv[:-1])}")


def test_help_of_diff_and_merge_states_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    main(["report", "diff", "--help"])
    assert "1 at least one regression" in capsys.readouterr().out
    main(["report", "merge", "--help"])
    assert "0 written (whatever the hosts' verdicts" in capsys.readouterr().out


# --- on real reports ------------------------------------------------------------------------


def test_diff_of_a_broken_runtime_lists_its_regressions(
    reports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "diff", str(reports["v1-cat"]), str(reports["broken"])]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "verdict: PASS -> FAIL" in lines
    assert any(line.startswith("warning: the reports are of different subjects") for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("Regressions ("))
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    listed = {line.split()[0] for line in lines[start + 1 : end] if line.startswith("  ")}
    assert set(expectation(BROKEN).requirements) <= listed
    first = lines[start + 1].split()
    assert first[2:5] == ["pass", "->", "fail"]
    assert lines[start + 2].startswith("      AssertionError")


def test_diff_json_regressions_are_exactly_what_passed_and_now_fails(
    reports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = reports["v1-cat"], reports["broken"]
    assert main(["report", "diff", str(old), str(new / "compliance.json"), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    before, after = _outcomes(old), _outcomes(new)
    worse = {i for i, o in after.items() if o in ("fail", "error") and before.get(i) == "pass"}
    regressions = {c["id"] for c in data["changes"] if c["kind"] == "regression"}
    assert regressions == worse
    assert set(expectation(BROKEN).requirements) <= regressions
    assert all(c["message"] for c in data["changes"] if c["kind"] == "regression")
    assert data["verdict"] == {"old": "pass", "new": "fail"}


def test_diff_of_a_report_with_itself_is_exit_0(
    reports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    same = str(reports["v1-cat"])
    assert main(["report", "diff", same, same, "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# rtgate report diff")
    assert "regressions: 0" in out
    assert "## Regressions" not in out


def test_merge_puts_three_hosts_side_by_side(
    reports: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hosts = ["v1-cat", "xeon-cdp", "hybrid-cat"]
    out = tmp_path / "fleet"
    argv = ["report", "merge", *(str(reports[h] / "compliance.json") for h in hosts)]
    assert main([*argv, "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    for host in hosts:
        assert any(line.split()[:2] == [host, "PASS"] for line in stdout.splitlines()), stdout
    assert str(out / "fleet.json") in stdout
    data = json.loads((out / "fleet.json").read_text())
    columns = [h["label"] for h in data["hosts"]]
    assert sorted(columns) == sorted(hosts)
    features = {h["label"]: tuple(h["features"]) for h in data["hosts"]}
    assert "cdp" in features["xeon-cdp"]
    assert len(data["groups"]) == len(set(features.values()))
    for group in data["groups"]:
        assert all(features[label] == tuple(group["features"]) for label in group["hosts"])
    assert [label for group in data["groups"] for label in group["hosts"]] == columns
    markdown = (out / "fleet.md").read_text().splitlines()
    header = next(line for line in markdown if line.startswith("| Requirement | Level |"))
    cells = [cell.strip().split(" (G")[0] for cell in header.strip("|").split("|")[2:-1]]
    assert cells == columns
    page = (out / "fleet.html").read_text()
    assert re.findall(r'<th scope="col" class="host[^"]*">([^<]*)</th>', page) == columns


def test_merge_writes_under_reports_of_the_working_directory_by_default(
    reports: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "merge", str(reports["v1-cat"]), str(reports["broken"])]) == 0
    (made,) = (tmp_path / "reports").iterdir()
    assert made.name.startswith("fleet-")
    assert sorted(p.name for p in made.iterdir()) == ["fleet.html", "fleet.json", "fleet.md"]
    stdout = capsys.readouterr().out
    assert "warning: the reports are of different subjects" in stdout
    assert any(line.split()[:2] == ["v1-cat#2", "FAIL"] for line in stdout.splitlines())


def test_merge_of_real_reports_links_them_and_cleans_their_messages(
    reports: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fleet"
    assert (
        main(["report", "merge", str(reports["v1-cat"]), str(reports["broken"]), "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    data = json.loads((out / "fleet.json").read_text())
    for host in data["hosts"]:
        assert sorted(host["links"]) == ["html", "json", "md"]
        assert all((out / link).is_file() for link in host["links"].values())
        assert host["kernel"] == "simulated"
    failing = {
        r["id"]: r["messages"]["v1-cat#2"]
        for r in data["requirements"]
        if "v1-cat#2" in r["messages"]
    }
    assert set(expectation(BROKEN).requirements) <= set(failing)
    for rid, message in failing.items():
        assert message.strip(), rid
        assert not message.startswith(("AssertionError", f"[{rid}]")), message
        assert "\n+" not in message and " +  where" not in message, message


# render last: it needs every format writer (harness.report.formats)


def test_render_rebuilds_every_format_and_the_same_json(
    reports: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(reports["broken"], copy)
    original = (copy / "compliance.json").read_bytes()
    for path in copy.iterdir():
        if path.name != "compliance.json":
            path.unlink()
    assert main(["report", "render", str(copy)]) == 0
    written = capsys.readouterr().out.splitlines()
    names = [Path(line).name for line in written]
    assert sorted(names) == [
        "compliance.html",
        "compliance.json",
        "compliance.ktap",
        "compliance.md",
        "junit.xml",
    ]
    assert names[-1] == "compliance.json"
    assert (copy / "compliance.json").read_bytes() == original
    for name in names:
        assert (copy / name).stat().st_size > 0


def test_render_into_another_directory(
    reports: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = reports["v1-cat"] / "compliance.json"
    out = tmp_path / "elsewhere"
    assert main(["report", "render", str(source), "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == str(out / "compliance.json")
    assert (out / "compliance.json").read_bytes() == source.read_bytes()
    assert (out / "compliance.html").is_file()
