"""The reference as a runc-style command line: create, start, state, kill, delete, pause,
resume and run, each a fresh invocation that loads the container from its state dir.

Every command is a function of (arguments, System), so the same code runs as a program on a
real host (``python -m reference_impl.cli``) and in process on the simulated one.  The rules
are runc's CLI layer of the seed (``start.go``, ``kill.go``, ``delete.go``, ``utils_linux.go``);
where runc 1.2 differs the profile says so.  Errors print one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import importlib
import json
import logging
import os
import signal as signal_module
import sys
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import TextIO

from reference_impl.cgroups.writer import CgroupError
from reference_impl.configs import IntelRdtConfig
from reference_impl.container import Container
from reference_impl.errors import LibcontainerError
from reference_impl.factory import Factory
from reference_impl.features import features_document
from reference_impl.fileutil import remove_all
from reference_impl.intelrdt.manager import IntelRdtError
from reference_impl.intelrdt.validate import IntelRdtConfigError
from reference_impl.mountinfo import MountInfoError
from reference_impl.oci_config import BundleError
from reference_impl.oci_config import load_bundle
from reference_impl.profiles import get_profile
from reference_impl.system import RealSystem
from reference_impl.system import System
from reference_impl.update_resources import UpdateError
from reference_impl.update_resources import add_update_flags
from reference_impl.update_resources import updated_cgroups
from reference_impl.validate import ConfigValidationError

__all__ = ["DEFAULT_ROOT", "main"]

DEFAULT_ROOT = "/run/rtgate-reference"
#: killContainer: Signal(0) every 100 ms, 100 times, before "container init still running"
KILL_POLLS = 100
KILL_POLL_INTERVAL = 0.1

log = logging.getLogger("reference_impl.cli")


class CliError(Exception):
    """An error the command prints (one line) before it exits 1."""


#: what a command may fail with: printed in one line, exit 1 (a Python bug stays a traceback)
_COMMAND_ERRORS = (
    CliError, LibcontainerError, BundleError, OSError, CgroupError, IntelRdtError,
    IntelRdtConfigError, ConfigValidationError, MountInfoError, UpdateError,
)  # fmt: skip


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The command line, built once: building it looks up gettext catalogs on every call,
    which under a simulated filesystem costs more than the command it parses."""
    parser = argparse.ArgumentParser(prog="rtgate-reference", exit_on_error=False)
    parser.add_argument("--root", default=DEFAULT_ROOT, help="where containers' state dirs live")
    parser.add_argument(
        "--profile", default="seed", help="seed, runc-1.1, runc-1.2 or runtime-spec"
    )
    parser.add_argument(
        "--factory",
        default="",
        metavar="MODULE:ATTR",
        help="another implementation of the factory API to drive (default: the reference)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("create", "run"):
        sub = commands.add_parser(name, exit_on_error=False)
        sub.add_argument("--bundle", "-b", default=".")
        sub.add_argument("--pid-file", default="")
        if name == "run":
            sub.add_argument("--detach", "-d", action="store_true")
        sub.add_argument("id")
    for name in ("start", "state", "pause", "resume"):
        commands.add_parser(name, exit_on_error=False).add_argument("id")
    kill = commands.add_parser("kill", exit_on_error=False)
    kill.add_argument("--all", "-a", action="store_true")
    kill.add_argument("id")
    kill.add_argument("signal", nargs="?", default="TERM")
    delete = commands.add_parser("delete", exit_on_error=False)
    delete.add_argument("--force", "-f", action="store_true")
    delete.add_argument("id")
    commands.add_parser("features", exit_on_error=False)
    update = commands.add_parser("update", exit_on_error=False)
    update.add_argument("--l3-cache-schema", default="")
    update.add_argument("--mem-bw-schema", default="")
    add_update_flags(update)
    update.add_argument("id")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    system: System | None = None,
    new_factory: Callable[[str, System, str], Any] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command; its exit code.

    ``new_factory(root, system, profile)`` makes the factory the commands drive (the
    reference's by default; ``--factory MODULE:ATTR`` names one on the command line).
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    with _logging_to(err):
        return _main(argv, system, new_factory, out, err)


@contextlib.contextmanager
def _logging_to(err: TextIO) -> Iterator[None]:
    """What the runtime logs while a command runs (runc's logrus: warnings and the errors it
    only logs) goes to the command's stderr, as a line each."""
    handler = logging.StreamHandler(err)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("rtgate-reference: %(levelname)s: %(message)s"))
    root = logging.getLogger("reference_impl")
    root.addHandler(handler)
    propagate, root.propagate = root.propagate, False
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.propagate = propagate


def _main(
    argv: Sequence[str] | None,
    system: System | None,
    new_factory: Callable[[str, System, str], Any] | None,
    out: TextIO,
    err: TextIO,
) -> int:
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        make = new_factory or (_import_factory(args.factory) if args.factory else None)
        if make is None:
            factory = Factory(args.root, system or RealSystem(), get_profile(args.profile))
        else:
            factory = make(args.root, system or RealSystem(), args.profile)
        _COMMANDS[args.command](factory, args, out)
    except _COMMAND_ERRORS as error:  # runc's fatal(err): any error a command returns
        print(f"rtgate-reference: {error}", file=err)
        return 1
    except (argparse.ArgumentError, SystemExit) as error:
        if isinstance(error, SystemExit):  # --help
            return error.code if isinstance(error.code, int) else 0
        print(f"rtgate-reference: {error}", file=err)
        return 2
    return 0


def _import_factory(text: str) -> Callable[[str, System, str], Any]:
    """``MODULE:ATTR``, imported from the current directory first."""
    module_name, _, attr = text.partition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        made = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as error:
        raise CliError(f"--factory {text}: {error}") from None
    return made  # type: ignore[no-any-return]


def _create(factory: Factory, args: argparse.Namespace, out: TextIO) -> None:
    """``runc create``: make the container and start init blocked on the exec FIFO; on any
    failure destroy what was made (the error of that only logged) and report the first."""
    config, init = load_bundle(args.bundle, args.id, get_profile(args.profile).refuses_as_spec_says)
    container = factory.create(args.id, config)
    try:
        if args.command == "run":
            container.run(init)
        else:
            container.start(init)
    except Exception:
        _destroy_logged(container)
        raise
    if args.pid_file and container.init_process is not None:
        with open(args.pid_file, "w", encoding="ascii") as f:
            f.write(str(container.init_process.pid))


def _start(factory: Factory, args: argparse.Namespace, out: TextIO) -> None:
    container = factory.load(args.id)
    status = str(container.status())
    if status == "created":
        container.exec()
    elif status == "stopped":
        raise CliError("cannot start a container that has stopped")
    elif status == "running":
        raise CliError("cannot start an already running container")
    else:
        raise CliError(f"cannot start a container in the {status} state")


def _state(factory: Factory, args: argparse.Namespace, out: TextIO) -> None:
    container = factory.load(args.id)
    status = str(container.status())
    init = container.init_process
    state = {
        "ociVersion": container.config.version,
        "id": container.id,
        "status": status,
        "pid": init.pid if init is not None and status != "stopped" else 0,
        "bundle": container.config.label("bundle"),
        "annotations": {},
    }
    print(json.dumps(state, indent=2), file=out)


def _kill(factory: Factory, args: argparse.Namespace, out: TextIO) -> None:
    container = factory.load(args.id)
    sig = parse_signal(args.signal)
    if args.all:
        container.signal(sig, all_processes=True)
    else:
        container.signal(sig)


def _delete(factory: Factory, args: argparse.Namespace, out: TextIO) -> None:
    """``runc delete``: a stopped container is destroyed, a created one killed first (not
    under the runtime-spec profile); running and paused ones only with --force."""
    try:
        container = factory.load(args.id)
    except LibcontainerError as err:
        if isinstance(err.__cause__, FileNotFoundError):
            _remove_aborted(factory.root, args.id)
        if args.force:
            return
        raise
    status = str(container.status())
    if status == "stopped":
        _destroy(container)
    elif args.force or (status == "created" and _deletes_created(container)):
        _kill_container(container)
    else:
        raise CliError(f"cannot delete container {args.id} that is not stopped: {status}")


def _remove_aborted(root: str, container_id: str) -> None:
    """delete.go: an id with no state.json may still have a state dir (a create that was
    aborted before it wrote one); ``RemoveAll(<root>/<id>)`` takes it away, then the command
    fails with "does not exist".  A failure to remove is logged, not raised, as runc prints it.

    Only a directory directly under ``root`` is removed: the seed's id pattern lets ``..``
    through, and runc's RemoveAll would then take the root's parent; the reference does not
    copy that.
    """
    path = os.path.join(root, container_id)
    if container_id in ("", ".", "..") or os.path.dirname(os.path.normpath(path)) != (
        os.path.normpath(root)
    ):
        return
    try:
        remove_all(path)
    except OSError as err:
        log.error("remove %s: %s", path, err)


def _deletes_created(container: Container) -> bool:
    """runc's delete kills a created container; the runtime-spec says delete MUST error."""
    return getattr(container.profile, "cli_delete_created", "kill") == "kill"


def _pause(factory: Factory, args: argparse.Namespace, out: TextIO) -> None:
    factory.load(args.id).pause()


def _resume(factory: Factory, args: argparse.Namespace, out: TextIO) -> None:
    factory.load(args.id).resume()


def _kill_container(container: Container) -> None:
    """``killContainer``: SIGKILL, then Signal(0) until it fails (init is gone), then destroy."""
    container.signal(signal_module.SIGKILL)
    for _ in range(KILL_POLLS):
        try:
            container.signal(0)
        except Exception:  # noqa: BLE001 - a failing Signal(0) is how runc sees init gone
            _destroy(container)
            return
        container.system.sleep(KILL_POLL_INTERVAL)
    raise CliError("container init still running")


def _destroy(container: Container) -> None:
    """``destroy(container)`` of delete.go: the seed only logs Destroy's error (exit 0);
    runc 1.2 (7396ca90f) returns it."""
    profile = getattr(container, "profile", None)
    if getattr(profile, "cli_delete_reports_error", False):
        container.destroy()
    else:
        _destroy_logged(container)


def _destroy_logged(container: Container) -> None:
    try:
        container.destroy()
    except Exception as error:  # noqa: BLE001 - logged, as runc's destroy helper does
        log.error("%s", error)


def parse_signal(text: str) -> int:
    """A signal as runc takes it: a number, ``KILL`` or ``SIGKILL``.

    Raises:
        CliError: ``unknown signal "<text>"``.
    """
    if text.isdigit():
        return int(text)
    name = text.upper()
    name = name if name.startswith("SIG") else f"SIG{name}"
    try:
        return int(signal_module.Signals[name])
    except KeyError:
        raise CliError(f'unknown signal "{text}"') from None


def _update(factory: Factory, args: argparse.Namespace, out: TextIO) -> None:
    """``runc update``: the resources of its flags or file (:mod:`update_resources`) and the
    RDT schemas (v1.1.5 update.go:120-127, 299-328), the schemas refused for a
    feature the host lacks; a container made without intelRdt gets a group first (which
    runc 1.2's Set then leaves alone: the profile's ``rdt_update_sets_new_group``); both
    fields take the flags' values, and Set writes the ones given."""
    container = factory.load(args.id)
    l3, mb = args.l3_cache_schema, args.mem_bw_schema
    if l3 and not factory.rdt_features.cat_enabled:
        raise CliError("Intel RDT/CAT: l3 cache schema is not enabled")
    if mb and not factory.rdt_features.mba_enabled:
        raise CliError("Intel RDT/MBA: memory bandwidth schema is not enabled")
    config = container.config
    if config.cgroups is not None:
        config = dataclasses.replace(config, cgroups=updated_cgroups(config.cgroups, args))
    if l3 or mb:
        if config.intel_rdt is None:
            config = dataclasses.replace(config, intel_rdt=IntelRdtConfig())
            manager = factory._rdt_manager(config, container.id)
            init = container.init_process
            if manager is not None and init is not None:
                manager.apply(init.pid)
            if get_profile(args.profile).rdt_update_sets_new_group:
                container.intel_rdt_manager = manager
        rdt = dataclasses.replace(config.intel_rdt, l3_cache_schema=l3, mem_bw_schema=mb)
        config = dataclasses.replace(config, intel_rdt=rdt)
    container.set(config)


def _features(factory: Factory, args: argparse.Namespace, out: TextIO) -> None:
    """``runc features`` (v1.1.0 on): the profile's release says what it implements."""
    document = features_document(get_profile(args.profile))
    if document is None:
        raise CliError(f"no such command: features (profile {args.profile})")
    print(json.dumps(document, indent=4), file=out)


_COMMANDS = {
    "create": _create,
    "run": _create,
    "start": _start,
    "state": _state,
    "kill": _kill,
    "delete": _delete,
    "pause": _pause,
    "resume": _resume,
    "features": _features,
    "update": _update,
}

if __name__ == "__main__":
    sys.exit(main())
