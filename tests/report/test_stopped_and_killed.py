"""What the report says of a command its timeout killed (which processes of its group were
killed, which survived the kill: fields of their own, not only words in a message) and of a run
that something stopped before its end (a signal, or its own ``--timeout``)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from harness.report.html_writer import to_html
from harness.report.json_writer import from_json
from harness.report.json_writer import to_json
from harness.report.junit_writer import to_junit
from harness.report.ktap_writer import to_ktap
from harness.report.markdown_writer import to_markdown
from harness.report.model import CommandResult
from harness.report.model import Report
from tests.report._samples import sample_report
from tests.report.test_schema import errors

KILLED = CommandResult(("runc", "kill", "c1"), -9, 10.0, "", timed_out=True,
                       killed=("41 (runc)", "42 (sleep)"), survived=("42 (sleep)",))  # fmt: skip


def _with_killed_command() -> Report:
    """The sample, its failing test's last command one that its timeout killed."""
    report = sample_report()
    tests = tuple(
        dataclasses.replace(t, commands=(*t.commands, KILLED)) if t.outcome == "fail" else t
        for t in report.tests
    )
    return dataclasses.replace(report, tests=tests)


def test_killed_and_survived_are_fields_of_the_command() -> None:
    report = _with_killed_command()
    data = json.loads(to_json(report))
    (command,) = [c for t in data["tests"] for c in t["commands"] if c["timed_out"]]
    assert command["killed"] == ["41 (runc)", "42 (sleep)"]
    assert command["survived"] == ["42 (sleep)"]
    assert errors(data) == []
    assert KILLED in [c for t in from_json(to_json(report), "r.json").tests for c in t.commands]


def test_a_report_of_before_reads_without_them() -> None:
    data = json.loads(to_json(_with_killed_command()))
    for test in data["tests"]:
        for command in test["commands"]:
            del command["killed"], command["survived"]
    del data["run"]["stopped"]
    read = from_json(json.dumps(data), "r.json")
    assert all(c.killed == () == c.survived for t in read.tests for c in t.commands)
    assert read.run.stopped == ""


@pytest.mark.parametrize("render", [to_markdown, to_ktap, to_junit], ids=["md", "ktap", "junit"])
def test_every_format_that_shows_commands_says_what_was_killed(render: object) -> None:
    text = render(_with_killed_command())  # type: ignore[operator]
    assert "timed out; killed 41 (runc), 42 (sleep); survived 42 (sleep)" in text


def test_html_says_what_was_killed_and_what_survived() -> None:
    text = to_html(_with_killed_command())
    assert "killed: 41 (runc), 42 (sleep)" in text
    assert "survived the kill: 42 (sleep)" in text


@pytest.mark.parametrize(
    ("stopped", "says"),
    [
        ("timeout after 600 s", "this run reached its time limit (--timeout: timeout after 600 s)"),
        ("SIGTERM", "this run was interrupted (SIGTERM)"),
        ("", "this run was interrupted or is still going"),
    ],
)
def test_an_incomplete_report_says_what_stopped_the_run(stopped: str, says: str) -> None:
    report = sample_report()
    report = dataclasses.replace(
        report, run=dataclasses.replace(report.run, complete=False, stopped=stopped)
    )
    data = json.loads(to_json(report))
    assert data["run"]["stopped"] == stopped and errors(data) == []
    assert from_json(to_json(report), "r.json").run.stopped == stopped
    for render in (to_markdown, to_html, to_ktap):
        assert says in render(report), render.__name__
