"""``rtgate doctor``: what this host offers a real-host run, with ``--fidelity`` how closely
the simulated kernel follows this host's kernel, and with ``--capture FILE`` this host as a
preset file (:mod:`harness.hosts.capture`) for ``rtgate run --preset-file FILE``.

Exit codes: 0 (report printed; with ``--fidelity``: no difference), 1 (``--fidelity`` found a
difference), 2 (a usage error, e.g. ``--fidelity`` without root).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path

from harness.cli._doctor_json import facts_document
from harness.errors import UsageError
from harness.fidelity import Probe
from harness.fidelity import RealBackend
from harness.fidelity import SimulatedBackend
from harness.fidelity import all_probes
from harness.fidelity import compare
from harness.hosts.facts import HostFacts
from harness.hosts.facts import host_facts
from harness.hosts.inject import unsupported

__all__ = ["doctor", "format_facts"]


def format_facts(facts: HostFacts) -> list[str]:
    """The host report, one fact per line."""
    euid = os.geteuid()
    lines = [
        f"root: {'yes' if facts.is_root else 'no'} (euid {euid})",
        f"kernel: {facts.kernel}",
        f"cgroup mode: {facts.layout.mode}",
    ]
    for name, mount in facts.layout.v1.items():
        lines.append(f"  v1 {name:<14} {mount}")
    if facts.layout.v2 is not None:
        offered = " ".join(facts.layout.v2_controllers) or "(none)"
        lines.append(f"  v2 {'unified':<14} {facts.layout.v2}  controllers: {offered}")
    if facts.resctrl_mount is not None:
        options = ",".join(facts.resctrl_options) or "none"
        lines.append(f"resctrl: mounted at {facts.resctrl_mount} (options: {options})")
        for resource, values in facts.resctrl_info.items():
            shown = " ".join(f"{k}={v}" for k, v in values.items()) or "(no description files)"
            lines.append(f"  {resource:<8} {shown}")
        lines.append("  " + "; ".join(_rdt_features(facts)))
    else:
        lines.append(f"resctrl: {facts.resctrl_absent}")
    lines.append(f"CPU RDT flags: {' '.join(facts.rdt_flags) or 'none'}")
    lines.append("runtimes on PATH:")
    for name, found in facts.runtimes.items():
        lines.append(f"  {name:<5} " + (f"{found[0]}: {found[1]}" if found else "not found"))
    lines.append(f"busybox: {facts.busybox or 'not found (bundles need a static busybox)'}")
    engine = unsupported()
    lines.append(
        "syscall fault engine (seccomp user notification): "
        + (f"unavailable: {engine}" if engine else "available")
    )
    lines.append("what a run covers here:")
    lines += [f"  {line}" for line in _coverage(facts)]
    return lines


def _rdt_features(facts: HostFacts) -> list[str]:
    info = facts.resctrl_info
    cdp = "L3CODE" in info or "cdp" in facts.resctrl_options
    return [
        f"CAT: {'yes' if 'L3' in info or cdp else 'no'}",
        f"CDP: {'on' if cdp else ('capable' if 'cdp_l3' in facts.rdt_flags else 'no')}",
        f"MBA: {'yes' if 'MB' in info else 'no'}",
        f"monitoring: {'yes' if 'L3_MON' in info else 'no'}",
    ]


def _coverage(facts: HostFacts) -> list[str]:
    """Which parts of the suite run on this host, and why the others do not."""
    lines = ["simulated host (rtgate run): every requirement of the profile, on any machine"]
    if facts.resctrl_mount is None:
        lines.append(f"real-host RDT requirements: skipped: {facts.resctrl_absent}")
    elif "L3" not in facts.resctrl_info:
        found = ", ".join(facts.resctrl_info) or "nothing"
        lines.append(f"real-host L3 CAT requirements: skipped: info/ holds {found}, no L3")
    else:
        lines.append("real-host RDT requirements: run (L3 CAT is mounted)")
    if not facts.is_root:
        lines.append("real host (rtgate run --host real): refused: not root")
    else:
        mode = facts.layout.mode
        others = ", ".join(m for m in ("v1", "v2", "hybrid") if m != mode)
        lines.append(
            f"real host (rtgate run --host real): runs on these {mode} cgroups; rules about"
            f" {others} hosts are skipped"
        )
    found = [name for name, version in facts.runtimes.items() if version is not None]
    lines.append(f"OCI runtimes that could be gated: {', '.join(found) or 'none found on PATH'}")
    engine = unsupported() or (None if facts.is_root else "not root")
    lines.append(
        "real-host fault rules (a runtime's commands under injected syscall errors): "
        + (f"skipped: {engine}" if engine else "run")
    )
    return lines


def _selected(pattern: str | None) -> list[Probe]:
    """The probes to compare, checked before anything is printed (a usage error is one line).

    Raises:
        UsageError: nothing matches ``pattern``, or not root.
    """
    probes = [p for p in all_probes() if pattern is None or pattern in p.name]
    if not probes:
        raise UsageError(f"'--probe' matches no probe (got {pattern!r}); names look like "
                         "'v1.freezer.bad-states'")  # fmt: skip
    if os.geteuid() != 0:
        raise UsageError(
            f"'--fidelity' needs root: it creates cgroups on this host (euid {os.geteuid()})"
        )
    return probes


def _fidelity(probes: list[Probe], emit: Callable[[str], None]) -> int:
    """Compare every probe, one line each as it finishes; the exit code."""
    simulated = SimulatedBackend()
    try:
        twin = simulated.twin
    except Exception as err:  # noqa: BLE001 - every probe then shows the same error as a difference
        emit(f"fidelity: the simulated twin cannot be built: {type(err).__name__}: {err}")
    else:
        emit(f"fidelity: simulated twin booted as cgroup_mode {twin.topology.cgroup_mode!r}")
        for note in twin.left_out:
            emit(f"  left out of the twin: {note}")
    real = RealBackend()
    counts = {"same": 0, "DIFFERENT": 0, "skipped": 0}
    for probe in probes:
        result = compare(probe, real, simulated)
        if result.skipped is not None:
            counts["skipped"] += 1
            emit(f"  skipped    {probe.name}: {result.skipped}")
        elif result.difference is None:
            counts["same"] += 1
            emit(f"  same       {probe.name}")
        else:
            counts["DIFFERENT"] += 1
            diff = result.difference
            emit(
                f"  DIFFERENT  {probe.name}: step {diff.index + 1} {diff.action!r}: "
                f"real {diff.real!r} vs simulated {diff.simulated!r}"
            )
    emit(
        f"fidelity: {counts['same']} same, {counts['DIFFERENT']} different, "
        f"{counts['skipped']} skipped of {len(probes)} probes"
    )
    return 1 if counts["DIFFERENT"] else 0


def _capture(path: str, name: str | None) -> str:
    """Write this host as a preset file; the line that says so.

    Raises:
        UsageError: the file cannot be written.
    """
    from harness.fakes.preset_file import dump_preset
    from harness.hosts.capture import capture_preset

    preset, notes = capture_preset(name)
    try:
        Path(path).write_text(dump_preset(preset, notes), encoding="utf-8")
    except OSError as err:
        raise UsageError(f"'--capture' cannot write {path!r}: {err.strerror}") from None
    return f"captured: {path} (preset {preset.name!r}: {preset.summary})"


def doctor(args: argparse.Namespace) -> int:
    """Print the host report (and the fidelity comparison); return the exit code."""
    if not args.fidelity and args.probe is not None:
        raise UsageError("'--probe' only applies with '--fidelity'")
    if args.capture is None and args.name is not None:
        raise UsageError("'--name' only applies with '--capture'")
    if args.format == "json" and args.fidelity:
        raise UsageError("'--format json' is the host report alone, without '--fidelity'")
    probes = _selected(args.probe) if args.fidelity else []
    facts = host_facts()
    if args.format == "json":
        print(json.dumps(facts_document(facts, _coverage(facts)), indent=2), flush=True)
    else:
        for line in format_facts(facts):
            print(line, flush=True)
    if args.capture is not None:
        print(_capture(args.capture, args.name), flush=True)
    if not args.fidelity:
        return 0
    return _fidelity(probes, lambda line: print(line, flush=True))
