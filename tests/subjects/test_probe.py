"""The start-up probe's judgement (harness/subjects/probe.py), on a scripted command line: only
a refusal the data file lists is the host's; every other failure is the runtime's."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import nullcontext
from types import SimpleNamespace

import pytest

from harness.hosts.preparation import PREPARATION
from harness.hosts.preparation import Preparation
from harness.subjects.access import RuntimeAccess
from harness.subjects.access import runtime_prepared
from harness.subjects.oci.runtime import CommandRecord
from harness.subjects.probe import PROBE_LIMIT_S
from harness.subjects.probe import ProbeResult
from harness.subjects.probe import known_refusals
from harness.subjects.probe import match_refusal
from harness.subjects.probe import probe_runtime

CRUN_HYBRID = "cgroups in hybrid mode not supported, drop all controllers from cgroupv2"
CID = "rtgate-1-probe"
STATE = json.dumps({"ociVersion": "1.0.2", "id": CID, "status": "created", "pid": 42})
#: how one command answers: (exit code, stdout, stderr, timed out)
Answer = tuple[int, str, str, bool]
OK: Answer = (0, "", "", False)


class _Host:
    def container_id(self, name: str) -> str:
        return f"rtgate-1-{name}"


class ScriptedCli:
    """A command line whose commands answer as scripted, recording each with its timeout."""

    def __init__(self, **answers: Answer) -> None:
        self.host = _Host()
        self.answers = answers
        self.calls: list[tuple[str, float | None]] = []

    def bundle(self, name: str) -> str:
        return f"/run/bundles/{name}"

    def __call__(self, *argv: str, timeout: float | None = None) -> CommandRecord:
        self.calls.append((argv[0], timeout))
        code, out, err, timed_out = self.answers.get(argv[0], OK)
        took = timeout if timed_out and timeout else 0.05
        return CommandRecord(("rt", "--root", "/r", *argv), code, took, err, out, timed_out)


def _named(name: str) -> Callable[[], str]:
    asked: list[str] = []

    def runtime() -> str:
        asked.append(name)
        return name

    runtime.asked = asked  # type: ignore[attr-defined]
    return runtime


def test_the_data_file_lists_crun_18s_hybrid_refusal_with_its_source() -> None:
    (entry,) = [e for e in known_refusals() if e.runtime == "crun"]
    assert entry.matches("crun", f"time=x level=error msg={CRUN_HYBRID}\n")
    assert entry.prepare == PREPARATION
    assert "src/libcrun/cgroup.c" in entry.source and entry.feature and entry.condition


@pytest.mark.parametrize(
    ("runtime", "stderr"),
    [
        ("runc", CRUN_HYBRID),  # the words, from another runtime
        ("crun", "cgroups in hybrid mode"),  # part of them
        ("crun", "permission denied"),
        ("", CRUN_HYBRID),  # a runtime that gave no --version name
    ],
)
def test_only_a_listed_runtimes_listed_message_is_a_refusal(runtime: str, stderr: str) -> None:
    assert match_refusal(runtime, stderr) is None


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[[refusal]]\nruntime = "x"\n', "missing"),
        ('[[refusal]]\nruntime="x"\npattern="y"\ncondition="c"\nfeature="f"\nsource="s"\nz=1\n',
         "unknown ['z']"),
    ],
)  # fmt: skip
def test_a_malformed_entry_is_refused(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint.replace("[", r"\[").replace("]", r"\]")):
        known_refusals(text)


def test_an_unknown_preparation_is_refused() -> None:
    text = (
        '[[refusal]]\nruntime="x"\npattern="y"\ncondition="c"\nfeature="f"\nsource="s"\n'
        'prepare="reboot"\n'
    )
    with pytest.raises(ValueError, match="prepare must be"):
        known_refusals(text)


def test_a_bad_pattern_is_refused() -> None:
    text = '[[refusal]]\nruntime="x"\npattern="("\ncondition="c"\nfeature="f"\nsource="s"\n'
    with pytest.raises(Exception, match="missing|unterminated"):
        known_refusals(text)


def test_a_usable_runtime_is_created_read_and_deleted_within_the_limit() -> None:
    cli = ScriptedCli(state=(0, STATE, "", False))
    found = probe_runtime(cli, _named("runc"))
    assert found.outcome == "usable"
    assert found.summary.startswith("probe container created and deleted (create 0.05 s")
    assert cli.calls == [(c, PROBE_LIMIT_S) for c in ("create", "state", "delete")]


def test_a_listed_refusal_is_the_hosts_and_names_the_missing_feature() -> None:
    cli = ScriptedCli(create=(1, "", f"error: {CRUN_HYBRID}\n", False))
    found = probe_runtime(cli, _named("crun"))
    assert found.outcome == "refused"
    assert found.refusal is not None and found.refusal.runtime == "crun"
    assert CRUN_HYBRID in found.summary
    assert [c for c, _ in cli.calls] == ["create", "delete"], "the probe container is removed"


@pytest.mark.parametrize(
    ("answers", "said"),
    [
        ({"create": (1, "", "permission denied\n", False)},
         "create of the probe container exited 1 after 0.05 s: permission denied"),
        ({"create": (1, "", "", False)}, "exited 1 after 0.05 s and said nothing on stderr"),
        ({"create": (-9, "", "", True)},
         f"create of the probe container did not end within the {PROBE_LIMIT_S:.0f} s limit"),
        ({"state": (0, "garbage", "", False)}, "printed no JSON: 'garbage'"),
        ({"state": (0, "[]", "", False)}, f"printed no state of {CID}"),
        ({"state": (0, STATE.replace("created", "running"), "", False)},
         "the probe container is 'running' after create, not 'created'"),
        ({"state": (0, STATE, "", False), "delete": (1, "", "busy\n", False)},
         "delete --force of the probe container exited 1 after 0.05 s: busy"),
    ],
)  # fmt: skip
def test_any_other_failure_is_the_runtimes(answers: dict[str, tuple], said: str) -> None:
    # crun's words from a runtime that is not crun, on create's stderr, change nothing
    found = probe_runtime(ScriptedCli(**answers), _named("runc"))
    assert found.outcome == "broken"
    assert said in found.summary
    evidence = found.evidence()
    assert evidence.splitlines()[0] == found.summary
    assert "$ rt --root /r create --bundle /run/bundles/probe rtgate-1-probe" in evidence


def test_a_timed_out_create_is_broken_without_asking_the_runtimes_name() -> None:
    runtime = _named("crun")
    found = probe_runtime(ScriptedCli(create=(-9, "", CRUN_HYBRID, True)), runtime)
    assert found.outcome == "broken"
    assert runtime.asked == []  # type: ignore[attr-defined]
    assert "timed out (killed, exit -9) after 10.00 s" in found.evidence()


def test_what_the_probe_found_reaches_an_xdist_worker_whole() -> None:
    access = RuntimeAccess(broken="create exited 1", summary="oci:x: create exited 1",
                           notes=("n",), host_changed=True)  # fmt: skip
    back = RuntimeAccess.from_worker(access.to_worker())
    assert (back.broken, back.summary, back.refusal) == ("create exited 1", access.summary, None)


def _prepared_by(monkeypatch: pytest.MonkeyPatch, results: list[ProbeResult]) -> RuntimeAccess:
    """What runtime_prepared gives when the probes find ``results`` in turn, on a host whose
    preparation (binding hugetlb to v1) always succeeds."""

    @contextmanager
    def prepared(probe: Callable[[], str | None]) -> Iterator[Preparation]:
        prep = Preparation(refusal=probe())
        if prep.refusal is not None:
            prep.bound, prep.refusal = ("hugetlb",), probe()
        yield prep

    monkeypatch.setattr("harness.hosts.preparation.host_prepared", prepared)
    monkeypatch.setattr("harness.hosts.open_host", lambda kind: nullcontext(None))
    monkeypatch.setattr("harness.subjects.command_line.command_line_for", lambda *a: None)
    monkeypatch.setattr("harness.subjects.probe.probe_runtime", lambda cli, name: results.pop(0))
    subject = SimpleNamespace(name="oci:x", kind=SimpleNamespace(needs_real_host=True))
    with runtime_prepared(subject, "runtime-spec") as access:  # type: ignore[arg-type]
        assert results == [], "every scripted probe ran"
        return access


CURABLE = next(e for e in known_refusals() if e.prepare)
REFUSED = ProbeResult("refused", "crun refuses this host (...)", (), CURABLE)
INCURABLE = ProbeResult("refused", "y refuses", (), dataclasses.replace(CURABLE, prepare=None))
USABLE = ProbeResult("usable", "probe container created and deleted (create 0.02 s, ...)")
BROKEN = ProbeResult("broken", "create of the probe container exited 1 after 0.01 s: no")


def test_a_refusal_that_preparing_cures_is_reported_and_the_runtime_runs(monkeypatch) -> None:
    access = _prepared_by(monkeypatch, [REFUSED, USABLE])
    assert (access.refusal, access.broken, access.host_changed) == (None, None, True)
    assert access.summary == f"oci:x: {REFUSED.summary}; host prepared, then: {USABLE.summary}"


def test_a_refusal_nothing_cures_skips_for_its_missing_feature(monkeypatch) -> None:
    access = _prepared_by(monkeypatch, [INCURABLE])
    assert access.broken is None and not access.host_changed
    assert access.refusal == "oci:x cannot create a container on this host: y refuses"
    assert access.missing_feature == CURABLE.feature


@pytest.mark.parametrize("results", [[BROKEN], [REFUSED, BROKEN]], ids=["at once", "prepared"])
def test_a_broken_runtime_is_broken_whatever_was_prepared(monkeypatch, results) -> None:
    access = _prepared_by(monkeypatch, list(results))
    assert access.refusal is None
    assert access.broken == BROKEN.evidence()
    assert access.summary.endswith(BROKEN.summary)
