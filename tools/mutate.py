"""``make mutate``: how strong the conformance suite is, measured by mutating the reference.

mutmut 3 writes every mutant of a module into a copy of the project (``mutants/``), each behind a
trampoline that a variable of the environment switches on, and records once which tests call which
function (its "stats"), so a mutant runs only the tests that reach its function.  Here the killer
is the conformance suite itself, ``harness/scenarios`` run as ``rtgate run --profile P --preset X``
runs it, and a mutant counts as killed when some profile and preset its module is about fails it.

One mutmut run checks one profile and preset (its pytest options are fixed for the run, and its
stats are only true for them).  So the first pass runs every mutant under the widest profile
(runc 1.2) on each module's main preset; each later pass reruns, by name, only the mutants that
are still alive and whose module is about that pass's profile and preset (:func:`plan`).  A
mutant runs only the tests that reach the lines it changes (:mod:`tools.mutant_reach`), those
that killed its function's earlier mutants first (:mod:`tools.mutant_order`), so a killed mutant
mostly costs one test and the hour goes to the survivors.  A mutant that timed out runs once
more, alone, before a timeout counts as a kill (a busy machine slows living mutants).
Each pass works in its own staged copy under ``build/mutate/`` that is removed at the end
(``--keep`` keeps it), so the tree is never mutated and mutmut's state never mixes two
configurations.

A mutant whose hand-written fate in ``docs/mutation-fates.toml`` is ``equivalent`` or
``unspecified``, and whose diff still has the fate's line, is not tested again: it is recorded
as ``fated`` (``--retest-fated`` tests it anyway).  The score, the survivors with their diffs
and the pass that killed each mutant go to
``docs/mutation.md`` and ``docs/mutation.json`` (:mod:`mutation_report`).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from tools import mutate_args
from tools.mutant_reach import line_reach
from tools.mutant_reach import reaching_tests
from tools.mutant_reach import write_reach
from tools.mutate_args import selected
from tools.mutation_report import KILLED
from tools.mutation_report import NOT_REACHED
from tools.mutation_report import Outcome
from tools.mutation_report import order
from tools.mutation_report import render
from tools.mutation_report import settled
from tools.mutation_report import write_report

ROOT = Path(__file__).resolve().parent.parent

#: the modules of reference_impl mutated, each with the presets its behaviour depends on; every
#: module is about every profile of the catalog.  The first preset of each is its main one.
#: A preset is only the machine of the tests that use the run's own host: the rules of a host
#: kind (cgroup v2 or hybrid, MBA, CDP, no resctrl) boot their own machine whatever the preset.
#: So a preset earns its pass only by what those tests see there.  At 488c6d2 (docs/mutation-
#: runs/) the MBA, CDP and no-resctrl passes killed none of the 53 intelrdt mutants still alive
#: (477 s) and the hybrid pass 2 of 185 (539 s), both dir modes that CG-DIR-MODE now checks on
#: every kind of host; the v2 pass killed 14 (Load, Pause and the dir mode on a v2 run host).
MODULES: dict[str, tuple[str, ...]] = {
    "states": ("v1-cat",),
    "container": ("v1-cat",),
    "hooks": ("v1-cat",),
    "profiles": ("v1-cat",),
    "cgroups": ("v1-cat", "v2-cat"),
    "intelrdt": ("v1-cat",),
    "features": ("v1-cat",),
    "oci_refusals": ("v1-cat",),
    "cli": ("v1-cat",),
}
#: what a run mutates unless --modules says otherwise: every module but the command line, most
#: of which (create, start, kill, delete as runc's CLI layer) has never been measured; its
#: newer commands are measured by name (``--modules cli --only cli:_update,cli:_features``)
DEFAULT_MODULES = tuple(m for m in MODULES if m != "cli")
#: what is copied into a pass's stage: the code under test, the suite, and pytest's setup
STAGED = ("reference_impl", "harness", "tools", "conftest.py", "pyproject.toml")
#: a mutant's tests may take this many times as long (wall clock) as they took unmutated before
#: the mutant counts as a timeout (mutmut's default, 15, let a mutant that hangs its tests
#: cost six minutes and more of the hour; the suite's own timings vary far less than 4x)
TIMEOUT_MULTIPLIER = 4.0
#: the suite, as ``rtgate run`` runs it (mutmut adds ``-x``: the first failure kills)
SUITE = "harness/scenarios"
_RESULT = re.compile(r"^\s*(\S+): (.+)$")


@dataclasses.dataclass(frozen=True)
class Pass:
    """One mutmut run: a profile and a preset, and the modules that are about them."""

    profile: str
    preset: str
    modules: tuple[str, ...]

    @property
    def slug(self) -> str:
        return f"{self.profile}--{self.preset}"


#: the profile that runs first, and alone on a module's other presets.  Its rules reach the most
#: code: every feature of runc 1.2 (cgroup v2, hybrid hosts, MBA, CDP, closID), while the seed,
#: runc 1.1 and the runtime-spec each add only a few branches of their own, which it leaves
#: unreached (cheap).  A mutant that outlives a pass costs every test that reaches it, so the
#: passes that kill most go first: this profile on the main presets, then on the other presets
#: (the hybrid join, cgroup v2, MBA and CDP, which the main presets reach but cannot judge), and
#: only then the other profiles on the main presets.  The seed's and the runtime-spec's rules
#: do not depend on those hosts, so they would only rerun there what they checked on the main
#: presets; a profile whose code differs on one is in :data:`OWN_PRESETS`.
WIDEST_PROFILE = "runc-1.2"
#: the presets where a profile other than the widest runs code of its own, by module: runc 1.1
#: removes its cgroup v2 group with one RemovePath and no retries (v1.1.5 fs2/fs2.go:142-144),
#: which no other profile's pass reaches (at f8da852 seven mutants of it were never reached)
OWN_PRESETS: dict[str, dict[str, tuple[str, ...]]] = {"runc-1.1": {"cgroups": ("v2-cat",)}}


def plan(modules: Iterable[str], profiles: list[str], default_profile: str) -> list[Pass]:
    """The passes: :data:`WIDEST_PROFILE` (if chosen, else the default profile, else the first
    chosen) on each module's main preset first, then the widest profile on each module's other
    presets, then every other profile (the default first) on the main presets, and last each
    other profile on the presets where it runs code of its own (:data:`OWN_PRESETS`)."""
    chosen = tuple(modules)
    first = next(
        (p for p in (WIDEST_PROFILE, default_profile) if p in profiles), sorted(profiles)[0]
    )
    ordered = sorted(profiles, key=lambda p: (p != first, p != default_profile, p))
    pairs: dict[tuple[str, str], list[str]] = {}
    for module in chosen:
        pairs.setdefault((first, MODULES[module][0]), []).append(module)
    if first == WIDEST_PROFILE:
        for module in chosen:
            for preset in MODULES[module][1:]:
                pairs.setdefault((WIDEST_PROFILE, preset), []).append(module)
    for profile in ordered[1:]:
        for module in chosen:
            pairs.setdefault((profile, MODULES[module][0]), []).append(module)
    for profile in ordered[1:]:
        for module in chosen:
            for preset in OWN_PRESETS.get(profile, {}).get(module, ()):
                pairs.setdefault((profile, preset), []).append(module)
    return [Pass(profile, preset, tuple(mods)) for (profile, preset), mods in pairs.items()]


def module_of(mutant: str) -> str:
    """``reference_impl.cgroups.fs.x_set__mutmut_3`` -> ``cgroups``."""
    return mutant.split(".")[1]


def source_glob(module: str) -> str:
    """The files of a module, as mutmut's ``only_mutate`` pattern."""
    single = ROOT / "reference_impl" / f"{module}.py"
    return f"reference_impl/{module}.py" if single.exists() else f"reference_impl/{module}/*"


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def pytest_args(step: Pass, quick: bool) -> list[str]:
    """The suite's options in a pass: its profile and preset (mutmut adds the tests)."""
    args = ["-p", "no:cacheprovider", "-p", "tools.mutant_order"]
    args.append(f"--rtgate-profile={step.profile}")
    args.append(f"--rtgate-preset={step.preset}")
    if quick:
        args.append("--hypothesis-profile=rtgate-quick")
    return args


def mutmut_config(step: Pass, quick: bool) -> str:
    """The ``[tool.mutmut]`` table of a pass: its modules, and the suite under its options."""
    args = pytest_args(step, quick)
    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["reference_impl"]\n'
        f"only_mutate = {_toml_list(source_glob(m) for m in step.modules)}\n"
        'also_copy = ["harness", "tools", "conftest.py"]\n'
        f"pytest_add_cli_args = {_toml_list(args)}\n"
        f"pytest_add_cli_args_test_selection = {_toml_list([SUITE])}\n"
        "use_git_change_detection = false\n"
        f"timeout_multiplier = {TIMEOUT_MULTIPLIER}\n"
    )


def stage(step: Pass, base: Path, quick: bool) -> Path:
    """A fresh copy of what a pass needs, its mutmut table appended to pyproject.toml."""
    where = base / step.slug
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in STAGED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=skip)
        else:
            shutil.copy2(source, where / name)
    with open(where / "pyproject.toml", "a") as out:
        out.write(mutmut_config(step, quick))
    return where


def mutmut(where: Path, *args: str, log: Path | None = None) -> str:
    """Run the venv's mutmut in a stage; its output (into ``log`` when given).

    Raises:
        RuntimeError: mutmut failed (the log says why).
    """
    command = [str(Path(sys.executable).parent / "mutmut"), *args]
    if log is None:
        done = subprocess.run(command, cwd=where, capture_output=True, text=True, check=False)
        output = done.stdout
    else:
        with open(log, "w") as sink:
            done = subprocess.run(command, cwd=where, stdout=sink, stderr=subprocess.STDOUT)
        output = ""
    if done.returncode != 0:
        raise RuntimeError(
            f"mutmut {args[0]} failed in {where} (exit {done.returncode}); see {log}"
        )
    return output


def results(where: Path) -> dict[str, str]:
    """Every mutant of a stage and its status, as ``mutmut results --all true`` lists them."""
    found = {}
    for line in mutmut(where, "results", "--all", "true").splitlines():
        match = _RESULT.match(line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def run_pass(step: Pass, names: list[str] | None, base: Path, args: argparse.Namespace) -> dict:
    """One mutmut run over ``names`` (every mutant when None): each mutant's status, the diff
    of each one left alive, and how long it took.  A mutant whose hand-written fate no rule can
    change (:data:`SETTLED`) is not tested again; it is recorded as ``fated``.  Stopped (Ctrl-C,
    SIGTERM), it returns what the pass had checked, with ``stopped`` set."""
    started = time.monotonic()
    where = stage(step, base, args.quick)
    log = base / f"{step.slug}.log"
    every = _generate(where, log)
    fated: dict[str, str] = {}
    if names is None:  # the first pass: every mutant, less those whose fate still holds
        every = selected(every, args.only)
        fated = _settled(where, every, args.fates)
        names = [n for n in every if n not in fated]
    unreached: dict[str, str] = {}
    stopped = False
    try:
        if args.reach and names:
            names, unreached = _reached(step, where, names, base, args.quick)
        if names:
            mutmut(where, "run", "--max-children", str(args.jobs), *names, log=log)
            stopped = _confirm_timeouts(where, names, base / f"{step.slug}.timeouts.log")
    except KeyboardInterrupt:
        stopped = True
    found = checked(where, names)
    found["statuses"].update(dict.fromkeys(fated, "fated"))
    found["statuses"].update(dict.fromkeys(unreached, NOT_REACHED))
    found["diffs"].update(fated)
    found["diffs"].update(unreached)  # alive too: its fate is decided by its diff
    seconds = round(time.monotonic() - started, 1)
    print(f"mutate: {step.slug}: {len(found['statuses'])} mutants, {_count(found['statuses'])}")
    return {**found, "seconds": seconds, "stopped": stopped}


def _confirm_timeouts(where: Path, names: list[str] | None, log: Path) -> bool:
    """Run each mutant that timed out once more, alone: a timeout counts as killed, and a
    busy machine (two mutants at once, or other work beside the run) makes the tests of a
    living mutant slow enough to time out.  Only what times out again, or now fails, counts
    as killed.  Returns whether the run was stopped meanwhile."""
    timeouts = [n for n, s in results(where).items() if s == "timeout"]
    if names is not None:
        timeouts = [n for n in timeouts if n in set(names)]
    if not timeouts:
        return False
    try:
        mutmut(where, "run", "--max-children", "1", *timeouts, log=log)
    except KeyboardInterrupt:
        return True
    return False


#: a mutant name that matches no mutant: ``mutmut run`` with it generates the mutants and
#: collects the stats, then stops (exit 1), so the stage's mutants can be listed
_GENERATE_ONLY = "rtgate.generate-only"


def _generate(where: Path, log: Path) -> list[str]:
    """Make the stage's mutants and mutmut's stats without testing any; every mutant's name.

    Raises:
        RuntimeError: mutmut made none (its log says why).
    """
    with contextlib.suppress(RuntimeError):  # it stops, by design, after the stats
        mutmut(where, "run", _GENERATE_ONLY, log=log)
    names = list(results(where))
    if not names:
        raise RuntimeError(f"mutmut generated no mutants in {where}; see {log}")
    return names


def _settled(where: Path, names: list[str], fates: dict[str, dict[str, str]]) -> dict[str, str]:
    """Of ``names``, those whose fate still holds for their diff, with that diff.  Only the
    first pass asks: it records them as fated, so a later pass never gets one among the
    survivors it reruns."""
    candidates = [n for n in names if n in fates]
    diffs = diffs_of(where, candidates)
    return {n: diffs[n] for n in candidates if settled(n, diffs[n], fates)}


def _reached(
    step: Pass, where: Path, names: list[str], base: Path, quick: bool
) -> tuple[list[str], dict[str, str]]:
    """Split ``names`` into the mutants some test of the pass reaches and those none does,
    with their diffs (:mod:`tools.mutant_reach`), and leave each reached one's tests for
    :mod:`tools.mutant_order` to keep."""
    reach = line_reach(where, [*pytest_args(step, quick), SUITE], base / f"{step.slug}.reach.log")
    diffs = diffs_of(where, names)
    tests = {n: reaching_tests(n, diffs[n], where, reach) for n in names}
    write_reach(where / "mutants", tests)
    unreached = {n: diffs[n] for n in names if tests[n] == set()}
    return [n for n in names if n not in unreached], unreached


def checked(where: Path, names: list[str] | None) -> dict:
    """The statuses of a stage's mutants that mutmut checked (of ``names`` when given), and
    the diff of each one left alive."""
    statuses = {n: s for n, s in results(where).items() if s != "not checked"}
    if names is not None:
        statuses = {name: statuses[name] for name in names if name in statuses}
    alive = [name for name, status in statuses.items() if status not in KILLED]
    return {"statuses": statuses, "diffs": diffs_of(where, alive)}


def diffs_of(where: Path, names: list[str]) -> dict[str, str]:
    """Each named mutant's diff, read in one process in the stage (:mod:`tools.mutant_diffs`)."""
    if not names:
        return {}
    done = subprocess.run(
        [sys.executable, "-m", "tools.mutant_diffs"],
        cwd=where,
        input="\n".join(names),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"reading the diffs of {len(names)} mutants in {where}: {done.stderr}")
    return json.loads(done.stdout)


def _tail(log: Path) -> str:
    """The last line of a pass's log that says something, for the report."""
    text = log.read_text(errors="replace") if log.exists() else ""
    lines = [line.strip() for line in re.split(r"[\r\n]", text) if line.strip()]
    return lines[-1][:200] if lines else "no output"


def _count(statuses: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def mutate(args: argparse.Namespace) -> list[Outcome]:
    """Every pass of the plan in order; each mutant's outcome."""
    passes = plan(args.modules, args.profiles, args.default_profile)
    outcomes: dict[str, Outcome] = {}
    for index, step in enumerate(passes):
        alive = [
            name
            for name, outcome in outcomes.items()
            if outcome.killed_by is None
            and module_of(name) in step.modules
            and "fated" not in outcome.statuses.values()
        ]
        if index and not alive:
            continue
        try:
            found = run_pass(step, None if index == 0 else alive, args.work, args)
        except RuntimeError as err:
            # A pass whose unmutated suite fails (or that mutmut cannot run) kills nothing;
            # the first pass is every mutant's baseline, so without it there is no score.
            if index == 0:
                raise
            print(f"mutate: {step.slug}: skipped: {err}", file=sys.stderr)
            args.timings[step.slug] = f"failed: {_tail(args.work / f'{step.slug}.log')}"
            continue
        for name, status in found["statuses"].items():
            outcome = outcomes.setdefault(name, Outcome(name, module_of(name)))
            outcome.record(step.slug, status, found["diffs"].get(name))
            if status in KILLED and outcome.killed_by is None:
                outcome.killed_by = step.slug
        args.timings[step.slug] = found["seconds"]
        planned = [p.slug for p in passes[index + int(not found["stopped"]) :]]
        report(args, sorted(outcomes.values(), key=lambda o: order(o.name)), planned)
        if found["stopped"]:
            raise KeyboardInterrupt(f"stopped in {step.slug}")
    return sorted(outcomes.values(), key=lambda o: order(o.name))


def report(args: argparse.Namespace, outcomes: list[Outcome], planned: list[str]) -> str:
    """Write the report of what ran so far (after every pass, so a stopped run leaves one);
    ``planned`` are the passes still to run, which a partial report names."""
    run = {
        "modules": args.modules,
        "profiles": args.profiles,
        "quick": args.quick,
        "jobs": args.jobs,
        "seconds": round(time.monotonic() - args.started, 1),
        "passes": args.timings,
        "not_yet_run": planned,
    }
    if args.only:
        run["only"] = {module: list(functions) for module, functions in args.only.items()}
    return write_report(outcomes, run, Path(args.out), args.before, args.fates_file)


def parse(argv: list[str]) -> argparse.Namespace:
    """The run's options (:mod:`tools.mutate_args`)."""
    return mutate_args.parse(argv, MODULES, DEFAULT_MODULES, ROOT, __doc__.split("\n")[0])


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the run as Ctrl-C does: the pass under way reports what it checked."""
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    args = parse(argv)
    if args.render:
        render(Path(args.out), args.fates_file)
        return 0
    args.started = time.monotonic()
    previous = Path(args.out).with_suffix(".json")
    args.before = json.loads(previous.read_text()) if previous.exists() else {}
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        outcomes = mutate(args)
    except RuntimeError as err:
        print(f"mutate: {err}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(f"mutate: stopped; the partial report is in {args.out}.md", file=sys.stderr)
        return 130
    finally:
        if not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
            with contextlib.suppress(OSError):
                args.work.parent.rmdir()  # build/, when make mutate made it
    score = report(args, outcomes, [])
    print(f"mutate: score {score} over {len(outcomes)} mutants; written to {args.out}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
