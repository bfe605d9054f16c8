"""compliance.schema.json: a valid schema that accepts what rtgate writes and refuses the rest.

The schema is the contract with dashboards and CI steps, and docs/report-schema.md explains it;
these tests keep the writer, the schema and the document from drifting apart silently.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from harness.report.aggregate import build_report
from harness.report.json_writer import SCHEMA
from harness.report.json_writer import to_json
from harness.report.model import MAX_COMMANDS
from harness.report.model import OUTCOMES
from harness.report.model import Report
from harness.report.model import TestResult
from harness.spec.catalog import ID_PATTERN
from harness.spec.catalog import LEVELS
from harness.spec.catalog import SCOPES
from tests.report._samples import Info
from tests.report._samples import sample_report
from tests.report._samples import with_expectation
from tests.report.test_junit import junit_schema
from tests.report.test_ktap import parse_ktap

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "report-schema.md"
README = ROOT / "reports" / "README.md"
Json = dict[str, Any]


def load_schema() -> Json:
    """The schema as packaged (not a path in the checkout): what an installed rtgate ships."""
    text = resources.files("harness.report").joinpath("compliance.schema.json").read_text()
    return json.loads(text)


SCHEMA_DOC = load_schema()
VALIDATOR = Draft202012Validator(SCHEMA_DOC, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(data: Any) -> list[str]:
    """Every validation error as ``path: message``, for assertion messages that say where."""
    return [f"{e.json_path}: {e.message}" for e in VALIDATOR.iter_errors(data)]


def full_report() -> Report:
    """The sample with every optional part filled: run settings, an expectations file."""
    report = with_expectation(sample_report())
    run = dataclasses.replace(
        report.run,
        host_features=("cat-l3", "cgroup-v1", "resctrl"),
        hypothesis={"profile": "rtgate", "derandomize": True, "seed": None, "version": "6.100.0"},
        expectations={
            "path": "expectations/runc-1.1.toml",
            "sha256": "0" * 64,
            "subject": "runc",
            "versions": ">=1.1,<1.2",
            "entries": 2,
            "not_applying": {"A-SKIP": "expired on 2025-01-01"},
        },
        strict=True,
        command="rtgate run --subject oci:runc --expectations expectations/runc-1.1.toml",
        runtime_args=("--debug", "--log-format=json"),
        oci_version="1.0.2",
    )
    return dataclasses.replace(report, run=run)


def samples() -> dict[str, Report]:
    """The reports the writer tests use, and the states a reader meets: expected, unfinished."""
    report = sample_report()
    return {
        "sample": report,
        "expected": with_expectation(report),
        "incomplete": dataclasses.replace(
            report, run=dataclasses.replace(report.run, complete=False)
        ),
        "full": full_report(),
        # every requirement skipped: the verdict fails with a note and nothing in fatal
        "nothing checked": build_report(
            report.run,
            [Info("A-SKIP")],
            [TestResult("t.py::test_skip", "skip", 0.0, ("A-SKIP",), message="no resctrl")],
        ),
    }


def test_the_schema_is_valid_draft_2020_12() -> None:
    """An invalid schema validates nothing reliably; and it must be the writer's version."""
    Draft202012Validator.check_schema(SCHEMA_DOC)
    assert SCHEMA_DOC["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA_DOC["properties"]["schema"]["const"] == SCHEMA
    assert SCHEMA_DOC["$id"].endswith("/" + SCHEMA.replace("/", "-") + ".json")


def test_the_schema_uses_the_models_vocabulary() -> None:
    """Outcomes, levels, scopes and ids come from the code: a new one must reach the schema."""
    defs = SCHEMA_DOC["$defs"]
    assert tuple(defs["outcome"]["enum"]) == OUTCOMES
    assert tuple(defs["counts"]["required"]) == OUTCOMES
    assert tuple(defs["requirement"]["properties"]["level"]["enum"]) == LEVELS
    assert tuple(defs["requirement"]["properties"]["scope"]["enum"]) == SCOPES
    assert defs["requirement_id"]["pattern"] == ID_PATTERN.pattern
    assert defs["test"]["properties"]["commands"]["maxItems"] == MAX_COMMANDS


@pytest.mark.parametrize("name", ["sample", "expected", "incomplete", "full"])
def test_written_reports_validate(name: str) -> None:
    """What to_json writes is what the schema promises."""
    data = json.loads(to_json(samples()[name]))
    assert errors(data) == []


def _parent(data: Json, path: str) -> tuple[Any, Any]:
    """The container holding the dotted ``path`` (list indexes as numbers) and the last key."""
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    return node, int(last) if last.isdigit() else last


def _set(path: str, value: Any) -> Callable[[Json], None]:
    """A mutation that sets the value at ``path``."""

    def mutate(data: Json) -> None:
        node, key = _parent(data, path)
        node[key] = value

    return mutate


def _delete(path: str) -> Callable[[Json], None]:
    """A mutation that removes the key at ``path``."""

    def mutate(data: Json) -> None:
        node, key = _parent(data, path)
        del node[key]

    return mutate


# (what is wrong, the mutation, where the validator must say it is wrong)
BROKEN: list[tuple[str, Callable[[Json], None], str]] = [
    ("unknown requirement outcome", _set("requirements.0.outcome", "maybe"), "$.requirements[0]"),
    ("unknown test outcome", _set("tests.0.outcome", "passed"), "$.tests[0].outcome"),
    ("untested as a test outcome", _set("tests.0.outcome", "untested"), "$.tests[0].outcome"),
    ("missing run key", _delete("run.complete"), "$.run"),
    ("missing requirement key", _delete("requirements.1.level"), "$.requirements[1]"),
    ("missing top-level key", _delete("summary"), "$"),
    ("extra requirement key", _set("requirements.0.severity", "high"), "$.requirements[0]"),
    ("extra test key", _set("tests.0.stdout", ""), "$.tests[0]"),
    ("extra command key", _set("tests.1.commands.0.pid", 7), "$.tests[1].commands[0]"),
    ("extra top-level key", _set("extras", {}), "$"),
    ("other schema", _set("schema", "rtgate-compliance/1"), "$.schema"),
    ("unknown level", _set("requirements.0.level", "MUST!"), "$.requirements[0].level"),
    ("unknown verdict", _set("summary.verdict", "ok"), "$.summary.verdict"),
    ("a count missing", _delete("summary.counts.xpass"), "$.summary.counts"),
    ("a negative count", _set("summary.counts.pass", -1), "$.summary.counts.pass"),
    ("a count as text", _set("summary.test_counts.pass", "3"), "$.summary.test_counts.pass"),
    ("an untested test", _set("summary.test_counts.untested", 1), "$.summary.test_counts"),
    ("pass while fatal", _set("summary.verdict", "pass"), "$.summary.fatal"),
    ("fail without a reason", _set("summary.fatal", []), "$.summary"),
    ("negative duration", _set("tests.0.duration_s", -0.5), "$.tests[0].duration_s"),
    ("local start time", _set("run.started_at", "2025-01-31T12:00:00+01:00"), "$.run.started_at"),
    ("start time not a time", _set("run.started_at", "2025-13-45T99:00:00Z"), "$.run.started_at"),
    ("bad sha256", _set("run.expectations.sha256", "ABC"), "$.run.expectations"),
    ("half an expectations file", _delete("run.expectations.sha256"), "$.run.expectations"),
    ("bad expiry", _set("requirements.1.expectation.expires", "soon"), "$.requirements[1]"),
    ("extra expectation key", _set("requirements.1.expectation.by", "x"), "$.requirements[1]"),
    ("bad requirement id", _set("tests.0.requirements", ["a-fail"]), "$.tests[0].requirements[0]"),
    (
        "negative check count",
        _set(
            "requirements.4.checks",
            {"requirement": "A-UNTESTED", "ran": -1, "failed": 0, "messages": []},
        ),
        "$.requirements[4].checks",
    ),
    (
        "checks without a count",
        _set("tests.0.checks", [{"requirement": "A-FAIL"}]),
        "$.tests[0].checks",
    ),
    ("null argv", _set("tests.1.commands.0.argv", None), "$.tests[1].commands[0].argv"),
    ("extra failing-step key", _set("tests.1.hypothesis.seed", 1), "$.tests[1].hypothesis"),
    ("certify with expectations", _set("run.certify", True), "$.run.expectations"),
]


@pytest.mark.parametrize(("what", "mutate", "where"), BROKEN, ids=[b[0] for b in BROKEN])
def test_the_schema_refuses(what: str, mutate: Callable[[Json], None], where: str) -> None:
    """Each mutation of a valid report is refused, and the error points at what was broken."""
    data = json.loads(to_json(full_report()))
    # the mutations index the sample's order: A-ERROR, A-FAIL, A-PASS, A-SKIP, A-UNTESTED and
    # t.py::test_error, t.py::test_fail, ...
    assert [r["id"] for r in data["requirements"]][4] == "A-UNTESTED"
    assert data["tests"][1]["hypothesis"] is not None
    assert errors(data) == []
    broken = copy.deepcopy(data)
    mutate(broken)
    found = errors(broken)
    assert found, f"{what}: accepted"
    assert any(e.startswith(where) for e in found), f"{what}: {found}"


def _resolve(node: Json) -> Json:
    """Follow a local ``$ref`` (all of this schema's refs are ``#/$defs/<name>``), keeping
    what stands beside it: its properties add to the target's."""
    while "$ref" in node:
        target = SCHEMA_DOC["$defs"][node["$ref"].removeprefix("#/$defs/")]
        beside = {k: v for k, v in node.items() if k != "$ref"}
        properties = {**target.get("properties", {}), **beside.get("properties", {})}
        node = {**target, **beside}
        if properties:
            node["properties"] = properties
    return node


def _fits(branch: Json, data: Any) -> bool:
    """Whether ``data`` is meant for this branch: its type and required keys, not the details
    (an undocumented key must not make the walk skip the object it stands in)."""
    if branch.get("type") == "null":
        return data is None
    if not isinstance(data, dict):
        return False
    return all(k in data for k in branch.get("required", ())) and len(data) <= branch.get(
        "maxProperties", len(data)
    )


def _branches(node: Json, data: Any) -> list[Json]:
    """The node and those branches of its ``anyOf`` that ``data`` is meant for, resolved."""
    node = _resolve(node)
    matching = [b for b in map(_resolve, node.get("anyOf", ())) if _fits(b, data)]
    return [node, *matching]


def undocumented(data: Any, node: Json, where: str = "$") -> list[str]:
    """Keys of ``data`` the schema does not declare with a description, where it is closed.

    Free-form objects (host_probe, run.hypothesis) may hold keys the schema does not know;
    their known keys still need descriptions.
    """
    found: list[str] = []
    branches = _branches(node, data)
    if isinstance(data, dict):
        declared: dict[str, Json] = {}
        for branch in branches:
            declared.update(branch.get("properties", {}))
        closed = any(b.get("additionalProperties") is False for b in branches)
        for key, value in data.items():
            if key in declared:
                if not declared[key].get("description"):
                    found.append(f"{where}.{key} (no description)")
                found += undocumented(value, declared[key], f"{where}.{key}")
            elif closed:
                found.append(f"{where}.{key}")
    elif isinstance(data, list):
        for item_schema in (b["items"] for b in branches if "items" in b):
            for index, item in enumerate(data):
                found += undocumented(item, item_schema, f"{where}[{index}]")
    return found


def required_but_not_written(data: Any, node: Json, where: str = "$") -> list[str]:
    """Keys the schema requires that the writer did not emit (the schema ran ahead of it)."""
    found: list[str] = []
    branches = _branches(node, data)
    if isinstance(data, dict):
        for branch in branches:
            found += [f"{where}.{k}" for k in branch.get("required", ()) if k not in data]
            for key, sub in branch.get("properties", {}).items():
                if key in data:
                    found += required_but_not_written(data[key], sub, f"{where}.{key}")
    elif isinstance(data, list):
        for item_schema in (b["items"] for b in branches if "items" in b):
            for index, item in enumerate(data):
                found += required_but_not_written(item, item_schema, f"{where}[{index}]")
    return found


def test_the_schema_documents_every_key_the_writer_writes() -> None:
    """A key added to json_writer without the schema fails here, naming the key."""
    for name, report in samples().items():
        data = json.loads(to_json(report))
        assert undocumented(data, SCHEMA_DOC) == [], name
        assert required_but_not_written(data, SCHEMA_DOC) == [], name


def test_the_walk_finds_an_undocumented_key() -> None:
    """The walk itself can fail: a key in a closed object, deep down, is reported."""
    data = json.loads(to_json(full_report()))
    data["tests"][1]["commands"][0]["cwd"] = "/"
    data["run"]["host_probe"]["anything"] = 1  # free-form: allowed
    data["run"]["expectations"]["owner"] = "me"
    assert undocumented(data, SCHEMA_DOC) == [
        "$.run.expectations.owner",
        "$.tests[1].commands[0].cwd",
    ]


def _described(node: Any, where: str, found: list[str]) -> None:
    """Every declared property and definition has a description (the docs' source of truth)."""
    if not isinstance(node, dict):
        return
    for key, sub in node.get("properties", {}).items():
        if not sub.get("description"):
            found.append(f"{where}.properties.{key}")
        _described(sub, f"{where}.properties.{key}", found)
    for key, sub in node.get("$defs", {}).items():
        if not sub.get("description"):
            found.append(f"{where}.$defs.{key}")
        _described(sub, f"{where}.$defs.{key}", found)
    for key in ("items", "additionalProperties"):
        _described(node.get(key), f"{where}.{key}", found)
    for index, sub in enumerate(node.get("anyOf", ())):
        _described(sub, f"{where}.anyOf[{index}]", found)


def test_every_property_has_a_description() -> None:
    """The descriptions are the reference a reader of the schema alone gets."""
    found: list[str] = []
    _described(SCHEMA_DOC, "$", found)
    assert found == []


def test_the_document_names_every_key() -> None:
    """docs/report-schema.md names (in backticks) every key of the objects rtgate defines."""
    text = DOC.read_text(encoding="utf-8")
    defs = SCHEMA_DOC["$defs"]
    objects = {"(top level)": SCHEMA_DOC} | {
        name: defs[name]
        for name in (
            "run",
            "summary",
            "requirement",
            "test",
            "command",
            "hypothesis_failure",
            "expectation",
            "expectations_file",
            "host_probe",
            "run_hypothesis",
        )
    }
    missing = [
        f"{name}: {key}"
        for name, node in objects.items()
        for key in node["properties"]
        if f"`{key}`" not in text
    ]
    missing += [f"value: {v}" for v in (*OUTCOMES, *LEVELS) if f"`{v}`" not in text]
    assert missing == []
    assert SCHEMA in text
    assert SCHEMA in README.read_text(encoding="utf-8")


def test_the_documents_example_is_a_valid_report() -> None:
    """The example in the document is a whole report, small but real: it validates."""
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, re.DOTALL)
    assert len(blocks) == 1
    assert errors(json.loads(blocks[0])) == []


EXPECTATIONS = """\
subject = "reference"
versions = ""

[[expected]]
requirement = "LC-DESTROY-ORDER"
reason = "an expectation for a requirement the reference passes: it must show up as xpass"
link = "https://rtgate.invalid/issue/1"

[[expected]]
requirement = "LC-DESTROY-CGROUP"
reason = "an expired expectation: it no longer applies"
link = "https://rtgate.invalid/issue/2"
expires = 2000-01-01
"""


def test_a_real_run_writes_a_valid_report(tmp_path: Path) -> None:
    """``rtgate run`` as a user runs it; its compliance.json must validate.

    It exits 1: -k leaves most requirements untested, which fails the verdict.
    """
    rtgate = Path(sys.executable).with_name("rtgate")
    assert rtgate.exists(), f"no console script beside {sys.executable}: pip install -e ."
    expectations_file = tmp_path / "reference.toml"
    expectations_file.write_text(EXPECTATIONS, encoding="utf-8")
    out = tmp_path / "report"
    # the outer pytest's (or xdist worker's) settings must not leak into the inner run
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    argv = [str(rtgate), "run", "--quick", "-k", "test_destroy", "--report-dir", str(out)]
    argv += ["--expectations", str(expectations_file)]
    done = subprocess.run(
        argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    data = json.loads((out / "compliance.json").read_text(encoding="utf-8"))
    assert errors(data) == []
    assert undocumented(data, SCHEMA_DOC) == []
    # it did run something, and the expectation reached the report
    assert data["summary"]["test_counts"]["pass"] > 0
    assert data["run"]["complete"] is True
    xpass = [r for r in data["requirements"] if r["outcome"] == "xpass"]
    assert [r["id"] for r in xpass] == ["LC-DESTROY-ORDER"]
    assert xpass[0]["expectation"]["link"] == "https://rtgate.invalid/issue/1"
    assert list(data["run"]["expectations"]["not_applying"]) == ["LC-DESTROY-CGROUP"]
    # the other formats of the same run are valid in their own terms
    junit_schema().validate(str(out / "junit.xml"))
    cases = parse_ktap((out / "compliance.ktap").read_text(encoding="utf-8"))
    assert len(cases) == len(data["requirements"])
