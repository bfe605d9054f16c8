"""The one-screen text summary ``rtgate run`` prints last: verdict, counts, what went wrong.

What fails the verdict comes first (MUST and MUST NOT failures and errors, then untested
requirements), then the other non-passing requirements; the list is cut to stay on one screen
and says how many it left out.
"""

from __future__ import annotations

from harness.report.model import OUTCOMES
from harness.report.model import Report
from harness.report.model import RequirementResult
from harness.report.rerun import rerun_command

__all__ = ["render_summary"]

_SHOWN = ("fail", "error", "untested", "xpass")


def render_summary(report: Report, max_lines: int = 40, width: int = 100) -> str:
    """The summary text, at most ``max_lines`` lines of at most about ``width`` characters."""
    run, summary = report.run, report.summary
    known = run.subject_version not in ("", "unknown")
    version = f" {run.subject_version}" if known else " (version unknown)"
    preset = run.host_probe.get("preset")
    kernel, mode = run.host_probe.get("kernel"), run.host_probe.get("cgroup_mode")
    if preset:
        host = f"{run.host} ({preset})"
    elif kernel:
        host = f"{run.host} (kernel {kernel}, cgroups {mode})"
    else:
        host = run.host
    lines = [
        f"rtgate: verdict {summary.verdict.upper()}"
        f" (subject {run.subject}{version}, host {host}, profile {run.profile})",
        "requirements: " + _counts(summary.counts, len(report.requirements)),
        "tests: " + _counts(summary.test_counts, len(report.tests)) + f" in {run.duration_s:.1f} s",
    ]
    if run.selected:
        lines.append(
            f"selection: {len(run.selected)} requirement(s) (--requirement, or the tests"
            " chosen); the verdict is theirs alone"
        )
    if run.runtime_args:
        lines.append(_cut(f"runtime flags: {' '.join(run.runtime_args)}", width * 3))
    if run.oci_version:
        lines.append(f"ociVersion {run.oci_version} (--oci-version): later rules skipped")
    if run.host_probe.get("runtime_probe"):
        lines.append(_cut(f"runtime probe: {run.host_probe['runtime_probe']}", width * 3))
    lines += [_cut(f"verdict failed: {note}", width * 3) for note in summary.verdict_notes]
    if summary.fatal:
        lines.append(f"{len(summary.fatal)} requirement(s) fail the verdict:")
    failed = [r.id for r in report.requirements if r.fatal and r.outcome in ("fail", "error")]
    rerun = rerun_command(run.command, failed)
    if rerun:
        max_lines -= 1  # said last, after the list
    shown = sorted((r for r in report.requirements if r.outcome in _SHOWN), key=_priority)
    room = max_lines - len(lines)
    for index, result in enumerate(shown):
        entry = _entry(result, width)
        left = len(shown) - index
        if len(entry) > room - (1 if left > 1 else 0):
            lines.append(f"  ... and {left} more: see compliance.json")
            break
        lines.extend(entry)
        room -= len(entry)
    if rerun:
        lines.append(_cut(f"rerun them: {rerun}", width * 3))
    return "\n".join(lines)


def _counts(counts: dict[str, int], total: int) -> str:
    parts = [f"{counts[o]} {o}" for o in OUTCOMES if counts.get(o)]
    return f"{total} total" + (": " + ", ".join(parts) if parts else "")


def _priority(result: RequirementResult) -> tuple[int, str]:
    if result.fatal and result.outcome != "untested":
        return (0, result.id)
    if result.outcome == "untested":
        return (1, result.id)
    return (2, result.id)


def _entry(result: RequirementResult, width: int) -> list[str]:
    head = f"  {result.outcome.upper():<8} {result.level:<10} {result.id}  {result.title}"
    lines = [_cut(head, width)]
    if result.message and result.outcome != "untested":
        first = result.message.strip().splitlines()[0] if result.message.strip() else ""
        lines.append(_cut(f"           {first}", width))
    return lines


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
