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

__all__ = [
    "KILLED",
    "NOT_REACHED",
    "SETTLED",
    "Outcome",
    "load_fates",
    "order",
    "render",
    "settled",
    "write_report",
]

#: mutmut's statuses that count as a kill
KILLED = frozenset({"killed", "timeout"})
#: a pass did not run the mutant: none of its tests reaches the lines the mutant changes
NOT_REACHED = "not reached"


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


def order(name: str) -> tuple[str, int]:
    """Sort key of a mutant's name: by function, then by mutmut's number (2 before 10)."""
    stem, _, number = name.rpartition("__mutmut_")
    return (stem, int(number)) if number.isdigit() else (name, 0)


def _fates(path: Path) -> dict[str, dict[str, str]]:
    """The hand-written fates: mutant name -> {fate, reason, line}."""
    if not path.exists():
        return {}
    entries = tomllib.loads(path.read_text()).get("mutant", [])
    return {entry["name"]: entry for entry in entries}


#: fates that no rule can change, so a run need not test the mutant again
SETTLED = frozenset({"equivalent", "unspecified"})


def fates_path(stem: Path) -> Path:
    """Where the fates of the report ``stem`` are written by hand: ``docs/mutation-fates.toml``."""
    return stem.parent / f"{stem.name}-fates.toml"


def load_fates(path: Path) -> dict[str, dict[str, str]]:
    """The hand-written fates of ``path`` (``docs/mutation-fates.toml``), by mutant name."""
    return _fates(path)


def settled(name: str, diff: str, fates: dict[str, dict[str, str]]) -> bool:
    """Whether ``name`` has a fate no rule can change that still holds for ``diff``."""
    entry = fates.get(name)
    return entry is not None and entry["fate"] in SETTLED and entry.get("line", "") in diff


def _fate(name: str, mutant: dict, fates: dict[str, dict[str, str]]) -> str:
    if mutant["killed_by"] is not None:
        return f"killed-later (by {mutant['killed_by']})"
    entry = fates.get(name)
    if entry is None:
        return "open"
    if entry.get("line", "") not in (mutant.get("diff") or ""):
        return f"open (the recorded fate names a line this diff lacks: {entry['line']!r})"
    return f"{entry['fate']} ({entry['reason']})"


def _summary(outcomes: list[Outcome]) -> dict[str, dict[str, int]]:
    """Per module and in total: how many mutants, and how many ended in each status."""
    table: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        final = "killed" if not outcome.alive else _final(outcome.statuses)
        for key in (outcome.module, "total"):
            row = table.setdefault(key, {"mutants": 0})
            row["mutants"] += 1
            row[final] = row.get(final, 0) + 1
    return table


def _final(statuses: dict[str, str]) -> str:
    """A living mutant's status over its passes: survived if some pass ran all its tests,
    else the last status a pass that reached it gave ("not reached" when none did)."""
    if "survived" in statuses.values():
        return "survived"
    reached = [s for s in statuses.values() if s != NOT_REACHED]
    return reached[-1] if reached else NOT_REACHED


def _score(row: dict[str, int]) -> str:
    return f"{100 * row.get('killed', 0) / row['mutants']:.1f}%" if row["mutants"] else "n/a"


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def write_report(
    outcomes: list[Outcome], run: dict, stem: Path, before: dict, fates: Path | None = None
) -> str:
    """Write ``stem.json`` and, from it, ``stem.md``; the total score.  ``before`` is the
    record of the last run, whose survivors this one may kill; ``fates`` the fates file
    (by default the stem's own, :func:`fates_path`)."""
    json_path = stem.with_suffix(".json")
    was_alive = {n for n, m in before.get("mutants", {}).items() if m.get("killed_by") is None}
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
                "listed": o.alive or o.name in was_alive,
                **({"diff": o.diff} if o.diff is not None else {}),
            }
            for o in sorted(outcomes, key=lambda o: order(o.name))
        },
    }
    json_path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    render(stem, fates)
    return _score(summary.get("total", {"mutants": 0}))


def render(stem: Path, fates_file: Path | None = None) -> None:
    """``stem.md`` from ``stem.json`` and the fates written by hand, in ``fates_file`` or the
    stem's own (run again after editing them: ``python -m tools.mutate --render``)."""
    record = json.loads(stem.with_suffix(".json").read_text())
    fates = _fates(fates_file or fates_path(stem))
    stem.with_suffix(".md").write_text(_markdown(record, fates))


def _passes(record: dict) -> list[str]:
    """One row per pass: how many mutants it ran, how many it killed, how long it took."""
    rows = ["| pass (profile--preset) | mutants run | killed there | seconds |"]
    rows.append("|---|---|---|---|")
    for step, seconds in record["run"]["passes"].items():
        ran = [m for m in record["mutants"].values() if step in m["statuses"]]
        killed = sum(m["killed_by"] == step for m in ran)
        rows.append(f"| {step} | {len(ran)} | {killed} | {seconds} |")
    return rows


def _survivors(record: dict, fates: dict) -> list[str]:
    listed = {name: m for name, m in record["mutants"].items() if m.get("listed")}
    alive = sum(m["killed_by"] is None for m in listed.values())
    rows = [f"## Survivors ({alive} alive; killed-later: alive in the last record)", ""]
    rows += ["| mutant | module | function | status in each pass | fate |", "|---|---|---|---|---|"]
    for name, m in listed.items():
        tried = ", ".join(f"{step}: {status}" for step, status in m["statuses"].items())
        short = name.rsplit(".", 1)[-1]
        rows.append(f"| `{short}` | {m['module']} | `{m['function']}` | {tried} | "
                    f"{_fate(name, m, fates)} |")  # fmt: skip
    rows += ["", "## Their diffs", ""]
    for name, m in listed.items():
        rows += [f"### `{name}`", "", "```diff", (m.get("diff") or "").strip(), "```", ""]
    return rows


def _partial(run: dict) -> list[str]:
    if not run.get("not_yet_run"):
        return []
    return [
        f"**Partial:** the run was stopped; these passes did not run or did not finish: "
        f"{', '.join(run['not_yet_run'])}. A survivor below may still die in one of them, and "
        "a mutant the stopped pass had not checked yet is not counted.",
        "",
    ]


def _settled_by_module(record: dict, fates: dict) -> dict[str, int]:
    """Per module and in total: the survivors whose fate no rule can change."""
    counts: dict[str, int] = {}
    for name, m in record["mutants"].items():
        if m["killed_by"] is None and settled(name, m.get("diff") or "", fates):
            for key in (m["module"], "total"):
                counts[key] = counts.get(key, 0) + 1
    return counts


def _only(run: dict) -> str:
    """`` (cli: only _update, _features)`` for a run restricted by ``--only``."""
    only = run.get("only") or {}
    said = "; ".join(f"{m}: only {', '.join(fs)}" for m, fs in only.items())
    return f" ({said})" if said else ""


def _markdown(record: dict, fates: dict) -> str:
    run = record["run"]
    statuses = sorted({s for row in record["summary"].values() for s in row} - {"mutants"})
    lines = [
        "# Mutation testing of reference_impl",
        "",
        f"Written by `make mutate` on {record['generated']} at commit {record['commit']}: "
        f"modules {', '.join(run['modules'])}{_only(run)}; Hypothesis profile "
        f"{'rtgate-quick' if run['quick'] else 'rtgate'}; {run['jobs']} mutants at once; "
        f"{run['seconds']} s of wall time. How it works: `tools/mutate.py`.",
        "",
        *_partial(run),
        "A mutant counts as killed when a test of the suite fails under some pass "
        "(profile--preset) its module is about (a test, never the verdict of the tests chosen: "
        "`tools/mutant_order.py`); a timeout counts as killed when the mutant, run again "
        "alone, times out again. The score is killed over all mutants "
        "(a mutant no test reaches counts against it); the last column leaves out the "
        "survivors whose fate below is equivalent or unspecified (no rule can kill them), "
        "and a fated mutant is one such that the run did not test again.",
        "",
        "| module | mutants | " + " | ".join(statuses) + " | score | equivalent or unspecified "
        "| score without them |",
        "|---|---|" + "---|" * len(statuses) + "---|---|---|",
    ]
    beyond = _settled_by_module(record, fates)
    rows = sorted(record["summary"].items(), key=lambda item: item[0] == "total")
    for module, row in rows:
        cells = " | ".join(str(row.get(s, 0)) for s in statuses)
        out = beyond.get(module, 0)
        rest = {**row, "mutants": row["mutants"] - out}
        lines.append(
            f"| {module} | {row['mutants']} | {cells} | {_score(row)} | {out} | {_score(rest)} |"
        )
    lines += ["", *_passes(record), "", *_survivors(record, fates)]
    return "\n".join(lines).rstrip() + "\n"
