"""The text summary: verdict first, fatal requirements next, one screen at most."""

from __future__ import annotations

import dataclasses

from harness.report.aggregate import build_report
from harness.report.model import TestResult
from harness.report.summary import render_summary
from tests.report._samples import RUN
from tests.report._samples import Info
from tests.report._samples import sample_report


def test_summary_of_the_sample() -> None:
    text = render_summary(sample_report())
    lines = text.splitlines()
    assert lines[0] == (
        "rtgate: verdict FAIL (subject reference 0.1.0, host simulated, profile seed)"
    )
    assert lines[1] == "requirements: 5 total: 1 pass, 1 fail, 1 skip, 1 error, 1 untested"
    assert "A-FAIL" in text and "AssertionError: 1 != 2" in text and "more" not in text
    assert "A-UNTESTED" in text
    assert "A-PASS" not in text and "A-SKIP" not in text
    assert text.index("A-ERROR") < text.index("A-FAIL") < text.index("A-UNTESTED")


def test_summary_stays_on_one_screen() -> None:
    infos = [Info(f"R-{i:03d}", level="SHOULD" if i % 2 else "MUST") for i in range(100)]
    tests = [
        TestResult(f"t.py::test_{i:03d}", "fail", 0.0, (f"R-{i:03d}",), message="x" * 300)
        for i in range(100)
    ]
    text = render_summary(build_report(RUN, infos, tests))
    lines = text.splitlines()
    assert len(lines) <= 40
    assert all(len(line) <= 100 for line in lines)
    assert lines[-1].startswith("  ... and ") and "more" in lines[-1]
    shown = [line.split()[2] for line in lines if line.startswith("  FAIL")]
    assert all(int(r[2:]) % 2 == 0 for r in shown)  # MUST failures first


def test_passing_summary_is_three_lines() -> None:
    report = build_report(RUN, [Info("R-A")], [TestResult("t::a", "pass", 0.0, ("R-A",))])
    assert len(render_summary(report).splitlines()) == 3


def test_header_names_the_preset_and_an_unknown_version() -> None:
    import dataclasses

    run = dataclasses.replace(
        RUN, subject="python:m:f", subject_version="unknown", host_probe={"preset": "no-rdt"}
    )
    report = build_report(run, [Info("A-PASS")], [TestResult("t::a", "pass", 0.1, ("A-PASS",))])
    assert render_summary(report).splitlines()[0] == (
        "rtgate: verdict PASS (subject python:m:f (version unknown), host simulated (no-rdt),"
        " profile seed)"
    )


def test_the_last_line_reruns_the_failures_alone() -> None:
    import dataclasses

    command = "rtgate run --subject python:m:f --report-dir=out/ --requirement A-X -- -x"
    report = dataclasses.replace(sample_report(), run=dataclasses.replace(RUN, command=command))
    assert render_summary(report).splitlines()[-1] == (
        "rerun them: rtgate run --subject python:m:f --requirement A-ERROR,A-FAIL -- -x"
    )
    assert "rerun" not in render_summary(sample_report()), "no command known, no rerun line"


def test_the_rerun_line_leaves_the_screen_whole() -> None:
    import dataclasses

    infos = [Info(f"R-{i:03d}") for i in range(100)]
    tests = [TestResult(f"t.py::test_{i:03d}", "fail", 0.0, (f"R-{i:03d}",)) for i in range(100)]
    run = dataclasses.replace(RUN, command="rtgate run --report-dir out")
    lines = render_summary(build_report(run, infos, tests)).splitlines()
    assert len(lines) <= 40
    assert lines[-2].startswith("  ... and ") and lines[-1].startswith("rerun them: rtgate run ")


def test_a_pinned_oci_version_is_said_under_the_counts() -> None:
    run = dataclasses.replace(RUN, oci_version="1.0.2")
    report = build_report(run, [Info("A")], [TestResult("t::a", "pass", 0.0, ("A",))])
    assert "ociVersion 1.0.2 (--oci-version): later rules skipped" in render_summary(report)
    assert "ociVersion" not in render_summary(build_report(RUN, [Info("A")], []))
