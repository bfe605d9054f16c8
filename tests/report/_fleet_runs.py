"""Reports of quick simulated runs, made the way ``rtgate run`` makes them, in milliseconds.

A real ``rtgate run --quick --preset P --requirement IDS`` takes seconds; a fleet test needs a
dozen of them.  :func:`simulated_run` builds the same :class:`~harness.report.model.Report`
the collector builds (``harness/plugin/collector.py: build``): the packaged catalog's
requirements, the host probe and features of the preset, the Hypothesis settings of
``--quick``, and one test per requirement shaped like the real scenario's (its node id, its
checks, and for a failure the message pytest recorded, copied from real runs).  Written with
:func:`harness.report.formats.write_all`, it is every file a run leaves behind.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from harness.fakes import presets
from harness.report.aggregate import build_report
from harness.report.features import host_features
from harness.report.formats import write_all
from harness.report.model import CheckTally
from harness.report.model import Report
from harness.report.model import RunInfo
from harness.report.model import TestResult
from harness.spec.catalog import Catalog
from harness.spec.catalog import load_catalog

__all__ = ["FAILURES", "simulated_run", "write_run"]

#: requirement -> (the test that checks it, the message a real failure of it recorded)
FAILURES: dict[str, tuple[str, str]] = {
    # tests.broken.rdt_path_lost_on_load on xeon-cdp: an assert with pytest's explanation
    "CLI-RDT-GROUP": (
        "harness/scenarios/test_cli_rdt.py::test_group_holds_schema_and_init[id]",
        "AssertionError: delete left the group\n"
        "assert not True\n"
        " +  where True = exists('/sys/fs/resctrl/grp-id')\n"
        " +    where exists = <pyfakefs.fake_path.FakePathModule object at 0x7f819f136d10>.exists\n"
        " +    and   '/sys/fs/resctrl/grp-id' = resctrl_group('grp-id')",
    ),
    # tests.broken.precedence_reversed on v1-cat: a check naming its rule
    "LC-DESTROY-FIRST-ERROR-RDT": (
        "harness/scenarios/test_precedence.py::test_error_precedence[rdt+poststop]",
        "AssertionError: [LC-DESTROY-FIRST-ERROR-RDT] with ('rdt', 'poststop') failing, destroy "
        "must return the rdt error (the first in ('cgroup', 'rdt', 'state-dir', 'poststop')); "
        "it returned: error running hook: exit status 1, stdout: , stderr: poststop fault",
    ),
    # tests.broken.cgroup_rmdir_no_retry on v1-cat
    "CLI-DELETE-CGROUP-BUSY-ONCE": (
        "harness/scenarios/test_cli_precedence.py::test_delete_with_cgroups_busy_once[stopped]",
        "AssertionError: [CLI-DELETE-CGROUP-BUSY-ONCE] 9 of 9 cgroup dirs were busy once: "
        "`delete --force f-once` exited 0 after 0.01s, left ['cgroup']; the profile wants "
        "nothing left",
    ),
}
#: the skip message of a requirement whose hardware the preset lacks (as the scenarios say it)
_SKIP = "missing host feature [L3 CAT through a mounted resctrl]: resctrl has no info/L3 ({})"
#: the Hypothesis settings ``--quick`` records
_QUICK = {
    "derandomize": False,
    "max_examples": 10,
    "profile": "rtgate-quick",
    "seed": "0",
    "version": "6.170.27",
}


@functools.cache
def _catalog() -> Catalog:
    return load_catalog()


def simulated_run(
    preset: str, started_at: str, outcomes: Mapping[str, str], version: str = "0.1.0"
) -> Report:
    """The report of the reference on ``preset`` started at ``started_at``, in which each
    requirement of ``outcomes`` ended as said (``pass``, ``fail`` or ``skip``)."""
    probe = presets.describe(preset)
    ids = ",".join(outcomes)
    run = RunInfo(
        subject="reference",
        subject_version=version,
        host="simulated",
        profile="seed",
        rtgate_version=version,
        started_at=started_at,
        duration_s=1.508,
        host_probe=probe,
        host_features=host_features(probe),
        hypothesis=dict(_QUICK),
        command=f"rtgate run --quick --preset {preset} --requirement {ids}",
    )
    tests = [_test(rid, outcome, preset) for rid, outcome in outcomes.items()]
    return build_report(run, [_catalog()[rid] for rid in outcomes], tests)


def _test(rid: str, outcome: str, preset: str) -> TestResult:
    nodeid, message = FAILURES.get(rid, (f"harness/scenarios/test_x.py::test_{rid}", ""))
    if outcome == "pass":
        return TestResult(nodeid, "pass", 0.108, (rid,), checks=(CheckTally(rid, 1),))
    if outcome == "skip":
        return TestResult(nodeid, "skip", 0.009, (rid,), message=_SKIP.format(f"preset {preset}"))
    first = message.splitlines()[0].removeprefix("AssertionError: ")
    return TestResult(
        nodeid,
        "fail",
        0.25,
        (rid,),
        violates=(rid,),
        message=message,
        details=f"{nodeid}\n{message}",
        checks=(CheckTally(rid, 1, 1, (first,)),),
    )


def write_run(root: Path, name: str, report: Report) -> Path:
    """Every file of ``report`` in ``root/name``; its ``compliance.json``."""
    return write_all(report, root / name)[-1]
