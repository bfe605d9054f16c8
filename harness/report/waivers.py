"""An expectations file written from a run's failures (``rtgate expectations update``), as
wptrunner's update-expectations writes its metadata: nothing is asked, nothing is lost.

An existing file is kept byte for byte (its entries, reasons, links and comments); entries for
the run's new failures are appended, each with a reason and a link still to be filled in
(:data:`TO_FILL_IN`), which a strict or certifying run refuses, so a waiver nobody explained
cannot hold a gate open.  A failure the file already lists for the run's profile is left as it
is, also when that entry did not apply to the run (then it is said why, rather than listed a
second time, which the file format forbids).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re

from harness.report.expectations import ExpectationSet
from harness.report.model import Report
from harness.report.model import RequirementResult

__all__ = ["TO_FILL_IN", "Update", "is_unexplained", "plan_update", "render_update"]

#: how a new entry's reason and link begin until a person explains the failure
TO_FILL_IN = "TO FILL IN"


def is_unexplained(text: str) -> bool:
    """Whether a reason or link is still the placeholder an update wrote."""
    return text.strip().startswith(TO_FILL_IN)


@dataclasses.dataclass(frozen=True, slots=True)
class Update:
    """What an update does: the entries it adds, and what it says of the rest."""

    added: tuple[RequirementResult, ...]
    #: one line per failure left alone or entry gone stale, for the person running it
    notes: tuple[str, ...]


def plan_update(report: Report, existing: ExpectationSet | None) -> Update:
    """The run's failures and errors that ``existing`` does not list for its profile."""
    profile = report.run.profile
    listed = {
        entry.requirement: entry
        for entry in (existing.entries if existing else ())
        if not entry.profiles or profile in entry.profiles
    }
    not_applying = report.run.expectations.get("not_applying", {}) if existing else {}
    added, notes = [], []
    for result in report.requirements:
        entry = listed.get(result.id)
        if result.outcome in ("fail", "error"):
            if entry is None:
                added.append(result)
            else:
                why = not_applying.get(result.id, "it did not apply to this run")
                notes.append(f"{result.id}: {result.outcome}, listed at line {entry.line}: {why}")
        elif result.outcome == "xpass":
            notes.append(f"{result.id}: passed though listed: the entry may be stale")
    return Update(tuple(added), tuple(notes))


def render_update(report: Report, update: Update, existing_text: str | None) -> str:
    """The file after the update: ``existing_text`` (or a new file's header) and one
    ``[[expected]]`` table per added failure."""
    text = existing_text if existing_text is not None else _new_file(report)
    if not update.added:
        return text
    day = datetime.datetime.now(datetime.UTC).date().isoformat()
    blocks = [_entry(result, report, day) for result in update.added]
    joiner = "" if text.endswith("\n\n") or not text else ("\n" if text.endswith("\n") else "\n\n")
    return text + joiner + "\n".join(blocks)


def _new_file(report: Report) -> str:
    run = report.run
    subject = run.subject.removeprefix("oci:").rsplit("/", 1)[-1]
    return (
        f"# Expectations of {subject}, written by 'rtgate expectations update' from a run of"
        f" {day_of(run.started_at)}:\n#   {run.command or 'rtgate run'}\n"
        "# Fill in each reason and link before a strict gate uses the file.\n"
        f"subject = {_string(subject)}\n"
        f"versions = {_string(_versions(run.subject_version))}\n\n"
    )


def day_of(started_at: str) -> str:
    """The date of a report's ``started_at`` (``2026-12-06T10:11:12Z``)."""
    return started_at.partition("T")[0] or "an unknown day"


def _versions(version: str) -> str:
    """The version's minor series (``>=1.1,<1.2`` for ``runc version 1.1.5+ds1``); "" (any)
    when there is no version to read."""
    found = re.search(r"(\d+)\.(\d+)", version or "")
    if found is None:
        return ""
    major, minor = int(found.group(1)), int(found.group(2))
    return f">={major}.{minor},<{major}.{minor + 1}"


def _entry(result: RequirementResult, report: Report, day: str) -> str:
    said = (result.message or "").strip().splitlines()
    measured = f"measured {day} ({report.run.profile} profile): {result.outcome}"
    if said:
        measured += f": {said[0][:200]}"
    return (
        "[[expected]]\n"
        f"requirement = {_string(result.id)}\n"
        f"reason = {_string(f'{TO_FILL_IN}: why the runtime fails this; {measured}')}\n"
        f"link = {_string(f'{TO_FILL_IN}: where it is tracked')}\n"
        f"profiles = [{_string(report.run.profile)}]\n"
    )


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)
