"""Several runs of a host in one fleet: which runs are one node's, since when a requirement
fails, where it flaps, and what the files say of it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from harness.report.fleet_history import GroupFinding
from harness.report.fleet_history import NodeHistory
from harness.report.fleet_history import group_findings
from harness.report.fleet_model import build_fleet
from harness.report.fleet_model import kernel_of
from harness.report.fleet_writers import to_fleet_json
from harness.report.fleet_writers import to_fleet_markdown
from harness.report.formats import write_all
from harness.report.model import Outcome
from harness.report.model import Report
from tests.report._fleet_runs import simulated_run

NOW = "2026-12-03T08:00:00Z"
D1, D2, D3 = "2026-12-01T02:00:00Z", "2026-12-02T02:00:00Z", "2026-12-03T02:00:00Z"
RDT = "CLI-RDT-GROUP"


def _history(*outcomes: Outcome | None) -> NodeHistory:
    starts = tuple(f"2026-12-0{n}T02:00:00Z" for n in range(1, len(outcomes) + 1))
    return NodeHistory("n", outcomes, tuple(f"n@{s}" for s in starts), starts)


@pytest.mark.parametrize(
    ("outcomes", "since", "flips"),
    [
        (("pass", "fail", "fail"), 1, 1),
        (("fail", "fail"), 0, 0),
        (("fail", "pass"), None, 1),
        (("pass", "fail", "pass"), None, 2),
        (("fail", "pass", "fail"), 2, 2),
        # a skip, an xfail or a run without it neither starts nor ends a failure
        (("pass", "fail", "skip", None, "error"), 1, 1),
        (("pass", "skip", "pass"), None, 0),
        (("xfail", "fail"), 1, 0),
        ((), None, 0),
    ],
)
def test_since_and_flips(
    outcomes: tuple[Outcome | None, ...], since: int | None, flips: int
) -> None:
    history = _history(*outcomes)
    assert history.failing_since() == since
    assert history.flips() == flips
    assert history.flapping == (flips >= 2)


def test_a_group_finding_names_the_earliest_failure_and_the_flapping_nodes() -> None:
    early = NodeHistory("a", ("fail", "fail"), ("a@1", "a@2"), (D1, D2))
    late = NodeHistory("b", ("pass", "fail"), ("b@1", "b@2"), (D1, D2))
    flapping = NodeHistory("c", ("pass", "fail", "pass"), ("c@1", "c@2", "c@3"), (D1, D2, D3))
    gone = NodeHistory("d", ("pass", None), ("d@1", "d@2"), (D1, D2))
    (finding,) = group_findings([early, late, flapping, gone], [("g", ("a", "b", "c", "d"))])
    assert finding == GroupFinding("g", ("a", "b"), 3, "a@1", D1, ("c",))
    assert finding.sentence() == "fails on 2 of 3 nodes since 2026-12-01 (run a@1); flapping on c"


def test_a_group_where_nothing_fails_now_or_flaps_has_no_finding() -> None:
    fixed = NodeHistory("a", ("fail", "pass"), ("a@1", "a@2"), (D1, D2))
    assert group_findings([fixed], [("g", ("a",))]) == ()


def _runs(*runs: tuple[str, str, str]) -> list[tuple[Path, Report]]:
    """(preset, started_at, outcome of CLI-RDT-GROUP) -> what build_fleet takes."""
    return [
        (Path(f"/r/{preset}-{at}/compliance.json"), simulated_run(preset, at, {RDT: outcome}))
        for preset, at, outcome in runs
    ]


def test_runs_of_one_host_are_one_column_its_latest() -> None:
    fleet = build_fleet(
        _runs(("v1-cat", D2, "fail"), ("xeon-cdp", D1, "pass"), ("v1-cat", D1, "pass")), NOW
    )
    # groups in the order of their features: "cat-l3 ..." (v1-cat) before "cdp ..." (xeon-cdp)
    assert [h.label for h in fleet.hosts] == ["v1-cat", "xeon-cdp"]
    v1 = fleet.hosts[0]
    assert v1.runs == (f"v1-cat@{D1}", f"v1-cat@{D2}")
    assert (v1.started_at, v1.verdict) == (D2, "fail")
    assert [r.id for r in fleet.runs] == [*v1.runs, f"xeon-cdp@{D1}"]
    (row,) = fleet.rows
    assert row.outcomes == ("fail", "pass")
    assert [h.outcomes for h in row.history] == [("pass", "fail"), ("pass",)]
    assert fleet.has_history
    assert fleet.warnings == ()


def test_other_subjects_or_the_same_start_time_are_other_hosts() -> None:
    first, again = _runs(("v1-cat", D1, "pass"), ("v1-cat", D1, "fail"))
    path, report = _runs(("v1-cat", D2, "pass"))[0]
    crun = dataclasses.replace(report, run=dataclasses.replace(report.run, subject="oci:crun"))
    fleet = build_fleet([first, again, (path, crun)], NOW)
    assert [h.label for h in fleet.hosts] == ["v1-cat", "v1-cat#2", "v1-cat#3"]
    assert all(len(h.runs) == 1 for h in fleet.hosts)
    assert not fleet.has_history


def test_kernel_comes_from_the_probe_of_a_real_host() -> None:
    report = simulated_run("v1-cat", D1, {RDT: "pass"})
    assert kernel_of(report.run) == "simulated"
    real = dataclasses.replace(
        report.run, host="real", host_probe={"hostname": "node-7", "kernel": "6.1.0-18-amd64"}
    )
    assert kernel_of(real) == "6.1.0-18-amd64"
    assert kernel_of(dataclasses.replace(real, host_probe={})) == "unknown"
    fleet = build_fleet([(Path("a/compliance.json"), dataclasses.replace(report, run=real))], NOW)
    assert fleet.hosts[0].label == "node-7"
    assert fleet.hosts[0].kernel == "6.1.0-18-amd64"


def test_links_are_relative_to_the_fleet_and_only_to_files_that_exist(tmp_path: Path) -> None:
    report = simulated_run("v1-cat", D1, {RDT: "pass"})
    full = write_all(report, tmp_path / "runs" / "full")[-1]
    bare = tmp_path / "runs" / "bare" / "old-run.json"
    bare.parent.mkdir()
    bare.write_text(full.read_text())
    (bare.parent / "compliance.html").write_text("another run's page")
    fleet = build_fleet([(full, report), (bare, report)], NOW, links_from=tmp_path / "fleet")
    assert fleet.hosts[0].links == {
        "html": "../runs/full/compliance.html",
        "md": "../runs/full/compliance.md",
        "json": "../runs/full/compliance.json",
    }
    assert fleet.hosts[1].links == {"json": "../runs/bare/old-run.json"}, "not another's page"
    unplaced = build_fleet([(full, report), (bare, report)], NOW)
    assert unplaced.hosts[0].links["json"] == full.as_posix()


def test_the_json_adds_history_and_keeps_the_first_shape() -> None:
    fleet = build_fleet(
        _runs(("v1-cat", D1, "pass"), ("v1-cat", D2, "fail"), ("xeon-cdp", D2, "pass")), NOW
    )
    data = json.loads(to_fleet_json(fleet))
    assert list(data) == ["schema", "created_at", "warnings", "hosts", "groups", "requirements"]
    host = next(h for h in data["hosts"] if h["label"] == "v1-cat")
    assert list(host)[-4:] == ["counts", "kernel", "links", "runs"]
    assert [r["id"] for r in host["runs"]] == [f"v1-cat@{D1}", f"v1-cat@{D2}"]
    assert host["runs"][0]["verdict"] == "pass"
    (row,) = data["requirements"]
    assert list(row)[:10] == [
        "id",
        "level",
        "title",
        "outcomes",
        "summary",
        "stands_out",
        "failing_with",
        "failing_without",
        "explanation",
        "messages",
    ]
    assert row["history"] == {"xeon-cdp": ["pass"], "v1-cat": ["pass", "fail"]}
    assert row["failing_since"] == {"v1-cat": f"v1-cat@{D2}"}
    assert row["flapping"] == []
    assert row["explanation"] == (
        "fails only on hosts with cat-l3 (equally: without cdp; without cdp-capable)"
    )
    (finding,) = row["findings"]
    assert finding["sentence"] == f"fails on 1 of 1 node since 2026-12-02 (run v1-cat@{D2})"


def test_markdown_without_history_says_so() -> None:
    fleet = build_fleet(_runs(("v1-cat", D1, "fail"), ("v2-cat", D1, "pass")), NOW)
    text = to_fleet_markdown(fleet)
    assert "## History (1)\n\nEach host was given one run: there is no history to show." in text
    assert "## Runs" not in text
    assert "| simulated | 0.1.0 | 1 | /r/v1-cat-" in text, "kernel, runtime, runs, source"
