"""The start-up probe of a runtime: can it run one container on this host, and quickly?

The probe creates a container of its own, reads its state and deletes it, each command under
:data:`PROBE_LIMIT_S`.  What it finds is one of three things:

- ``usable``: every command ended in time, ``state`` said ``created``;
- ``refused``: ``create`` failed with a message the data file ``host_refusals.toml`` lists for
  this runtime (crun 1.8 on a hybrid host whose cgroup2 has controllers).  That is the host's
  doing: the tests that need a container skip for the missing host feature the entry names;
- ``broken``: anything else (another message, a non-zero exit, a hang, a timeout, output that is
  not a state).  That is the runtime's own failure: the tests that need a container fail with
  the probe's evidence, so such a runtime never passes by having all its tests skipped.

Why :data:`PROBE_LIMIT_S` is 10 s: runc and crun create, query and delete a container in well
under a second here (tens of milliseconds each); 10 s leaves a hundredfold margin for a loaded
2-core machine.  A runtime slower than that cannot be checked in a sensible time (a run issues
hundreds of commands, each allowed up to 30 s by :class:`~harness.subjects.oci.OciTimeouts`):
it is failed at start-up, after at most two probe commands (create, then the forced delete),
instead of timing out command by command for an hour.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import tomllib
from collections.abc import Callable
from collections.abc import Sequence
from importlib import resources
from typing import Any
from typing import Literal

from harness.hosts.preparation import PREPARATION
from harness.subjects.oci.runtime import CommandRecord
from harness.subjects.oci.runtime import parse_version

__all__ = [
    "PROBE_LIMIT_S",
    "KnownRefusal",
    "ProbeResult",
    "evidence",
    "known_refusals",
    "match_refusal",
    "probe_runtime",
    "runtime_name",
]

#: seconds each probe command may take; slower, the runtime is failed (see the module doc)
PROBE_LIMIT_S = 10.0
#: how many lines of a command's stderr the evidence keeps (its end)
_STDERR_LINES = 5
_DATA = "host_refusals.toml"
_FIELDS = ("runtime", "pattern", "condition", "feature", "source")

ProbeOutcome = Literal["usable", "refused", "broken"]


@dataclasses.dataclass(frozen=True, slots=True)
class KnownRefusal:
    """One entry of ``host_refusals.toml``: a runtime's message that it refuses this host."""

    runtime: str
    pattern: str
    condition: str
    feature: str
    source: str
    #: what harness/hosts/preparation.py can do so the runtime accepts the host, or None
    prepare: str | None = None

    def matches(self, runtime: str, stderr: str) -> bool:
        """Whether ``runtime`` (its ``--version`` name) said this, in ``stderr``."""
        return runtime == self.runtime and re.search(self.pattern, stderr) is not None


def known_refusals(text: str | None = None) -> tuple[KnownRefusal, ...]:
    """The entries of the data file (or of ``text``, in its format).

    Raises:
        ValueError: an entry lacks a field, has an unknown one, or a pattern does not compile.
    """
    if text is None:
        text = resources.files("harness.subjects").joinpath(_DATA).read_text(encoding="utf-8")
    entries: list[KnownRefusal] = []
    for index, raw in enumerate(tomllib.loads(text).get("refusal", [])):
        missing = [f for f in _FIELDS if not isinstance(raw.get(f), str) or not raw[f]]
        unknown = sorted(set(raw) - {*_FIELDS, "prepare"})
        if missing or unknown:
            raise ValueError(f"{_DATA} entry {index}: missing {missing}, unknown {unknown}")
        re.compile(raw["pattern"])
        if raw.get("prepare", PREPARATION) != PREPARATION:
            raise ValueError(f"{_DATA} entry {index}: prepare must be {PREPARATION!r}")
        entries.append(KnownRefusal(**raw))
    return tuple(entries)


def match_refusal(
    runtime: str, stderr: str, refusals: Sequence[KnownRefusal] | None = None
) -> KnownRefusal | None:
    """The known refusal ``runtime`` gave in ``stderr``, or None: anything else is not one."""
    for entry in known_refusals() if refusals is None else refusals:
        if entry.matches(runtime, stderr):
            return entry
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class ProbeResult:
    """What the probe found, with the commands it ran."""

    outcome: ProbeOutcome
    #: one line: what went wrong (broken), what the host lacks (refused), or how long it took
    summary: str
    records: tuple[CommandRecord, ...] = ()
    refusal: KnownRefusal | None = None

    def evidence(self) -> str:
        """The summary and every probe command (argv, exit, duration, stderr tail)."""
        return "\n".join([self.summary, *(evidence(r) for r in self.records)])


def evidence(record: CommandRecord) -> str:
    """One probe command as evidence: its argv, how it ended, its duration, its stderr's end."""
    ending = f"timed out (killed, exit {record.exit_code})" if record.timed_out else (
        f"exit {record.exit_code}"
    )  # fmt: skip
    tail = record.stderr_tail.strip().splitlines()[-_STDERR_LINES:]
    lines = [f"  $ {' '.join(record.argv)}  -> {ending} after {record.duration_s:.2f} s"]
    lines += [f"    stderr: {line[-300:]}" for line in tail]
    return "\n".join(lines)


def probe_runtime(cli: Any, runtime: Callable[[], str]) -> ProbeResult:
    """Probe the runtime behind the command line ``cli`` with a container of its own, removed
    again; ``runtime()`` is its ``--version`` name, asked only to match a refusal."""
    cid = cli.host.container_id("probe")
    created = cli("create", "--bundle", cli.bundle("probe"), cid, timeout=PROBE_LIMIT_S)
    records = [created]
    try:
        if not created.ok:
            return _failed_create(created, runtime)
        state = cli("state", cid, timeout=PROBE_LIMIT_S)
        records.append(state)
        wrong = _wrong_state(state, cid)
        if wrong is not None:
            return ProbeResult("broken", wrong, tuple(records))
    finally:
        deleted = cli("delete", "--force", cid, timeout=PROBE_LIMIT_S)
    records.append(deleted)
    if not deleted.ok:
        return ProbeResult("broken", f"delete --force of the probe container {_how(deleted)}",
                           tuple(records))  # fmt: skip
    names = ("create", "state", "delete")
    took = ", ".join(f"{n} {r.duration_s:.2f} s" for n, r in zip(names, records, strict=True))
    return ProbeResult("usable", f"probe container created and deleted ({took})", tuple(records))


def _failed_create(created: CommandRecord, runtime: Callable[[], str]) -> ProbeResult:
    known = None if created.timed_out else match_refusal(runtime(), created.stderr_tail)
    if known is not None:
        return ProbeResult(
            "refused",
            f"{known.runtime} refuses this host ({known.condition}): {known.pattern}",
            (created,),
            known,
        )
    return ProbeResult("broken", f"create of the probe container {_how(created)}", (created,))


def _how(record: CommandRecord) -> str:
    if record.timed_out:
        return (
            f"did not end within the {PROBE_LIMIT_S:.0f} s limit of a probe command "
            f"(killed after {record.duration_s:.1f} s)"
        )
    lines = record.stderr_tail.strip().splitlines()
    said = f": {lines[-1][-200:]}" if lines else " and said nothing on stderr"
    return f"exited {record.exit_code} after {record.duration_s:.2f} s{said}"


def _wrong_state(state: CommandRecord, cid: str) -> str | None:
    """Why ``state`` of the just-created probe container is not a ``created`` state, or None."""
    if not state.ok:
        return f"state of the created probe container {_how(state)}"
    try:
        parsed = json.loads(state.stdout)
    except ValueError:
        return f"state of the probe container printed no JSON: {state.stdout[:120]!r}"
    if not isinstance(parsed, dict) or parsed.get("id") != cid:
        return f"state of the probe container printed no state of {cid}: {state.stdout[:120]!r}"
    if parsed.get("status") != "created":
        return f"the probe container is {parsed.get('status')!r} after create, not 'created'"
    return None


def runtime_name(subject: Any) -> str:
    """The first word of ``--version`` of an OCI subject's binary ("crun"); "" when it gives
    none in time, or the subject has no binary (then no refusal of the data file is its)."""
    binary = getattr(subject, "binary", None)
    if binary is None:
        return ""
    try:
        done = subprocess.run(  # noqa: S603 - the binary the user named
            [binary, "--version"], capture_output=True, text=True, timeout=PROBE_LIMIT_S
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    parsed = parse_version(done.stdout) if done.returncode == 0 else None
    return parsed.name if parsed else ""
