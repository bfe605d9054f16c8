"""diff_reports: which change is a regression, a fix or something else, and the renderers."""

from __future__ import annotations

import dataclasses
import json

import pytest

from harness.report._text import first_line
from harness.report.diff import DIFF_SCHEMA
from harness.report.diff import classify
from harness.report.diff import diff_reports
from harness.report.diff import render_diff
from harness.report.diff import to_diff_json
from harness.report.diff import to_diff_markdown
from harness.report.diff import to_diff_text
from harness.report.model import Report
from harness.report.model import RequirementResult
from tests.report._samples import sample_report
from tests.report._samples import with_expectation


def _with(report: Report, **changes: dict[str, object]) -> Report:
    """``report`` with fields of some requirements replaced: ``_with(r, A_PASS={...})``."""
    by_id = {key.replace("_", "-"): fields for key, fields in changes.items()}
    return dataclasses.replace(
        report,
        requirements=tuple(
            dataclasses.replace(r, **by_id[r.id]) if r.id in by_id else r
            for r in report.requirements
        ),
    )


def _without(report: Report, req_id: str) -> Report:
    kept = tuple(r for r in report.requirements if r.id != req_id)
    return dataclasses.replace(report, requirements=kept)


def _extra(report: Report, result: RequirementResult) -> Report:
    return dataclasses.replace(report, requirements=(*report.requirements, result))


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("pass", "fail", "regression"),
        ("pass", "error", "regression"),
        ("xpass", "fail", "regression"),
        ("xfail", "fail", "regression"),
        ("skip", "error", "regression"),
        ("pass", "untested", "regression"),
        ("fail", "untested", "regression"),
        ("skip", "untested", "regression"),
        ("fail", "pass", "fix"),
        ("error", "xpass", "fix"),
        ("pass", "skip", "other"),
        ("fail", "xfail", "other"),
        ("fail", "error", "other"),
        ("error", "fail", "other"),
        ("untested", "fail", "other"),
        ("untested", "pass", "other"),
        ("xfail", "xpass", "other"),
        (None, "fail", "new"),
        ("pass", None, "removed"),
        ("pass", "pass", None),
        ("untested", "untested", None),
    ],
)
def test_classify(old: str | None, new: str | None, kind: str | None) -> None:
    assert classify(old, new) == kind  # type: ignore[arg-type]


def test_a_report_against_itself_has_no_change() -> None:
    diff = diff_reports(sample_report(), sample_report())
    assert diff.changes == ()
    assert diff.regressions == ()
    assert diff.unchanged == len(sample_report().requirements)
    assert not diff.verdict_changed
    assert diff.run_differences == ()


def test_a_regression_carries_the_new_message() -> None:
    old = _with(sample_report(), A_FAIL={"outcome": "pass", "message": None})
    diff = diff_reports(old, sample_report())
    (change,) = diff.regressions
    assert (change.id, change.level, change.old, change.new) == ("A-FAIL", "MUST", "pass", "fail")
    assert change.title == "fails <badly> & \x01loudly"
    assert change.message is not None and change.message.startswith("AssertionError: 1 != 2")


def test_a_fix_is_not_a_regression() -> None:
    new = _with(sample_report(), A_FAIL={"outcome": "pass", "message": None})
    diff = diff_reports(sample_report(), new)
    assert diff.regressions == ()
    assert [c.id for c in diff.of_kind("fix")] == ["A-FAIL"]


def test_an_expectation_added_is_another_change() -> None:
    diff = diff_reports(sample_report(), with_expectation(sample_report()))
    assert diff.regressions == ()
    (change,) = diff.of_kind("other")
    assert (change.id, change.old, change.new) == ("A-FAIL", "fail", "xfail")


def test_new_and_removed_requirements() -> None:
    added = dataclasses.replace(sample_report().requirement("A-PASS"), id="B-NEW", outcome="fail")
    old = _without(sample_report(), "A-SKIP")
    new = _extra(sample_report(), added)
    diff = diff_reports(old, new)
    assert [(c.id, c.old, c.new) for c in diff.of_kind("new")] == [
        ("A-SKIP", None, "skip"),
        ("B-NEW", None, "fail"),
    ]
    assert diff.regressions == ()
    removed = diff_reports(new, old).of_kind("removed")
    assert [(c.id, c.old, c.new) for c in removed] == [
        ("A-SKIP", "skip", None),
        ("B-NEW", "fail", None),
    ]


def test_a_level_change_alone_is_another_change() -> None:
    new = _with(sample_report(), A_PASS={"level": "SHOULD"})
    (change,) = diff_reports(sample_report(), new).changes
    assert (change.kind, change.old_level, change.level) == ("other", "MUST", "SHOULD")


def test_changes_are_ordered_regressions_first() -> None:
    old = _with(
        sample_report(),
        A_FAIL={"outcome": "pass"},
        A_PASS={"outcome": "error"},
        A_ERROR={"outcome": "pass"},
        A_SKIP={"outcome": "pass"},
    )
    diff = diff_reports(old, sample_report())
    assert [(c.kind, c.id) for c in diff.changes] == [
        ("regression", "A-ERROR"),
        ("regression", "A-FAIL"),
        ("fix", "A-PASS"),
        ("other", "A-SKIP"),
    ]
    assert diff.counts() == {"regression": 2, "fix": 1, "new": 0, "removed": 0, "other": 1}


def _other_subject(report: Report) -> Report:
    run = dataclasses.replace(
        report.run, subject="oci:crun", subject_version="1.8", host_probe={"preset": "xeon-cdp"}
    )
    summary = dataclasses.replace(report.summary, verdict="pass")
    return dataclasses.replace(report, run=run, summary=summary)


def test_different_subjects_are_flagged_not_refused() -> None:
    diff = diff_reports(_other_subject(sample_report()), sample_report())
    fields = {d.field: (d.old, d.new) for d in diff.run_differences}
    assert fields["subject"] == ("oci:crun", "reference")
    assert fields["subject_version"] == ("1.8", "0.1.0")
    assert fields["preset"] == ("xeon-cdp", "-")
    assert "profile" not in fields and "oci_version" not in fields
    assert diff.verdict_changed
    text = to_diff_text(diff)
    assert "verdict: PASS -> FAIL" in text
    assert "warning: the reports are of different subjects" in text


def test_a_pinned_oci_version_is_a_run_difference() -> None:
    report = sample_report()
    pinned = dataclasses.replace(report, run=dataclasses.replace(report.run, oci_version="1.0.2"))
    fields = {d.field: (d.old, d.new) for d in diff_reports(report, pinned).run_differences}
    assert fields == {"oci_version": ("(not pinned)", "1.0.2")}


def test_text_lists_regressions_first_with_their_message() -> None:
    old = _with(sample_report(), A_FAIL={"outcome": "pass"}, A_ERROR={"outcome": "fail"})
    lines = to_diff_text(diff_reports(old, sample_report())).splitlines()
    first = lines.index("Regressions (1):")
    assert lines.index("Other changes (1):") > first
    assert lines[first + 1].split()[:5] == ["A-FAIL", "MUST", "pass", "->", "fail"]
    assert lines[first + 2].strip() == "AssertionError: 1 != 2"
    assert "\x01" not in "\n".join(lines)


def test_markdown_has_one_table_per_kind_and_escapes_cells() -> None:
    old = _with(sample_report(), A_FAIL={"outcome": "pass", "title": "a | b"})
    new = _with(sample_report(), A_FAIL={"title": "a | b", "message": "x | y\nsecond"})
    text = to_diff_markdown(diff_reports(old, new))
    assert "## Regressions (1)" in text
    assert "| `A-FAIL` | MUST | pass | fail | a \\| b | x \\| y |" in text
    assert "second" not in text


def test_json_shape() -> None:
    old = _with(sample_report(), A_FAIL={"outcome": "pass"})
    data = json.loads(to_diff_json(diff_reports(old, sample_report())))
    assert data["schema"] == DIFF_SCHEMA
    assert list(data) == [
        "schema",
        "old",
        "new",
        "verdict",
        "run_differences",
        "warnings",
        "counts",
        "changes",
    ]
    assert data["counts"]["regression"] == 1
    assert data["counts"]["unchanged"] == 4
    assert data["changes"][0] == {
        "kind": "regression",
        "id": "A-FAIL",
        "level": "MUST",
        "old_level": "MUST",
        "title": "fails <badly> & \x01loudly",
        "old": "pass",
        "new": "fail",
        "message": "AssertionError: 1 != 2\nmore",
    }


@pytest.mark.parametrize("fmt", ["text", "md", "json"])
def test_render_diff_by_format_name(fmt: str) -> None:
    text = render_diff(diff_reports(sample_report(), sample_report()), fmt)
    assert text.endswith("\n")
    assert "0" in text


def test_first_line_of_odd_messages() -> None:
    assert first_line(None) == ""
    assert first_line(" \n\t\n") == ""
    assert first_line("\n\x1b[31mred\x1b[0m \x00 text\nsecond") == "red text"
    assert first_line("x" * 300, limit=10) == "xxxxxxx..."


def test_an_empty_message_of_a_regression_renders() -> None:
    old = _with(sample_report(), A_FAIL={"outcome": "pass"})
    new = _with(sample_report(), A_FAIL={"message": "   "})
    diff = diff_reports(old, new)
    for fmt in ("text", "md", "json"):
        assert "A-FAIL" in render_diff(diff, fmt)


def test_an_incomplete_run_is_warned_about() -> None:
    partial = dataclasses.replace(
        sample_report(), run=dataclasses.replace(sample_report().run, complete=False)
    )
    diff = diff_reports(sample_report(), partial)
    assert "INCOMPLETE" in diff.new.describe()
    assert "warning: the new run did not complete: its outcomes are partial" in to_diff_text(diff)
    assert json.loads(to_diff_json(diff))["warnings"] == [
        "the new run did not complete: its outcomes are partial"
    ]
