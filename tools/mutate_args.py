"""The options of ``python -m tools.mutate``: which modules, profiles and functions a run
mutates, and where its report and its fates are.

Kept apart from :mod:`tools.mutate` so that the driver stays the run itself.  ``--only``
exists for a module whose rules cover only part of it: the command line (``cli``) is mostly
runc's CLI layer of create, start, kill and delete, and a run about its ``features`` and
``update`` commands would otherwise test, and have to judge, every mutant of the rest.
"""

from __future__ import annotations

import argparse
import fnmatch
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path

from tools.mutation_report import Outcome
from tools.mutation_report import fates_path
from tools.mutation_report import load_fates

__all__ = ["parse", "parse_only", "selected"]


def parse_only(text: str | None, modules: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """``cli:_update,cli:_features`` -> ``{"cli": ("_update", "_features")}``: the functions
    (fnmatch patterns over :attr:`Outcome.function`) a module is restricted to.

    Raises:
        ValueError: an item is not MODULE:FUNCTION, or names a module the run does not mutate.
    """
    only: dict[str, tuple[str, ...]] = {}
    chosen = set(modules)
    for item in (part.strip() for part in (text or "").split(",")):
        if not item:
            continue
        module, sep, function = item.partition(":")
        if not sep or not function or module not in chosen:
            raise ValueError(f"must be MODULE:FUNCTION of a module of --modules (got {item!r})")
        only[module] = (*only.get(module, ()), function)
    return only


def selected(names: Iterable[str], only: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Of ``names`` (mutants), those ``only`` keeps: every mutant of a module it does not
    name, and of a module it names those whose function matches one of its patterns."""
    kept = []
    for name in names:
        module = name.split(".")[1]
        patterns = only.get(module)
        function = Outcome(name, module).function
        if patterns is None or any(fnmatch.fnmatchcase(function, p) for p in patterns):
            kept.append(name)
    return kept


def parse(
    argv: list[str],
    modules: Mapping[str, tuple[str, ...]],
    default_modules: tuple[str, ...],
    root: Path,
    description: str,
) -> argparse.Namespace:
    """The run's options, checked: ``modules`` is the driver's table (module -> presets)."""
    parser = argparse.ArgumentParser(prog="python -m tools.mutate", description=description)
    parser.add_argument(
        "--modules",
        default=",".join(default_modules),
        help=f"comma-separated modules of reference_impl, among {', '.join(modules)} "
        f"(default: {','.join(default_modules)})",
    )
    parser.add_argument(
        "--only",
        help="MODULE:FUNCTION,...: mutate only these functions of a module (fnmatch patterns, "
        "as the report names functions: _update, FsManager.apply); other modules whole",
    )
    parser.add_argument("--profiles", help="comma-separated profiles (default: the catalog's)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default: 2)")
    parser.add_argument("--quick", action="store_true", help="Hypothesis' rtgate-quick profile")
    parser.add_argument("--keep", action="store_true", help="keep build/mutate/ for mutmut browse")
    parser.add_argument(
        "--no-reach",
        dest="reach",
        action="store_false",
        help="run every test of a mutant's function, not only those that reach its lines",
    )
    parser.add_argument("--out", default=str(root / "docs" / "mutation"), help="report stem")
    parser.add_argument(
        "--fates",
        help="the fates written by hand (default: OUT-fates.toml where it exists, else the "
        "project's docs/mutation-fates.toml, so a run reported elsewhere keeps them)",
    )
    parser.add_argument(
        "--retest-fated",
        action="store_true",
        help="test again the mutants docs/mutation-fates.toml calls equivalent or unspecified",
    )
    parser.add_argument(
        "--render", action="store_true", help="only rewrite OUT.md from OUT.json and the fates"
    )
    args = parser.parse_args(argv)
    args.modules = [m.strip() for m in args.modules.split(",") if m.strip()]
    unknown = [m for m in args.modules if m not in modules]
    if unknown or not args.modules:
        parser.error(f"--modules: must be among {', '.join(modules)} (got {args.modules})")
    try:
        args.only = parse_only(args.only, args.modules)
    except ValueError as err:
        parser.error(f"--only: {err}")
    args.fates_file = Path(args.fates) if args.fates else _default_fates(Path(args.out), root)
    args.fates = {} if args.retest_fated else load_fates(args.fates_file)
    _check_profiles(parser, args, modules)
    args.work = root / "build" / "mutate"
    args.timings = {}
    return args


def _default_fates(out: Path, root: Path) -> Path:
    """The fates beside the report ``out``, or the project's when it has none of its own: a
    run reported in /tmp showed the project's equivalent mutants as open survivors."""
    own = fates_path(out)
    return own if own.exists() else fates_path(root / "docs" / "mutation")


def _check_profiles(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    modules: Mapping[str, tuple[str, ...]],
) -> None:
    """The profiles from the catalog (the one list of them), the presets from the fakes."""
    from harness.fakes.presets import PRESETS
    from harness.spec.catalog import load_catalog
    from harness.subjects.registry import KINDS

    known = sorted(load_catalog().profiles)
    given = [p.strip() for p in args.profiles.split(",") if p.strip()] if args.profiles else known
    if not given or set(given) - set(known):
        parser.error(f"--profiles: must be among {', '.join(known)} (got {args.profiles})")
    missing = sorted({p for m in args.modules for p in modules[m]} - set(PRESETS))
    if missing:
        parser.error(f"MODULES names presets the simulated host lacks: {missing}")
    args.profiles = given
    args.default_profile = KINDS["reference"].default_profile
