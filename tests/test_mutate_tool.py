"""``make mutate``'s driver (tools/mutate.py) without running mutmut: which passes it plans, that
its table names real modules and presets, and what its report says of survivors and fates."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

import tools.mutate
from harness.fakes.presets import PRESETS
from harness.spec.catalog import load_catalog
from tests.plugin.conftest import Project
from tools.mutate import MODULES
from tools.mutate import OWN_PRESETS
from tools.mutate import WIDEST_PROFILE
from tools.mutate import mutmut_config
from tools.mutate import parse
from tools.mutate import plan
from tools.mutate import source_glob
from tools.mutation_report import Outcome
from tools.mutation_report import write_report

ROOT = Path(__file__).resolve().parent.parent
RUN = {"modules": ["states"], "quick": True, "jobs": 2, "seconds": 1.0, "not_yet_run": []}


def test_every_module_and_preset_of_the_table_exists() -> None:
    for module, presets in MODULES.items():
        assert list(ROOT.glob(source_glob(module))), f"no file of reference_impl for {module}"
        assert set(presets) <= set(PRESETS), f"{module}: unknown presets {presets}"


def test_the_first_passes_run_the_widest_profile_on_every_preset_then_the_others() -> None:
    profiles = sorted(load_catalog().profiles)
    passes = plan(MODULES, profiles, "seed")
    assert (passes[0].profile, passes[0].preset) == (WIDEST_PROFILE, "v1-cat")
    assert passes[0].modules == tuple(MODULES)
    widest = [p.profile == WIDEST_PROFILE for p in passes]
    assert widest == sorted(widest, reverse=True), "the widest profile's passes come first"
    others = [p.profile for p in passes if p.profile != WIDEST_PROFILE]
    assert others[0] == "seed", "then the default profile"
    pairs = {(p.profile, p.preset) for p in passes}
    main = {(p, presets[0]) for p in profiles for presets in MODULES.values()}
    later = {(WIDEST_PROFILE, x) for presets in MODULES.values() for x in presets[1:]}
    own = {(p, x) for p, by in OWN_PRESETS.items() for xs in by.values() for x in xs}
    assert pairs == main | later | own and len(pairs) == len(passes)
    assert passes[-1].profile in OWN_PRESETS, "a profile's own presets come last"
    assert WIDEST_PROFILE in profiles
    assert all(m in MODULES and p.preset in MODULES[m] for p in passes for m in p.modules)


def test_without_the_widest_profile_the_default_profile_goes_first() -> None:
    passes = plan(["cgroups"], ["runc-1.1", "seed"], "seed")
    assert [(p.profile, p.preset) for p in passes] == [
        ("seed", "v1-cat"),
        ("runc-1.1", "v1-cat"),
        ("runc-1.1", "v2-cat"),  # its own cgroup v2 removal
    ]


def test_a_profile_chosen_alone_gets_its_passes() -> None:
    """--profiles runtime-spec ran the default profile's pass and no runtime-spec one."""
    passes = plan(["states"], ["runtime-spec"], "seed")
    assert [(p.profile, p.preset) for p in passes] == [("runtime-spec", MODULES["states"][0])]


def test_a_pass_runs_the_suite_under_its_profile_and_preset() -> None:
    (step,) = plan(["hooks"], ["runc-1.2"], "seed")
    table = mutmut_config(step, quick=False)
    assert '"--rtgate-profile=runc-1.2"' in table and '"--rtgate-preset=v1-cat"' in table
    assert 'only_mutate = ["reference_impl/hooks.py"]' in table
    assert 'pytest_add_cli_args_test_selection = ["harness/scenarios"]' in table


def test_bad_modules_and_profiles_are_one_usage_error(capsys) -> None:
    for argv in (["--modules", "nosuch"], ["--profiles", "nosuch"]):
        try:
            parse(argv)
        except SystemExit as stop:
            assert stop.code == 2
        else:
            raise AssertionError(f"{argv} was accepted")
    assert "must be among" in capsys.readouterr().err


def _outcome(name: str, status: str, diff: str | None = None) -> Outcome:
    outcome = Outcome(f"reference_impl.states.{name}", "states")
    outcome.record("seed--v1-cat", status, diff)
    if status == "killed":
        outcome.killed_by = "seed--v1-cat"
    return outcome


def test_survivors_keep_their_fates_and_killed_ones_are_killed_later(tmp_path: Path) -> None:
    stem = tmp_path / "mutation"
    (tmp_path / "mutation-fates.toml").write_text(
        '[[mutant]]\nname = "reference_impl.states.x_a__mutmut_1"\nfate = "equivalent"\n'
        'reason = "never read"\nline = "+    x = None"\n'
        '[[mutant]]\nname = "reference_impl.states.x_b__mutmut_1"\nfate = "equivalent"\n'
        'reason = "stale"\nline = "+    y = 2"\n'
    )
    first = [_outcome("x_a__mutmut_1", "survived", "+    x = None"),
             _outcome("x_b__mutmut_1", "survived", "+    y = 3"),
             _outcome("x_c__mutmut_1", "no tests", "+    z")]  # fmt: skip
    assert write_report(first, {**RUN, "passes": {"seed--v1-cat": 1}}, stem, {}) == "0.0%"
    text = stem.with_suffix(".md").read_text()
    assert "equivalent (never read)" in text and "open (the recorded fate names a line" in text
    before = json.loads(stem.with_suffix(".json").read_text())
    second = [_outcome("x_a__mutmut_1", "survived", "+    x = None"),
              _outcome("x_b__mutmut_1", "survived", "+    y = 3"),
              _outcome("x_c__mutmut_1", "killed")]  # fmt: skip
    assert write_report(second, {**RUN, "passes": {"seed--v1-cat": 1}}, stem, before) == "33.3%"
    text = stem.with_suffix(".md").read_text()
    assert "killed-later (by seed--v1-cat)" in text and "## Survivors (2 alive" in text
    assert "Partial" not in text
    write_report(second, {**RUN, "passes": {}, "not_yet_run": ["runc-1.2--v1-cat"]}, stem, before)
    assert "**Partial:**" in stem.with_suffix(".md").read_text()


def hooks_run(tmp_path: Path, *options: str) -> argparse.Namespace:
    """The arguments of a run over hooks under the seed profile, reporting into tmp_path."""
    out = str(tmp_path / "mutation")
    args = parse(["--modules", "hooks", "--profiles", "seed", *options, "--out", out])
    args.started, args.before = 0.0, {}
    return args


def test_a_stopped_run_leaves_a_partial_report(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C or SIGTERM in a pass: what mutmut had checked is reported, the rest is not."""

    def fake_mutmut(where: Path, *args: str, log: Path | None = None) -> str:
        if args[0] == "run" and tools.mutate._GENERATE_ONLY not in args:
            raise KeyboardInterrupt
        if args[0] == "run":
            return ""
        if args[0] == "results":
            return "    reference_impl.hooks.x_run_hook__mutmut_1: killed\n" + (
                "    reference_impl.hooks.x_run_hook__mutmut_2: not checked\n"
            )
        raise AssertionError(f"no diff is asked for a killed mutant: {args}")

    monkeypatch.setattr(tools.mutate, "mutmut", fake_mutmut)
    monkeypatch.setattr(tools.mutate, "stage", lambda step, base, quick: tmp_path)
    args = parse(["--modules", "hooks", "--no-reach", "--out", str(tmp_path / "mutation")])
    args.started, args.before = 0.0, {}
    try:
        tools.mutate.mutate(args)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("a stopped pass must stop the run")
    record = json.loads((tmp_path / "mutation.json").read_text())
    assert list(record["mutants"]) == ["reference_impl.hooks.x_run_hook__mutmut_1"]
    assert record["run"]["not_yet_run"][0] == f"{WIDEST_PROFILE}--v1-cat"
    assert "**Partial:**" in (tmp_path / "mutation.md").read_text()


def test_a_mutant_fated_equivalent_is_not_tested_again(tmp_path: Path, monkeypatch) -> None:
    """A fate no rule can change, whose line its diff still has, spares the mutant a run; the
    report counts it apart from the score's denominator, and not as killed."""
    fated, tested = (
        "reference_impl.hooks.x_run_hook__mutmut_2",
        "reference_impl.hooks.x_run_hook__mutmut_1",
    )
    (tmp_path / "mutation-fates.toml").write_text(
        f'[[mutant]]\nname = "{fated}"\nfate = "equivalent"\nreason = "r"\nline = "+    y"\n'
    )
    runs: list[tuple[str, ...]] = []

    def fake_mutmut(where: Path, *args: str, log: Path | None = None) -> str:
        if args[0] == "run":
            runs.append(args)
            if tools.mutate._GENERATE_ONLY in args:
                raise RuntimeError("nothing matches, as meant")
            return ""
        status = "killed" if runs[-1:] and tested in runs[-1] else "not checked"
        return f"    {tested}: {status}\n    {fated}: not checked\n"

    monkeypatch.setattr(tools.mutate, "mutmut", fake_mutmut)
    monkeypatch.setattr(tools.mutate, "stage", lambda step, base, quick: tmp_path)
    monkeypatch.setattr(
        tools.mutate, "diffs_of", lambda where, names: dict.fromkeys(names, "+    y")
    )
    args = hooks_run(tmp_path, "--no-reach")
    outcomes = tools.mutate.mutate(args)
    assert runs[-1][-1] == tested and fated not in runs[-1], runs
    assert {o.name: list(o.statuses.values()) for o in outcomes} == {
        tested: ["killed"],
        fated: ["fated"],
    }
    tools.mutate.report(args, outcomes, [])
    text = (tmp_path / "mutation.md").read_text()
    assert "| total | 2 | 1 | 1 | 50.0% | 1 | 100.0% |" in text, text


def test_known_killers_run_first_and_the_rest_fastest_first() -> None:
    from collections import Counter

    from tools.mutant_order import function_of
    from tools.mutant_order import order

    assert (
        function_of("reference_impl.hooks.x_run_hook__mutmut_3")
        == "reference_impl.hooks.x_run_hook"
    )
    assert function_of("stats") is None and function_of("") is None
    tests = ["slow", "fast", "killer", "other-killer", "unknown"]
    killers = Counter({"killer": 3, "other-killer": 1})
    durations = {"slow": 9.0, "fast": 0.1, "killer": 5.0, "other-killer": 0.2}
    assert order(tests, killers, durations) == ["killer", "other-killer", "fast", "slow", "unknown"]


def test_every_pass_runs_the_suite_with_the_killer_ordering() -> None:
    (step,) = plan(["hooks"], ["seed"], "seed")
    table = mutmut_config(step, quick=True)
    assert '"-p", "tools.mutant_order"' in table and '"tools"' in table


def test_a_timeout_counts_only_if_it_times_out_again_alone(tmp_path: Path, monkeypatch) -> None:
    """A busy machine makes a living mutant's tests slow: each timeout runs once more, alone,
    and only what that run says is recorded."""
    slow, killed = (
        "reference_impl.hooks.x_run_hook__mutmut_1",
        "reference_impl.hooks.x_run_hook__mutmut_2",
    )
    runs: list[tuple[str, ...]] = []

    def fake_mutmut(where: Path, *args: str, log: Path | None = None) -> str:
        if args[0] == "run":
            runs.append(args)
            return ""
        rerun = any(slow in run and len(run) == 4 for run in runs)
        return f"    {slow}: {'survived' if rerun else 'timeout'}\n    {killed}: killed\n"

    monkeypatch.setattr(tools.mutate, "mutmut", fake_mutmut)
    monkeypatch.setattr(tools.mutate, "stage", lambda step, base, quick: tmp_path)
    monkeypatch.setattr(tools.mutate, "diffs_of", lambda where, names: dict.fromkeys(names, "-x"))
    args = hooks_run(tmp_path, "--no-reach")
    outcomes = tools.mutate.mutate(args)
    assert runs[-1] == ("run", "--max-children", "1", slow), runs
    assert {o.name: list(o.statuses.values()) for o in outcomes} == {
        slow: ["survived"],
        killed: ["killed"],
    }


def test_only_restricts_a_module_to_its_named_functions(capsys) -> None:
    """``--only cli:_update`` mutates that function of the command line and nothing else of
    it; a module --only does not name is mutated whole."""
    args = parse(["--modules", "features,cli", "--only", "cli:_update,cli:_feat*"])
    names = [
        "reference_impl.cli.x__update__mutmut_1",
        "reference_impl.cli.x__features__mutmut_2",
        "reference_impl.cli.x__start__mutmut_1",
        "reference_impl.features.x_features_document__mutmut_1",
    ]
    kept = tools.mutate.selected(names, args.only)
    assert kept == [names[0], names[1], names[3]]
    for bad in ("cli", "hooks:run_hook", "cli:"):
        try:
            parse(["--modules", "cli", "--only", bad])
        except SystemExit as stop:
            assert stop.code == 2
        else:
            raise AssertionError(f"--only {bad} was accepted")
    assert "--only: must be MODULE:FUNCTION" in capsys.readouterr().err


def test_the_command_line_is_mutated_only_when_asked() -> None:
    assert "cli" in MODULES and "cli" not in parse([]).modules
    assert "features" in parse([]).modules


def test_a_run_reported_elsewhere_reads_the_fates_it_is_given(tmp_path: Path) -> None:
    """--out puts a partial run's report beside the others; --fates keeps the project's
    fates for it, which the report then shows."""
    fates = tmp_path / "fates.toml"
    fates.write_text(
        '[[mutant]]\nname = "reference_impl.states.x_a__mutmut_1"\nfate = "equivalent"\n'
        'reason = "never read"\nline = "+    x = None"\n'
    )
    stem = tmp_path / "runs" / "rdt"
    stem.parent.mkdir()
    args = parse(["--modules", "states", "--out", str(stem), "--fates", str(fates)])
    assert "reference_impl.states.x_a__mutmut_1" in args.fates
    run = {**RUN, "passes": {"seed--v1-cat": 1}, "only": {"states": ["a"]}}
    write_report([_outcome("x_a__mutmut_1", "survived", "+    x = None")], run, stem, {}, fates)
    text = stem.with_suffix(".md").read_text()
    assert "equivalent (never read)" in text and "states: only a" in text


def test_a_run_reported_elsewhere_keeps_the_projects_fates(tmp_path: Path) -> None:
    args = parse(["--modules", "states", "--out", str(tmp_path / "elsewhere")])
    assert args.fates_file == ROOT / "docs" / "mutation-fates.toml"
    assert "reference_impl.states.xǁRestoredStateǁ__init____mutmut_1" in args.fates
    own = tmp_path / "own-fates.toml"
    own.write_text("")
    assert parse(["--modules", "states", "--out", str(tmp_path / "own")]).fates_file == own


#: a selection whose test passes and leaves one of the requirements it names unchecked, as a
#: coverage-chosen selection of the suite does: the verdict fails it, pytest does not
UNCHECKED_IN_SELECTION = """
import pytest

@pytest.mark.requirement("T-ONE-A", "T-ONE-B")
def test_one(verify):
    verify("T-ONE-A", True, "one")

def test_fails_when_asked():
    import os
    assert os.environ.get("FAIL_IT") != "1"
"""


@pytest.mark.parametrize("failing", [False, True], ids=["tests-pass", "a-test-fails"])
def test_in_a_pass_a_test_kills_a_mutant_never_the_verdict(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, failing: bool
) -> None:
    """mutmut reads the exit code: under tools.mutant_order it is pytest's, whatever the
    verdict of the selection says; without it, the verdict's (plain pytest mode)."""
    project = Project(pytester)
    pytester.makepyfile(test_selection=UNCHECKED_IN_SELECTION)
    monkeypatch.setenv("FAIL_IT", "1" if failing else "0")
    monkeypatch.syspath_prepend(str(ROOT))
    plain = project.run("--rtgate-profile=seed", "-k", "test_one or test_fails")
    assert plain.ret == 1, plain.stdout.str()  # T-ONE-B untested: the verdict fails
    in_pass = project.run("--rtgate-profile=seed", "-p", "tools.mutant_order")
    assert in_pass.ret == (1 if failing else 0), in_pass.stdout.str()
    in_pass.stdout.fnmatch_lines(["rtgate: verdict FAIL (*"])
