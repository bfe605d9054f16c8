"""``rtgate run --failed REPORT``: the run that wrote REPORT, again, for what failed in it.

The command line is the report's own (``run.command``: subject, host, profile, preset,
expectations, runtime flags) with ``--requirement`` naming its failures and errors and no
``--report-dir`` (:func:`~harness.report.rerun.rerun_command`), then whatever else was given
next to ``--failed``, which wins where it says the same thing: ``--failed R --subject oci:crun``
asks whether another runtime fails them too.
"""

from __future__ import annotations

from harness.cli._report import report_file
from harness.errors import InputFileError
from harness.errors import UsageError
from harness.report.json_writer import read_json
from harness.report.rerun import rerun_words
from harness.report.rerun import split_at_dashes

__all__ = ["NOTHING_FAILED", "expand_failed"]

#: what ``--failed`` says of a report with no failure, instead of running anything
NOTHING_FAILED = "nothing failed in {report}: nothing to rerun"


def expand_failed(words: list[str]) -> tuple[list[str] | None, str]:
    """``words`` (after ``rtgate``) with ``--failed REPORT`` replaced by the rerun's options;
    (None, what to say) when the report has nothing to rerun; unchanged without ``--failed``.

    Raises:
        UsageError: ``--failed`` without a value, twice, or with ``--requirement``.
        InputFileError: REPORT is no report, or not one of ``rtgate run``.
    """
    found = [
        i for i, word in enumerate(words) if word == "--failed" or word.startswith("--failed=")
    ]
    if not found:
        return words, ""
    if len(found) > 1:
        raise UsageError("'--failed' takes one report")
    at = found[0]
    if words[at] == "--failed":
        if at + 1 >= len(words) or words[at + 1].startswith("-"):
            raise UsageError("'--failed' needs a report directory or compliance.json")
        given, rest = words[at + 1], words[:at] + words[at + 2 :]
    else:
        given, rest = words[at].partition("=")[2], words[:at] + words[at + 1 :]
    if any(w == "--requirement" or w.startswith("--requirement=") for w in rest):
        raise UsageError("'--failed' chooses the requirements itself: drop '--requirement'")
    path = report_file(given)
    report = read_json(path)
    failed = [r.id for r in report.requirements if r.outcome in ("fail", "error")]
    if not failed:
        return None, NOTHING_FAILED.format(report=path)
    found = rerun_words(report.run.command, failed)
    if found is None:
        raise InputFileError(given, "the report names no 'rtgate run' command to run again")
    argv, tail = found
    rest, given_tail = split_at_dashes(rest)
    tail = given_tail or tail  # the user's pytest words replace the report's
    return [*argv, *[w for w in rest if w != "run"], *tail], ""
