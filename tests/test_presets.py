"""The reference passes the suite on every preset host; what a host lacks is a probed skip."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from harness.fakes.machine_presets import MACHINE_PRESETS
from harness.fakes.presets import DEFAULT_PRESET
from harness.fakes.presets import PRESETS
from harness.hosts import simulated_host
from harness.scenarios._support.inside import NOT_INSIDE
from harness.scenarios._support.rdt_schema import schema_form_or_reason
from harness.scenarios.test_cli_precedence import COMBINATIONS
from harness.spec.catalog import load_catalog
from harness.spec.cli_teardown import cli_teardown_variants
from harness.subjects.registry import kind_of
from tests._shared_runs import shared_run
from tests.test_broken_variants import rtgate


def _profile_for(name: str) -> str:
    """The seed (692f6e1) knows cgroup v1 only; a cgroup v2 host is run under runc-1.2."""
    return "runc-1.2" if PRESETS[name][1].cgroup_mode == "v2" else "seed"


#: what a preset may change and still leave the rules outside the resctrl and cgroups areas
#: as a whole run of its cgroup layout checks them: its RDT hardware and the resctrl mount
_RDT_ASPECTS = {"resctrl", "resctrl_mounted", "num_cpus", "cpu_flags"}


#: the presets whose run is the whole suite: the default, and one of each other cgroup layout
_WHOLE_RUNS = (DEFAULT_PRESET, "v2-cat", "hybrid-cat")


def _differs_in_rdt_alone(name: str) -> bool:
    """Whether preset ``name`` is one of :data:`_WHOLE_RUNS` but for its RDT."""
    topology = PRESETS[name][1]
    for other in _WHOLE_RUNS:
        whole = PRESETS[other][1]
        changed = {f.name for f in dataclasses.fields(topology)
                   if getattr(topology, f.name) != getattr(whole, f.name)}  # fmt: skip
        if changed <= _RDT_ASPECTS:
            return True
    return False


def _selection(name: str, profile: str) -> list[str]:
    """A preset that is one of :data:`_WHOLE_RUNS` but for its RDT (and a real machine's,
    whose cgroup layout is one of those) is checked on the resctrl and cgroup rules (and the
    destroy of a cgroup the checks below look at): every other rule sees the same host as in
    that preset's whole run.  The presets of :data:`_WHOLE_RUNS` run the whole suite."""
    if name in _WHOLE_RUNS or (name not in MACHINE_PRESETS and not _differs_in_rdt_alone(name)):
        return []
    scopes = kind_of("reference").scopes
    found = [
        r.id
        for r in load_catalog(None).for_profile(profile)
        if r.area in ("resctrl", "cgroups") and r.scope in scopes
    ]
    return ["--requirement", ",".join([*found, "LC-DESTROY-CGROUP"])]


def preset_run_args(name: str) -> tuple[str, ...]:
    """The arguments of the quick run of the reference on preset ``name`` that this module
    judges (and the report command's tests render): one run per preset, shared."""
    profile = _profile_for(name)
    return ("--quick", "--profile", profile, "--preset", name, *_selection(name, profile))


@pytest.mark.parametrize("name", [p for p in PRESETS if p != DEFAULT_PRESET])
def test_reference_passes_on_preset(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    profile = _profile_for(name)
    # shared with the report command's tests, which render and diff the same runs
    result = shared_run(tmp_path_factory, preset_run_args(name))
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.report()
    assert report["run"]["host_probe"]["preset"] == name
    outcomes = {r["id"]: r for r in report["requirements"]}
    assert {r["outcome"] for r in outcomes.values()} <= {"pass", "skip"}
    with simulated_host(name) as host:
        missing = host.rdt_unavailable()
        form, no_form = schema_form_or_reason(host, profile)
    skipped = {i: r["message"] for i, r in outcomes.items() if r["outcome"] == "skip"}
    # a rule of v1 hierarchies has nothing to check on a v2 host, and says so
    by_mode = {i for i, message in skipped.items() if "cgroups are v2" in message}
    if PRESETS[name][1].cgroup_mode == "v2":
        assert "CG-APPLY-V1" in by_mode, skipped
        v1_only = {i for i in by_mode if skipped[i].startswith("missing host feature [cgroup v1")}
        assert by_mode == v1_only, f"only rules of cgroup v1 may skip for v2: {skipped}"
    else:
        assert by_mode == set(), skipped
    skipped = {i: m for i, m in skipped.items() if i not in by_mode}
    # config.json's rules look inside the container, where the simulated host runs no program;
    # the LSM ones first ask the host for AppArmor or SELinux
    inside = {i for i in skipped if i.startswith("CLI-CFG-")}
    said = (NOT_INSIDE, "no /sys/module/apparmor on this host", "no /sys/fs/selinux on this host")
    assert all(skipped[i].startswith(said) for i in inside), {i: skipped[i] for i in inside}
    skipped = {i: m for i, m in skipped.items() if i not in inside}
    if form is not None:
        # L3 CAT, or a cdp mount where the seed writes L3CODE/L3DATA lines, or MBA
        assert skipped == {}, "a host where the runtime writes a schema must run every rule"
    else:
        assert "RDT-APPLY" in skipped
        # a rule that needs a group of any kind, or resctrl's paths, names the mount first
        unmounted = "resctrl is not mounted: /proc/self/mountinfo has no resctrl line"
        said = (missing or "", unmounted, no_form)
        assert all(any(s and s in m for s in said) for m in skipped.values()), skipped
        if profile == "seed":
            assert outcomes["RDT-NOT-ENABLED"]["outcome"] == "pass"
        assert outcomes["LC-DESTROY-CGROUP"]["outcome"] == "pass"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("no-rdt", "no L3 CAT: /proc/cpuinfo has no cat_l3 flag"),
        ("rdt-unmounted", "resctrl is not mounted: /proc/self/mountinfo has no resctrl line"),
        ("v1-cat", None),
    ],
)
def test_rdt_probe_names_what_the_host_lacks(name: str, reason: str | None) -> None:
    with simulated_host(name) as host:
        assert host.rdt_unavailable() == reason


def test_l3_schema_covers_every_cache_domain_of_the_host() -> None:
    with simulated_host("small-closids") as host:
        assert host.l3_schema("f", "3") == "L3:0=f"
    with simulated_host("v1-cat") as host:
        assert host.l3_schema("f0", "3") == "L3:0=f0;1=3"


def test_presets_are_listed_and_an_unknown_one_is_a_usage_error() -> None:
    listing = rtgate("presets")
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == list(PRESETS)
    bad = rtgate("run", "--preset", "nope")
    assert bad.returncode == 2
    assert bad.stderr.startswith("rtgate: error: '--preset' must be one of")
    assert len(bad.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "name",
    [pytest.param("hybrid-cat", marks=pytest.mark.slow), "no-rdt"],  # slow: a whole run, a minute
)
def test_reference_passes_on_preset_under_runc_1_2(name: str, tmp_path: Path) -> None:
    result = rtgate(
        "run", "--quick", "--profile", "runc-1.2", "--preset", name, "--report-dir", str(tmp_path),
        *_selection(name, "runc-1.2"),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "compliance.json").read_text())
    assert {r["outcome"] for r in report["requirements"]} <= {"pass", "skip"}


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        pytest.param("xeon-cdp", "runtime-spec", id="no-schema"),  # neither L3 nor MB
        pytest.param("ice-lake-cdp", "runc-1.2", id="mb-schema"),  # MB beside L3CODE/L3DATA
        pytest.param("xeon-cdp", "seed", id="l3cdp-schema"),  # L3CODE/L3DATA lines
    ],
)
def test_delete_cells_with_a_failing_resctrl_group_run_on_cdp_hosts(
    name: str, profile: str, tmp_path: Path
) -> None:
    """A host mounted with cdp has no info/L3, yet the runtimes of these profiles make a
    group there (an MB schema, L3CODE/L3DATA lines, or none): every delete cell whose resctrl
    step fails runs."""
    ids = {r.id for r in load_catalog(None).for_profile(profile)}
    cells = [f for f in COMBINATIONS if "rdt" in f]
    rules = sorted({v for f in cells for v in cli_teardown_variants(f)} & ids)
    result = rtgate(
        "run", "--quick", "--profile", profile, "--preset", name, "--report-dir", str(tmp_path),
        "--requirement", ",".join(rules), "-k", "test_delete_with_failing_steps and rdt",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    tests = json.loads((tmp_path / "compliance.json").read_text())["tests"]
    outcomes = {t["nodeid"].partition("[")[2]: t["outcome"] for t in tests}
    assert len(outcomes) == 2 * len(cells), outcomes
    assert set(outcomes.values()) == {"pass"}, outcomes
