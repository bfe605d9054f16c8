"""The factory's own failures: a Load whose state.json cannot be read or decoded, or whose
refresh fails, returns that error and no container; a factory without a root refuses, and one
whose root cannot be made fails where the root is made; a symlink at <root>/<id>."""

from __future__ import annotations

import errno
import os
import re
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import mode_of
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.containers import raised
from harness.scenarios._support.containers import umask
from harness.spec import tables
from harness.subjects import ApiSubject
from harness.subjects.base import Factory


def _kind(err: BaseException | None) -> str:
    """What a Go caller tells ``err`` by ("" for an error with no code nor sentinel)."""
    return str(getattr(err, "kind", "") or "")


def _spoil_state_file(host: Host, path: str, how: str) -> tuple[str, Any]:
    """Make the next Load's reading of state.json at ``path`` fail ``how``; the error text
    Go gives that (the seed's SystemError prints it alone) and the armed fault, if any."""
    if how in ("open", "read"):
        err = errno.EACCES if how == "open" else errno.EIO
        return path_error(how, path, err), inject(host, how, path, err)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # what the seed's in-place os.Create leaves when its write fails: nothing, or a part
    kept = "" if how == "empty" else text[: len(text) // 2]
    with open(path, "w", encoding="utf-8") as f:
        f.write(kept)
    return tables.message(f"state_json_{how.replace('-', '_')}"), None


@pytest.mark.requirement("LC-FACTORY-LOAD-UNREADABLE")
@pytest.mark.parametrize("how", ["open", "read", "empty", "cut-short"])
def test_load_of_an_unreadable_state_file(
    factory: Factory, host: Host, profile: str, verify: Any, how: str
) -> None:
    rule = "LC-FACTORY-LOAD-UNREADABLE"
    cid = host.container_id(f"lu-{how}")
    factory.create(cid, config_for(cid)).run(INIT)
    path = os.path.join(host.state_root, cid, "state.json")
    want, fault = _spoil_state_file(host, path, how)
    loaded: list[object] = []
    err = raised(lambda: loaded.append(factory.load(cid)))
    if fault is not None:
        assert host.fired(fault), f"the {how} fault on {path} never fired"
    got = "no error" if err is None else str(err)
    verify(rule, got == want, f"Load with state.json {how} must fail with {want!r}: {got!r}")
    verify(rule, not loaded, f"a failed Load must return no container: {loaded}")
    kind, want_kind = _kind(err), tables.error_kind("factory_system", profile)
    verify(rule, kind == want_kind, f"the error's kind is {kind!r}, want {want_kind!r}")


@pytest.mark.requirement("LC-FACTORY-LOAD-REFRESH-ERROR")
def test_load_whose_refresh_fails(factory: Factory, host: Host, profile: str, verify: Any) -> None:
    rule = "LC-FACTORY-LOAD-REFRESH-ERROR"
    cid = host.container_id("lr")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    pid = init_pid(c)
    freezer, _, _ = host.freezer_file(pid)
    fault = inject(host, "read", freezer, errno.EIO)
    loaded: list[object] = []
    err = raised(lambda: loaded.append(factory.load(cid)))
    assert host.fired(fault), f"Load never read {freezer}"
    got = "no error" if err is None else str(err)
    read_error = path_error("read", freezer, errno.EIO)
    want = tables.message("paused_check_failed", profile, err=read_error)
    # a SystemError with a cause starts with the file and line where it was made
    shown = re.fullmatch(rf"(?:\S+:\d+: )?{re.escape(want)}", got) is not None
    verify(rule, shown, f"Load must fail with the refresh's error {want!r}: {got!r}")
    verify(rule, not loaded, f"a failed Load must return no container: {loaded}")
    verify(rule, host.is_alive(pid), f"a failed Load must leave init {pid} alone")


@pytest.mark.requirement("LC-FACTORY-ROOT-NOT-SET")
@pytest.mark.parametrize("operation", ["create", "create-invalid-id", "load"])
def test_factory_without_a_root(
    subject: ApiSubject, host: Host, profile: str, verify: Any, operation: str
) -> None:
    rule = "LC-FACTORY-ROOT-NOT-SET"
    rootless = subject.new_factory("", host.system, profile)
    cid = "a/b" if operation == "create-invalid-id" else host.container_id("nr")
    calls = {"load": lambda: rootless.load(cid)}
    err = raised(calls.get(operation, lambda: rootless.create(cid, config_for(cid))))
    got = "no error" if err is None else str(err)
    want = tables.message("root_not_set", profile)
    verify(rule, got == want, f'{operation} with root "" must fail with {want!r}: {got!r}')
    kind, want_kind = _kind(err), tables.error_kind("root_not_set", profile)
    verify(rule, kind == want_kind, f"the error's kind is {kind!r}, want {want_kind!r}")
    made = sorted(os.listdir(host.state_root)) + [p for p in (cid, "a") if os.path.lexists(p)]
    verify(rule, not made, f"a factory without a root must make nothing: {made}")


def _fresh_root(host: Host) -> tuple[str, str]:
    """A state root two levels below the host's, neither of which exists yet."""
    parent = os.path.join(host.state_root, "nested")
    return parent, os.path.join(parent, "root")


def _verify_mkdir_failed(
    rule: str, verify: Any, profile: str, err: BaseException | None, directory: str
) -> None:
    """The factory failed with the EIO of its mkdir of ``directory`` (Go's *PathError, of the
    profile's kind) and left no such directory."""
    got = "no error" if err is None else str(err)
    want = path_error("mkdir", directory, errno.EIO)
    verify(rule, got == want, f"the mkdir's error must be returned, {want!r}: {got!r}")
    kind, want_kind = _kind(err), tables.error_kind("factory_system", profile)
    verify(rule, kind == want_kind, f"the error's kind is {kind!r}, want {want_kind!r}")
    verify(rule, not os.path.exists(directory), f"no directory may be left: {directory}")


@pytest.mark.requirement("LC-FACTORY-ROOT-MADE")
def test_factory_makes_its_root(subject: ApiSubject, host: Host, profile: str, verify: Any) -> None:
    rule = "LC-FACTORY-ROOT-MADE"
    made_by, mode = tables.factory_root(profile)
    parent, root = _fresh_root(host)
    mask = 0o022
    cid = host.container_id("rm")
    with umask(mask):
        made = subject.new_factory(root, host.system, profile)
        there_before_create = os.path.isdir(root)
        made.create(cid, config_for(cid))
    if made_by == "new":
        verify(rule, there_before_create, f"the factory must make its root {root} at once")
    modes = {path: mode_of(path) for path in (parent, root) if os.path.isdir(path)}
    want = {path: mode & ~mask for path in (parent, root)}
    verify(rule, modes == want, f"the root and its parent have modes {modes}, want {want}")


@pytest.mark.requirement("LC-FACTORY-ROOT-MADE")
def test_factory_whose_root_cannot_be_made(
    subject: ApiSubject, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-FACTORY-ROOT-MADE"
    made_by, _ = tables.factory_root(profile)
    _, root = _fresh_root(host)
    fault = inject(host, "mkdir", root, errno.EIO)
    made: list[Factory] = []
    err = raised(lambda: made.append(subject.new_factory(root, host.system, profile)))
    step = "new"
    if err is None:
        step, cid = "create", host.container_id("rf")
        err = raised(lambda: made[0].create(cid, config_for(cid)))
    assert host.fired(fault), f"the mkdir of {root} never happened"
    verify(rule, step == made_by, f"the root's mkdir must fail {made_by}: it failed in {step}")
    _verify_mkdir_failed(rule, verify, profile, err, root)


@pytest.mark.requirement("LC-FACTORY-STATE-DIR")
def test_create_makes_the_state_dir(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-FACTORY-STATE-DIR"
    cid = host.container_id("sd")
    mask = 0o077
    with umask(mask):
        factory.create(cid, config_for(cid))
    directory = os.path.join(host.state_root, cid)
    mode = mode_of(directory) if os.path.isdir(directory) else None
    want = tables.factory_state_dir_mode(profile) & ~mask
    verify(rule, mode == want, f"{directory} has mode {mode and oct(mode)}, want {oct(want)}")


@pytest.mark.requirement("LC-FACTORY-STATE-DIR")
def test_create_whose_state_dir_cannot_be_made(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-FACTORY-STATE-DIR"
    cid = host.container_id("sf")
    directory = os.path.join(host.state_root, cid)
    fault = inject(host, "mkdir", directory, errno.EIO)
    made: list[object] = []
    err = raised(lambda: made.append(factory.create(cid, config_for(cid))))
    assert host.fired(fault), f"Create never made {directory}"
    verify(rule, not made, f"a failed Create must return no container: {made}")
    _verify_mkdir_failed(rule, verify, profile, err, directory)


@pytest.mark.requirement("LC-FACTORY-STATE-DIR-SYMLINK")
def test_state_dir_behind_a_symlink(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-FACTORY-STATE-DIR-SYMLINK"
    cid = host.container_id("sl")
    link, outside = os.path.join(host.state_root, cid), f"/{cid}-real"
    os.symlink(outside, link)  # absolute, dangling: as a tool or an attacker might leave it
    inside = os.path.normpath(host.state_root + outside)
    made: list[Any] = []
    err = raised(lambda: made.append(factory.create(cid, config_for(cid))))
    verify(rule, not os.path.lexists(outside), f"Create made {outside}, outside the root")
    if tables.factory_state_dir_join(profile) == "join":
        # Stat follows the link and finds nothing; MkdirAll's mkdir then meets the link
        got, want = "no error" if err is None else str(err), path_error("mkdir", link, errno.EEXIST)
        verify(rule, got == want, f"Create through a dangling link must fail {want!r}: {got!r}")
        verify(rule, not os.path.exists(inside), f"Create made {inside}")
        return
    verify(rule, err is None, f"Create must resolve the link inside the root: {err}")
    verify(rule, os.path.isdir(inside), f"Create must make the state dir at {inside}")
    if made:
        made[0].run(INIT)
    saved = os.path.join(inside, "state.json")
    verify(rule, os.path.exists(saved), f"the state must be saved at {saved}")
    shown: list[str] = []
    err = raised(lambda: shown.append(str(factory.load(cid).status())))
    status = shown[0] if shown else f"error {err}"
    verify(rule, status == "running", f"Load must find the container there: {status}")
