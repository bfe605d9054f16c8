"""The files of a fleet report: ``fleet.json``, ``fleet.md`` and ``fleet.html``.

``fleet.json`` (schema ``rtgate-fleet/1``), keys in this order::

    {
      "schema": "rtgate-fleet/1",
      "created_at": "2025-01-31T12:00:00Z",
      "warnings": ["the reports are of different profiles: ...", ...],
      "hosts": [{"label", "source", "subject", "subject_version", "host", "profile",
                 "features": [...], "verdict", "complete", "started_at",
                 "counts": {outcome: n},
                 "kernel": "6.1.0-18-amd64" | "simulated" | "unknown",
                 "links": {"html": path, "md": path, "json": path},   # those that exist
                 "runs": [{"id": "<label>@<started_at>", "source", "started_at",
                           "subject_version", "kernel", "verdict", "complete",
                           "links": {...}}, ...]},     # oldest first; the last is the column
                ...],                                  # matrix column order
      "groups": [{"label", "features": [...], "hosts": [label, ...]}, ...],
      "requirements": [{"id", "level", "title",
                        "outcomes": {label: outcome or null},   # null: not in its profile
                        "summary": {outcome: n},                # zeros left out
                        "stands_out": bool,
                        "failing_with": [feature, ...], "failing_without": [feature, ...],
                        "explanation": "fails only on hosts with cdp" or null,
                        "messages": {label: message},  # of failing hosts only, pytest noise out
                        "history": {label: [outcome or null, ...]},  # one per run in its "runs"
                        "failing_since": {label: run id},  # hosts failing in their latest run
                        "flapping": [label, ...],
                        "findings": [{"group", "failing": [label, ...], "nodes": n,
                                      "since_run", "since_at", "flapping": [label, ...],
                                      "sentence"}, ...]}, ...]
    }

A host's ``kernel``, ``links`` and ``runs`` and a requirement's ``explanation``, ``history``,
``failing_since``, ``flapping`` and ``findings`` came later within ``rtgate-fleet/1`` (added
keys keep the schema string): fleet files of older rtgates lack them.  Links
are paths relative to the fleet report's directory (``rtgate report merge`` knows it), or the
paths as given when the fleet was built without one.

``fleet.md`` (:mod:`harness.report.fleet_markdown`) and ``fleet.html`` say the same for people;
``fleet.html`` is one self-contained page (inline CSS, no scripts, nothing fetched) rendered
from ``templates/fleet.html.j2`` with autoescaping, free text cleaned as compliance.html cleans
it.  :func:`write_fleet` writes them atomically, the JSON last, so a reader who finds it finds
the others beside it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from harness.report._atomic import write_texts_atomic
from harness.report._templates import environment
from harness.report.fleet_markdown import MISSING
from harness.report.fleet_markdown import summary_text
from harness.report.fleet_markdown import to_fleet_markdown
from harness.report.fleet_model import Fleet
from harness.report.fleet_model import FleetHost
from harness.report.fleet_model import FleetRow
from harness.report.fleet_model import FleetRun

__all__ = [
    "FLEET_FILES",
    "FLEET_SCHEMA",
    "to_fleet_html",
    "to_fleet_json",
    "to_fleet_markdown",
    "write_fleet",
]

FLEET_SCHEMA = "rtgate-fleet/1"


def to_fleet_json(fleet: Fleet) -> str:
    """The shape of the module docstring, ending in a newline."""
    runs = {run.id: run for run in fleet.runs}
    data = {
        "schema": FLEET_SCHEMA,
        "created_at": fleet.created_at,
        "warnings": list(fleet.warnings),
        "hosts": [_host_dict(h, [runs[i] for i in h.runs]) for h in fleet.hosts],
        "groups": [
            {"label": g.label, "features": list(g.features), "hosts": list(g.hosts)}
            for g in fleet.groups
        ],
        "requirements": [_row_dict(row, fleet.hosts) for row in fleet.rows],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _host_dict(host: FleetHost, runs: list[FleetRun]) -> dict[str, Any]:
    return {
        "label": host.label,
        "source": host.source,
        "subject": host.subject,
        "subject_version": host.subject_version,
        "host": host.host,
        "profile": host.profile,
        "features": list(host.features),
        "verdict": host.verdict,
        "complete": host.complete,
        "started_at": host.started_at,
        "counts": dict(host.counts),
        "kernel": host.kernel,
        "links": dict(host.links),
        "runs": [_run_dict(run) for run in runs],
    }


def _run_dict(run: FleetRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "source": run.source,
        "started_at": run.started_at,
        "subject_version": run.subject_version,
        "kernel": run.kernel,
        "verdict": run.verdict,
        "complete": run.complete,
        "links": dict(run.links),
    }


def _row_dict(row: FleetRow, hosts: tuple[FleetHost, ...]) -> dict[str, Any]:
    return {
        "id": row.id,
        "level": row.level,
        "title": row.title,
        "outcomes": {h.label: o for h, o in zip(hosts, row.outcomes, strict=True)},
        "summary": row.summary(),
        "stands_out": row.stands_out,
        "failing_with": list(row.failing_with),
        "failing_without": list(row.failing_without),
        "explanation": row.explanation() if row.stands_out else None,
        "messages": dict(row.messages),
        "history": {h.node: list(h.outcomes) for h in row.history},
        "failing_since": {
            h.node: h.runs[since] for h in row.history if (since := h.failing_since()) is not None
        },
        "flapping": list(row.flapping),
        "findings": [
            {
                "group": f.group,
                "failing": list(f.failing),
                "nodes": f.nodes,
                "since_run": f.since_run,
                "since_at": f.since_at,
                "flapping": list(f.flapping),
                "sentence": f.sentence(),
            }
            for f in row.findings
        ],
    }


def to_fleet_html(fleet: Fleet) -> str:
    """One self-contained page: inline CSS, no scripts, every value escaped."""
    template = environment().get_template("fleet.html.j2")
    cells = {row.id: list(zip(fleet.hosts, row.outcomes, strict=True)) for row in fleet.rows}
    return template.render(
        fleet=fleet,
        cells=cells,
        summaries={row.id: summary_text(row) for row in fleet.rows},
        group_starts={g.hosts[0] for g in fleet.groups},
        groups={g.label: g for g in fleet.groups},
        missing=MISSING,
    )


#: file name -> writer; the JSON last (see the module docstring)
FLEET_FILES = {
    "fleet.md": to_fleet_markdown,
    "fleet.html": to_fleet_html,
    "fleet.json": to_fleet_json,
}


def write_fleet(fleet: Fleet, directory: str | os.PathLike[str]) -> list[Path]:
    """Write every file of the fleet report into ``directory`` (made if missing)."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    return write_texts_atomic(
        [(target / name, writer(fleet)) for name, writer in FLEET_FILES.items()]
    )
