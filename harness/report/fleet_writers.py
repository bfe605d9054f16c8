"""The files of a fleet report: ``fleet.json``, ``fleet.md`` and ``fleet.html``.

``fleet.json`` (schema ``rtgate-fleet/1``), keys in this order::

    {
      "schema": "rtgate-fleet/1",
      "created_at": "2025-01-31T12:00:00Z",
      "warnings": ["the reports are of different profiles: ...", ...],
      "hosts": [{"label", "source", "subject", "subject_version", "host", "profile",
                 "features": [...], "verdict", "complete", "started_at",
                 "counts": {outcome: n}}, ...],          # matrix column order
      "groups": [{"label", "features": [...], "hosts": [label, ...]}, ...],
      "requirements": [{"id", "level", "title",
                        "outcomes": {label: outcome or null},   # null: not in its profile
                        "summary": {outcome: n},                # zeros left out
                        "stands_out": bool,
                        "failing_with": [feature, ...], "failing_without": [feature, ...],
                        "messages": {label: message}}, ...]    # of failing hosts only
    }

``fleet.md`` gives the verdict per host, the requirements that stand out with what explains
them, then the whole matrix with one column per host, grouped by features.  ``fleet.html`` is
the same as one self-contained page (inline CSS, no scripts, nothing fetched) rendered from
``templates/fleet.html.j2`` with autoescaping, free text cleaned as compliance.html cleans it.
:func:`write_fleet` writes them atomically, the JSON last, so a reader who finds it finds the
others beside it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.report._atomic import write_text_atomic
from harness.report._templates import environment
from harness.report._text import md_cell
from harness.report.fleet_model import Fleet
from harness.report.fleet_model import FleetHost
from harness.report.fleet_model import FleetRow

__all__ = [
    "FLEET_FILES",
    "FLEET_SCHEMA",
    "to_fleet_html",
    "to_fleet_json",
    "to_fleet_markdown",
    "write_fleet",
]

FLEET_SCHEMA = "rtgate-fleet/1"
_MISSING = "—"
#: more hosts than this and fleet.md's matrix has one column per feature group instead
MAX_HOST_COLUMNS = 12
#: hosts named in one cell of fleet.md before "and N more"
MAX_LISTED = 5


def to_fleet_json(fleet: Fleet) -> str:
    """The shape of the module docstring, ending in a newline."""
    data = {
        "schema": FLEET_SCHEMA,
        "created_at": fleet.created_at,
        "warnings": list(fleet.warnings),
        "hosts": [_host_dict(h) for h in fleet.hosts],
        "groups": [
            {"label": g.label, "features": list(g.features), "hosts": list(g.hosts)}
            for g in fleet.groups
        ],
        "requirements": [_row_dict(row, fleet.hosts) for row in fleet.rows],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _host_dict(host: FleetHost) -> dict[str, Any]:
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
        "messages": dict(row.messages),
    }


def _summary_text(row: FleetRow) -> str:
    return ", ".join(f"{n} {o}" for o, n in row.summary().items())


def _cell(outcome: str | None) -> str:
    if outcome is None:
        return _MISSING
    return f"**{outcome.upper()}**" if outcome in ("fail", "error") else outcome


def to_fleet_markdown(fleet: Fleet) -> str:
    """Verdicts per host, the requirements that stand out, then the matrix."""
    lines = [
        "# rtgate fleet report",
        "",
        f"Made {fleet.created_at} from {len(fleet.hosts)} reports.",
    ]
    if fleet.warnings:
        lines += ["", *(f"> **Warning:** {md_cell(w)}  " for w in fleet.warnings)]
    lines += _md_hosts(fleet) + _md_standing_out(fleet) + _md_matrix(fleet)
    return "\n".join(lines) + "\n"


def _md_hosts(fleet: Fleet) -> list[str]:
    lines = ["", "## Hosts", "", "| Host | Features | Subject | Profile | Verdict | Report |"]
    lines.append("|---" * 6 + "|")
    for host in fleet.hosts:
        verdict = host.verdict.upper() + ("" if host.complete else " (incomplete)")
        lines.append(
            f"| {md_cell(host.label)} | {md_cell(' '.join(host.features) or 'unknown')} "
            f"| {md_cell(host.subject)} {md_cell(host.subject_version)} | {md_cell(host.profile)} "
            f"| {verdict} | {md_cell(host.source)} |"
        )
    return lines


def _md_standing_out(fleet: Fleet) -> list[str]:
    rows = fleet.standing_out
    lines = ["", f"## Standing out ({len(rows)})", ""]
    if not rows:
        return [*lines, "No requirement fails on some hosts and passes on others."]
    lines += [
        "Requirements that fail on some hosts and pass on others, and what the failing hosts "
        "have in common.",
        "",
        "| Requirement | Level | Finding | Failing on | Passing on |",
        "|---" * 5 + "|",
    ]
    for row in rows:
        messages = list(row.messages.items())
        failing = "<br>".join(f"{md_cell(h)}: {md_cell(m)}" for h, m in messages[:MAX_LISTED])
        if len(messages) > MAX_LISTED:
            failing += f"<br>and {len(messages) - MAX_LISTED} more"
        passing = _some(
            [
                h.label
                for h, o in zip(fleet.hosts, row.outcomes, strict=True)
                if o in ("pass", "xpass")
            ]
        )
        lines.append(
            f"| `{row.id}` {md_cell(row.title)} | {row.level} | **{md_cell(row.explanation())}** "
            f"| {failing} | {passing} |"
        )
    return lines


def _md_matrix(fleet: Fleet) -> list[str]:
    group_of = {label: i for i, g in enumerate(fleet.groups, 1) for label in g.hosts}
    lines = ["", "## Matrix", ""]
    lines += [
        f"- **G{i}** ({md_cell(g.label)}): {_some(g.hosts)}" for i, g in enumerate(fleet.groups, 1)
    ]
    if len(fleet.hosts) > MAX_HOST_COLUMNS:
        return lines + _md_group_matrix(fleet)
    heads = [f"{md_cell(h.label)} (G{group_of[h.label]})" for h in fleet.hosts]
    lines += ["", f"| Requirement | Level | {' | '.join(heads)} | Across hosts |"]
    lines.append("|---" * (len(heads) + 3) + "|")
    for row in fleet.rows:
        mark = " ⚑" if row.stands_out else ""
        cells = " | ".join(_cell(o) for o in row.outcomes)
        lines.append(f"| `{row.id}`{mark} | {row.level} | {cells} | {_summary_text(row)} |")
    return lines


def _md_group_matrix(fleet: Fleet) -> list[str]:
    """One column per feature group, each cell the outcomes of its hosts counted: a fleet of
    hundreds of hosts does not fit one column per host (compliance.html and fleet.json have
    every host)."""
    column = {
        h.label: i for i, g in enumerate(fleet.groups) for h in fleet.hosts if h.label in g.hosts
    }
    heads = [f"G{i}" for i in range(1, len(fleet.groups) + 1)]
    lines = [
        "",
        f"{len(fleet.hosts)} hosts: one column per group of hosts with the same features.",
        "",
        f"| Requirement | Level | {' | '.join(heads)} | Across hosts |",
        "|---" * (len(heads) + 3) + "|",
    ]
    for row in fleet.rows:
        per_group: list[Counter[str]] = [Counter() for _ in fleet.groups]
        for host, outcome in zip(fleet.hosts, row.outcomes, strict=True):
            per_group[column[host.label]][outcome or _MISSING] += 1
        cells = " | ".join(_counted(c) for c in per_group)
        mark = " ⚑" if row.stands_out else ""
        lines.append(f"| `{row.id}`{mark} | {row.level} | {cells} | {_summary_text(row)} |")
    return lines


def _counted(outcomes: Counter[str]) -> str:
    """``38 pass, **2 FAIL**``: failures first and loud."""
    order = sorted(outcomes, key=lambda o: (o not in ("fail", "error"), o))
    return ", ".join(
        f"**{outcomes[o]} {o.upper()}**" if o in ("fail", "error") else f"{outcomes[o]} {o}"
        for o in order
    )


def _some(labels: Sequence[str], shown: int = MAX_LISTED) -> str:
    """Host labels for a line of text: the first few, then how many more."""
    text = ", ".join(md_cell(label) for label in labels[:shown])
    return text + (f" and {len(labels) - shown} more" if len(labels) > shown else "")


def to_fleet_html(fleet: Fleet) -> str:
    """One self-contained page: inline CSS, no scripts, every value escaped."""
    template = environment().get_template("fleet.html.j2")
    cells = {row.id: list(zip(fleet.hosts, row.outcomes, strict=True)) for row in fleet.rows}
    return template.render(
        fleet=fleet,
        cells=cells,
        summaries={row.id: _summary_text(row) for row in fleet.rows},
        group_starts={g.hosts[0] for g in fleet.groups},
        missing=_MISSING,
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
    return [write_text_atomic(target / name, writer(fleet)) for name, writer in FLEET_FILES.items()]
