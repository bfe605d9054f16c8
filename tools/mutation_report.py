"""What ``make mutate`` writes: ``docs/mutation.md`` for people, ``docs/mutation.json`` for the
next run to compare with.

A survivor's fate is ``open`` until someone decides it: ``equivalent`` (no runtime could tell the
mutant from the original; the reason says why) is written by hand in ``docs/mutation-fates.toml``,
and holds only while the mutant's diff still holds the line it names, since mutmut numbers the
mutants of a function anew when the function changes.  A mutant that the last record had alive
and this run kills is ``killed-later``, with the pass that killed it.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import subprocess
import tomllib
from pathlib import Path

__all__ = ["KILLED", "Outcome", "write_report"]

#: mutmut's statuses that count as a kill
KILLED = frozenset({"killed", "timeout"})


@dataclasses.dataclass
class Outcome:
    """One mutant over every pass that ran it."""

    name: str
    module: str
    #: the pass (``profile--preset``) that killed it, or None
    killed_by: str | None = None
    #: mutmut's status of it in each pass, in the order they ran
    statuses: dict[str, str] = dataclasses.field(default_factory=dict)
    diff: str | None = None

    def record(self, step: str, status: str, diff: str | None) -> None:
        self.statuses[step] = status
        if diff is not None:
            self.diff = diff

    @property
    def alive(self) -> bool:
        return self.killed_by is None

    @property
    def function(self) -> str:
        """``reference_impl.states.xǁStoppedStateǁdestroy__mutmut_3``: ``StoppedState.destroy``."""
        mangled = self.name.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)[0]
        if mangled.startswith("x_"):
            return mangled[2:]
        return ".".join(part for part in mangled.split("ǁ")[1:] if part)


def _fates(path: Path) -> dict[str, dict[str, str]]:
    """The hand-written fates: mutant name -> {fate, reason, line}."""
    if not path.exists():
        return {}
    entries = tomllib.loads(path.read_text()).get("mutant", [])
    return {entry["name"]: entry for entry in entries}


def _fate(outcome: Outcome, fates: dict[str, dict[str, str]]) -> str:
    if not outcome.alive:
        return f"killed-later (by {outcome.killed_by})"
    entry = fates.get(outcome.name)
    if entry is None:
        return "open"
    if entry.get("line", "") not in (outcome.diff or ""):
        return f"open (the recorded fate names a line this diff lacks: {entry['line']!r})"
    return f"{entry['fate']} ({entry['reason']})"


def _summary(outcomes: list[Outcome]) -> dict[str, dict[str, int]]:
    """Per module and in total: how many mutants, and how many ended in each status."""
    table: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        final = "killed" if not outcome.alive else list(outcome.statuses.values())[-1]
        for key in (outcome.module, "total"):
            row = table.setdefault(key, {"mutants": 0})
            row["mutants"] += 1
            row[final] = row.get(final, 0) + 1
    return table


def _score(row: dict[str, int]) -> str:
    return f"{100 * row.get('killed', 0) / row['mutants']:.1f}%" if row["mutants"] else "n/a"


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def write_report(outcomes: list[Outcome], run: dict, stem: Path) -> str:
    """Write ``stem.md`` and ``stem.json``; the total score."""
    json_path = stem.with_suffix(".json")
    before = json.loads(json_path.read_text()) if json_path.exists() else {}
    was_alive = {n for n, m in before.get("mutants", {}).items() if m.get("killed_by") is None}
    fates = _fates(stem.parent / f"{stem.name}-fates.toml")
    listed = [o for o in outcomes if o.alive or o.name in was_alive]
    summary = _summary(outcomes)
    record = {
        "generated": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": _commit(),
        "run": run,
        "summary": summary,
        "mutants": {
            o.name: {
                "module": o.module,
                "function": o.function,
                "killed_by": o.killed_by,
                "statuses": o.statuses,
                **({"diff": o.diff, "fate": _fate(o, fates)} if o in listed else {}),
            }
            for o in outcomes
        },
    }
    json_path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(_markdown(record, listed, fates))
    return _score(summary.get("total", {"mutants": 0}))


def _markdown(record: dict, listed: list[Outcome], fates: dict) -> str:
    run = record["run"]
    statuses = sorted({s for row in record["summary"].values() for s in row} - {"mutants"})
    lines = [
        "# Mutation testing of reference_impl",
        "",
        f"Written by `make mutate` on {record['generated']} at commit {record['commit']}: "
        f"modules {', '.join(run['modules'])}; Hypothesis profile "
        f"{'rtgate-quick' if run['quick'] else 'rtgate'}; {run['jobs']} mutants at once; "
        f"{run['seconds']} s of wall time. How it works: `tools/mutate.py`.",
        "",
        "A mutant counts as killed when the suite fails under some pass (profile--preset) its "
        "module is about; a timeout counts as killed.",
        "",
        "| module | mutants | " + " | ".join(statuses) + " | score |",
        "|---|---|" + "---|" * len(statuses) + "---|",
    ]
    for module, row in record["summary"].items():
        cells = " | ".join(str(row.get(s, 0)) for s in statuses)
        lines.append(f"| {module} | {row['mutants']} | {cells} | {_score(row)} |")
    lines += ["", "| pass | seconds |", "|---|---|"]
    lines += [f"| {step} | {seconds} |" for step, seconds in run["passes"].items()]
    lines += ["", f"## Survivors ({sum(o.alive for o in listed)})", ""]
    lines += ["| mutant | module | function | passes run | fate |", "|---|---|---|---|---|"]
    for o in listed:
        tried = ", ".join(f"{step}: {status}" for step, status in o.statuses.items())
        fate = _fate(o, fates)
        lines.append(
            f"| `{o.name.rsplit('.', 1)[-1]}` | {o.module} | `{o.function}` | {tried} | {fate} |"
        )
    lines += ["", "## Diffs", ""]
    for o in listed:
        lines += [f"### `{o.name}`", "", "```diff", (o.diff or "").strip(), "```", ""]
    return "\n".join(lines).rstrip() + "\n"
