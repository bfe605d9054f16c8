"""A fleet over time: 13 simulated runs of six presets on two dates, merged by the CLI and read
in a real browser the way an operator reads it at night.

The story the runs tell (made by :mod:`tests.report._fleet_runs` as ``rtgate run`` makes them):
runtime 1.2.0 came on 2026-12-02 and broke CLI-RDT-GROUP on both plain CAT hosts; it flaps on
xeon-cdp (pass, fail, pass: three runs); CLI-DELETE-CGROUP-BUSY-ONCE has failed on the hosts
without RDT since the first day.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from tests.report._browser import browser
from tests.report._browser import unavailable
from tests.report._fleet_runs import simulated_run
from tests.report._fleet_runs import write_run

DAY1, DAY1_LATE, DAY2 = "2026-12-01T02:00:00Z", "2026-12-01T14:00:00Z", "2026-12-02T02:00:00Z"
RDT, BUSY, PRECEDENCE = "CLI-RDT-GROUP", "CLI-DELETE-CGROUP-BUSY-ONCE", "LC-DESTROY-FIRST-ERROR-RDT"
PLAIN_GROUP = "cat-l3 cgroup-v1 resctrl"


def _runs() -> list[tuple[str, str, str, dict[str, str]]]:
    """(preset, started_at, runtime version, outcomes) of every run, in no particular order."""
    fine = {RDT: "pass", BUSY: "pass", PRECEDENCE: "pass"}
    broken_rdt = {**fine, RDT: "fail"}
    no_rdt = {RDT: "skip", BUSY: "fail", PRECEDENCE: "pass"}
    runs = []
    for preset in ("v1-cat", "small-closids", "xeon-2s-cat-mba", "xeon-cdp"):
        later = DAY2.replace("02:00", "02:30") if preset == "small-closids" else DAY2
        runs.append((preset, DAY1, "1.1.12", fine))
        runs.append((preset, later, "1.2.0", fine if preset.startswith("xeon") else broken_rdt))
    runs.append(("xeon-cdp", DAY1_LATE, "1.1.12", broken_rdt))
    for preset in ("no-rdt", "hybrid-no-rdt"):
        runs += [(preset, DAY1, "1.1.12", no_rdt), (preset, DAY2, "1.2.0", no_rdt)]
    return runs


@pytest.fixture(scope="module")
def merging(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The fleet directory ``rtgate report merge`` wrote from the runs' report directories,
    and what it printed."""
    root = tmp_path_factory.mktemp("fleet-over-time")
    sources = [
        write_run(root / "runs", f"{preset}-{started[:13]}", simulated_run(preset, started, out, v))
        for preset, started, v, out in _runs()
    ]
    assert len(sources) >= 12
    argv = ["report", "merge", *(str(s.parent) for s in sources), "--out", str(root / "fleet")]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(argv) == 0
    return root / "fleet", printed.getvalue()


@pytest.fixture
def merged(merging: tuple[Path, str]) -> Path:
    return merging[0]


def test_merge_prints_each_host_s_runs_and_what_fails_since_when(
    merging: tuple[Path, str],
) -> None:
    lines = merging[1].splitlines()
    assert "xeon-cdp         PASS  cdp cdp-capable cgroup-v1 resctrl  (3 runs)" in lines
    assert "requirements failing now or flapping: 2" in lines
    assert (
        f"  {RDT} on {PLAIN_GROUP}: fails on 2 of 2 nodes since 2026-12-02 (run v1-cat@{DAY2})"
        in lines
    )
    assert lines[-1] == str(merging[0] / "fleet.json")


def _requirement(merged: Path, rid: str) -> dict[str, Any]:
    data = json.loads((merged / "fleet.json").read_text())
    found: dict[str, Any] = next(r for r in data["requirements"] if r["id"] == rid)
    return found


def test_the_json_has_each_node_s_runs_and_each_requirement_s_history(merged: Path) -> None:
    data = json.loads((merged / "fleet.json").read_text())
    runs = {h["label"]: [r["started_at"] for r in h["runs"]] for h in data["hosts"]}
    assert runs["xeon-cdp"] == [DAY1, DAY1_LATE, DAY2], "oldest first, the column the latest"
    assert len(data["hosts"]) == 6
    assert sum(len(r) for r in runs.values()) == 13
    rdt = _requirement(merged, RDT)
    assert rdt["history"]["xeon-cdp"] == ["pass", "fail", "pass"]
    assert rdt["flapping"] == ["xeon-cdp"]
    assert rdt["failing_since"] == {
        "v1-cat": f"v1-cat@{DAY2}",
        "small-closids": f"small-closids@{DAY2.replace('02:00', '02:30')}",
    }
    plain = next(f for f in rdt["findings"] if f["group"] == PLAIN_GROUP)
    assert plain["sentence"] == f"fails on 2 of 2 nodes since 2026-12-02 (run v1-cat@{DAY2})"
    assert rdt["messages"]["v1-cat"] == "delete left the group", "pytest's explanation is out"


def test_the_links_lead_to_each_run_s_own_report(merged: Path) -> None:
    data = json.loads((merged / "fleet.json").read_text())
    for host in data["hosts"]:
        for run in host["runs"]:
            assert sorted(run["links"]) == ["html", "json", "md"]
            for link in run["links"].values():
                assert not Path(link).is_absolute()
                assert (merged / link).is_file(), link
        assert host["links"] == host["runs"][-1]["links"]


@pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))
def test_history_and_groups_show_in_a_browser(merged: Path) -> None:
    with browser() as driver:
        driver.open((merged / "fleet.html").as_uri())
        page = driver.evaluate(
            """(() => {
                const rows = sel => [...document.querySelectorAll(sel)];
                const cells = tr => [...tr.children].map(c => c.innerText.trim());
                return {
                    text: document.body.innerText,
                    history: rows('table.history tbody tr').map(cells),
                    groups: rows('.matrix th.group').map(th => th.innerText.trim()),
                    hosts: rows('table.hosts tbody tr').map(cells),
                    links: rows('table.runs a').map(a => a.href),
                };
            })()"""
        )
        assert driver.errors == []
    history = {(row[0], row[1]): row for row in page["history"]}
    plain = history[(RDT, PLAIN_GROUP)]
    assert plain[2] == f"fails on 2 of 2 nodes since 2026-12-02 (run v1-cat@{DAY2})"
    assert "v1-cat: pass → fail" in plain[3]
    cdp = next(row for (rid, group), row in history.items() if rid == RDT and "cdp " in group)
    assert cdp[2] == "flapping on xeon-cdp"
    assert "xeon-cdp: pass → fail → pass" in cdp[3]
    busy = sorted(row[2] for (rid, _), row in history.items() if rid == BUSY)
    assert busy == [
        f"fails on 1 of 1 node since 2026-12-01 (run {preset}@{DAY1})"
        for preset in ("hybrid-no-rdt", "no-rdt")
    ]
    assert PLAIN_GROUP in page["groups"] and len(page["groups"]) == 5
    xeon = next(row for row in page["hosts"] if row[0] == "xeon-cdp")
    assert xeon[5:8] == ["simulated", "1.2.0", "3"], "kernel, runtime, runs"
    assert "fails only on hosts without RDT" in page["text"]
    assert "no-rdt;" not in page["text"] and "without no-rdt" not in page["text"]
    assert "where True" not in page["text"] and "AssertionError" not in page["text"]
    assert len(page["links"]) == 13 * 3
    assert (merged.parent / "runs" / "xeon-cdp-2026-12-01T14" / "compliance.html").as_uri() in (
        page["links"]
    )
