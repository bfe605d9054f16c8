"""``compliance.json``: the report for machines, stable enough to diff between runs.

Shape (schema ``rtgate-compliance/2``, documented in docs/report-schema.md and checked by the
JSON Schema ``compliance.schema.json`` beside this module)::

    {"schema": ..., "run": {...}, "summary": {...}, "requirements": [...], "tests": [...]}

Requirements are sorted by id and tests by node id, keys keep one fixed order, and the text is
indented by two spaces, so two runs of the same suite differ only in durations and timestamps.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from harness.errors import InputFileError
from harness.input_files import MAX_REPORT_BYTES
from harness.input_files import read_input
from harness.report._atomic import write_text_atomic
from harness.report._shape import shape_problem
from harness.report.model import OUTCOMES
from harness.report.model import CheckTally
from harness.report.model import CommandResult
from harness.report.model import ExpectedFailure
from harness.report.model import HypothesisFailure
from harness.report.model import Report
from harness.report.model import RequirementResult
from harness.report.model import RunInfo
from harness.report.model import Summary
from harness.report.model import TestResult

__all__ = ["READABLE", "SCHEMA", "from_json", "read_json", "to_json", "write_json"]

SCHEMA = "rtgate-compliance/2"
#: earlier schemas :func:`from_json` still reads (the fields added since have defaults)
READABLE = (SCHEMA, "rtgate-compliance/1")


def to_json(report: Report) -> str:
    """The report as JSON text, ending in a newline."""
    data = {
        "schema": SCHEMA,
        "run": _run(report.run),
        "summary": _summary(report.summary),
        "requirements": [_requirement(r) for r in sorted(report.requirements, key=_id)],
        "tests": [_test(t) for t in sorted(report.tests, key=_nodeid)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_json(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write :func:`to_json` to ``path`` atomically."""
    return write_text_atomic(path, to_json(report))


def read_json(path: str | os.PathLike[str]) -> Report:
    """Read a ``compliance.json`` file.

    Raises:
        InputFileError: the file cannot be read or is not an rtgate compliance report.
    """
    raw = read_input(path, "report", MAX_REPORT_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputFileError(str(path), f"not a report: not UTF-8 text ({err.reason})") from err
    return from_json(text, str(path))


def from_json(text: str, path: str = "<string>") -> Report:
    """Turn :func:`to_json` output back into a :class:`Report`.

    Raises:
        InputFileError: not JSON, another schema, or a field missing or of the wrong kind.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputFileError(path, f"not JSON: {err.msg}", err.lineno) from err
    if not isinstance(data, dict) or data.get("schema") not in READABLE:
        got = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise InputFileError(path, f"'schema' must be {SCHEMA!r} (got {got!r})")
    problem = shape_problem(data, check_required=data["schema"] == SCHEMA)
    if problem is not None:
        raise InputFileError(path, f"malformed report: {problem}")
    try:
        return Report(
            run=_run_from(data["run"]),
            summary=Summary(
                counts=dict(data["summary"]["counts"]),
                test_counts=dict(data["summary"]["test_counts"]),
                verdict=data["summary"]["verdict"],
                fatal=tuple(data["summary"]["fatal"]),
                verdict_notes=tuple(data["summary"].get("verdict_notes", ())),
            ),
            requirements=tuple(_requirement_from(r) for r in data["requirements"]),
            tests=tuple(_test_from(t) for t in data["tests"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputFileError(path, f"malformed report: {type(err).__name__}: {err}") from err


def _run(run: RunInfo) -> dict[str, Any]:
    return {
        "subject": run.subject,
        "subject_version": run.subject_version,
        "host": run.host,
        "host_probe": dict(sorted(run.host_probe.items())),
        "expectations": dict(run.expectations),
        "profile": run.profile,
        "rtgate_version": run.rtgate_version,
        "started_at": run.started_at,
        "duration_s": round(run.duration_s, 3),
        "complete": run.complete,
        "host_features": sorted(run.host_features),
        "hypothesis": dict(sorted(run.hypothesis.items())),
        "strict": run.strict,
        "certify": run.certify,
        "command": run.command,
        "runtime_args": list(run.runtime_args),
        "oci_version": run.oci_version,
        "required": list(run.required),
        "selected": list(run.selected),
        "stopped": run.stopped,
    }


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        "verdict": summary.verdict,
        "counts": {o: summary.counts.get(o, 0) for o in OUTCOMES},
        "test_counts": {o: summary.test_counts.get(o, 0) for o in OUTCOMES},
        "fatal": sorted(summary.fatal),
        "verdict_notes": list(summary.verdict_notes),
    }


def _requirement(result: RequirementResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "level": result.level,
        "title": result.title,
        "source": result.source,
        "url": result.url,
        "spec_version": result.spec_version,
        "scope": result.scope,
        "area": result.area,
        "outcome": result.outcome,
        "message": result.message,
        "expectation": dataclasses.asdict(result.expectation) if result.expectation else None,
        "tests": sorted(result.tests),
        "checks": _tally(result.checks),
    }


def _test(test: TestResult) -> dict[str, Any]:
    return {
        "nodeid": test.nodeid,
        "outcome": test.outcome,
        "duration_s": round(test.duration_s, 3),
        "requirements": sorted(test.requirements),
        "violates": sorted(test.violates),
        "message": test.message,
        "details": test.details,
        "commands": [_command(c) for c in test.commands],
        "commands_omitted": test.commands_omitted,
        "commands_s": round(test.commands_s, 3),
        "hypothesis": _hypothesis(test.hypothesis),
        "checks": None if test.checks is None else [_tally(t) for t in test.checks],
    }


def _tally(tally: CheckTally | None) -> dict[str, Any] | None:
    if tally is None:
        return None
    return {
        "requirement": tally.requirement,
        "ran": tally.ran,
        "failed": tally.failed,
        "messages": list(tally.messages),
    }


def _tally_from(data: dict[str, Any]) -> CheckTally:
    return CheckTally(**{**data, "messages": tuple(data["messages"])})


def _command(command: CommandResult) -> dict[str, Any]:
    return {
        "argv": list(command.argv),
        "exit_code": command.exit_code,
        "duration_s": round(command.duration_s, 3),
        "stderr_tail": command.stderr_tail,
        "timed_out": command.timed_out,
        "killed": list(command.killed),
        "survived": list(command.survived),
    }


def _command_from(data: dict[str, Any]) -> CommandResult:
    lists = {key: tuple(data.get(key, ())) for key in ("argv", "killed", "survived")}
    return CommandResult(**{**data, **lists})


def _hypothesis(failure: HypothesisFailure | None) -> dict[str, Any] | None:
    if failure is None:
        return None
    return {"steps": list(failure.steps), "reproduce": failure.reproduce}


def _run_from(data: dict[str, Any]) -> RunInfo:
    return RunInfo(
        **{
            **data,
            "host_features": tuple(data.get("host_features", ())),
            "runtime_args": tuple(data.get("runtime_args", ())),
            "required": tuple(data.get("required", ())),
            "selected": tuple(data.get("selected", ())),
        }
    )


def _requirement_from(data: dict[str, Any]) -> RequirementResult:
    _check_outcome(data["outcome"])
    expectation = data.get("expectation")
    return RequirementResult(
        **{
            **data,
            "tests": tuple(data["tests"]),
            "expectation": ExpectedFailure(**expectation) if expectation else None,
            "checks": _tally_from(data["checks"]) if data.get("checks") else None,
        }
    )


def _test_from(data: dict[str, Any]) -> TestResult:
    _check_outcome(data["outcome"])
    hypothesis = data.get("hypothesis")
    checks = data.get("checks")
    return TestResult(
        **{
            **data,
            "requirements": tuple(data["requirements"]),
            "violates": tuple(data["violates"]),
            "commands": tuple(_command_from(c) for c in data.get("commands", ())),
            "hypothesis": HypothesisFailure(
                steps=tuple(hypothesis["steps"]), reproduce=hypothesis.get("reproduce")
            )
            if hypothesis
            else None,
            "checks": None if checks is None else tuple(_tally_from(c) for c in checks),
        }
    )


def _check_outcome(outcome: object) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"'outcome' must be one of {OUTCOMES} (got {outcome!r})")


def _id(result: RequirementResult) -> str:
    return result.id


def _nodeid(test: TestResult) -> str:
    return test.nodeid
