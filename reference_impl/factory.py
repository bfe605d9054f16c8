"""The factory: create and load containers under a state root (``LinuxFactory`` of the seed)."""

from __future__ import annotations

import errno
import json
import os
from typing import Any

from reference_impl.cgroups import CgroupManager
from reference_impl.cgroups import FsManager
from reference_impl.cgroups import new_manager
from reference_impl.cgroups.fs import FROZEN
from reference_impl.cgroups.fs import CgroupError
from reference_impl.cgroups.manager import cgroup_mode
from reference_impl.configs import CgroupConfig
from reference_impl.configs import Config
from reference_impl.container import STATE_FILE
from reference_impl.container import Container
from reference_impl.errors import ErrorCode
from reference_impl.errors import LibcontainerError
from reference_impl.errors import PathError
from reference_impl.errors import WrappedError
from reference_impl.errors import go_quote
from reference_impl.errors import new_generic_error
from reference_impl.errors import new_system_error
from reference_impl.fileutil import mkdir_all
from reference_impl.fileutil import secure_join
from reference_impl.intelrdt import IntelRdtManager
from reference_impl.intelrdt import RdtFeatures
from reference_impl.intelrdt import probe_features
from reference_impl.process import NonChildProcess
from reference_impl.profiles import SEED
from reference_impl.profiles import Profile
from reference_impl.profiles import get_profile
from reference_impl.system import System
from reference_impl.validate import ConfigValidationError
from reference_impl.validate import validate

__all__ = ["ID_PATTERN", "Factory", "new_factory", "validate_id"]

#: the seed's ``^[\w+-\.]+$``: inside the class, ``+-\.`` is the RANGE '+'..'.', which lets
#: commas in, and "." and ".." pass too (a path check came later, in runc 4eb30fcdb); each
#: profile carries its own pattern, the seed's is this one
ID_PATTERN = SEED.id_pattern


def validate_id(container_id: str, profile: Profile | None = None) -> None:
    """Raises the profile's invalid-id error (seed: GenericError(InvalidIdFormat) "invalid id
    format: <id>") for an id the profile does not accept."""
    profile = profile or SEED
    if not profile.valid_id(container_id):
        raise profile.refuse("invalid-id", id=container_id)


class Factory:
    """Creates and loads containers whose state dirs live under ``root``."""

    #: the container class this factory makes
    container_class: type[Container] = Container

    def __init__(self, root: str, system: System, profile: Profile) -> None:
        """The seed's ``New``: a root that is not "" is made at once (692f6e1
        factory_linux.go:129-134); runc 1.2 has no factory and makes it in each Create.

        Raises:
            LibcontainerError, OSError: the root's MkdirAll failed (see :meth:`_make_dirs`).
        """
        self.root = root
        self.system = system
        self.profile = profile
        self._features: RdtFeatures | None = None
        if root and profile.root_made_by == "new":
            self._make_dirs(root, 0o700)

    @property
    def rdt_features(self) -> RdtFeatures:
        """The host's resctrl mount and CAT support, probed once per factory."""
        if self._features is None:
            self._features = probe_features()
        return self._features

    def _rdt_manager(
        self, config: Config, container_id: str, path: str = ""
    ) -> IntelRdtManager | None:
        features = self.rdt_features
        era = self.profile.rdt_era
        # runc >= 1.2 makes a writer whenever resctrl is there; runc 1.1 asks for CAT or MBA
        # (features.enabled), the seed for the cat_l3 flag and a mount (692f6e1
        # factory_linux.go:207, utils_linux.go:46)
        if era == "seed":
            usable = features.seed_enabled
        elif self.profile.rdt_writer_needs_cat_or_mba:
            usable = features.enabled
        else:
            usable = features.root is not None
        if usable and config.intel_rdt is not None:
            return IntelRdtManager(
                features,
                container_id,
                path,
                config.intel_rdt,
                era=era,
                compare_closid=self.profile.rdt_closid_compare,
            )
        return None

    def _cgroup_manager(
        self, config: CgroupConfig | None, paths: dict[str, str] | None = None
    ) -> CgroupManager:
        """The manager the host calls for: v1, v2, or v1 on a hybrid host."""
        return new_manager(config, self.system, self.profile, paths)

    def create(self, container_id: str, config: Config) -> Container:
        """``Create``: checks in the seed's order; the new container is stopped."""
        if not self.root:
            raise self.profile.refuse("invalid-root")
        validate_id(container_id, self.profile)
        config = self.profile.known_config(config)
        try:
            validate(config, self.rdt_features, rdt_era=self.profile.rdt_era)
        except ConfigValidationError as err:
            raise new_generic_error(str(err), ErrorCode.CONFIG_INVALID) from err
        if self.profile.root_made_by == "create":
            self._make_dirs(self.root, 0o700)
        container_root = self._state_dir(container_id)
        if os.path.exists(container_root):
            raise self.profile.refuse("id-in-use", id=container_id)
        if config.cgroups is None and self.profile.create_requires_cgroups:
            raise LibcontainerError("cgroups/manager.New: config must not be nil")
        if self.profile.create_requires_devices:
            self._check_devices_mounted(config.cgroups)
        self._check_cgroup_unused(config.cgroups)
        # the seed's MkdirAll, runc 1.2's Mkdir below the root it made: the same mkdir here
        self._make_dirs(container_root, 0o711)
        return self.container_class(
            container_id,
            container_root,
            config,
            self.system,
            self.profile,
            self._cgroup_manager(config.cgroups),
            self._rdt_manager(config, container_id),
            self.rdt_features.root,
        )

    def _check_devices_mounted(self, config: CgroupConfig | None) -> None:
        """runc >= 1.1's v1 manager computes its paths when Create makes it, and there the
        devices hierarchy is fatal, every other missing one skipped (v1.2.0 factory_linux.go:
        57-60, cgroups/fs/fs.go:73-79, paths.go:36-46: cgroups.NotFoundError).

        Raises:
            CgroupError: "mountpoint for devices not found".
        """
        manager = self._cgroup_manager(config)
        if not isinstance(manager, FsManager) or config is None or config.paths is not None:
            return
        if "devices" not in manager.planned_paths():
            raise CgroupError("mountpoint for devices not found")

    def _check_cgroup_unused(self, config: CgroupConfig | None) -> None:
        """runc >= 1.1's check that the container's cgroup is not in use (v1.2.0
        factory_linux.go:62-87): Exists() and GetAllPids() ask the v1 devices group alone (or
        the v2 group), whose pids may vanish meanwhile (ENOENT, ENODEV); the freezer state asks
        its own group."""
        if not (
            self.profile.create_refuses_busy_cgroup or self.profile.create_refuses_frozen_cgroup
        ):
            return
        unborn = self._cgroup_manager(config)
        probe = self._cgroup_manager(config, unborn.planned_paths())
        if self.profile.create_refuses_busy_cgroup and probe.exists():
            try:
                pids = probe.get_all_pids()
            except OSError as err:
                if err.errno not in (errno.ENOENT, errno.ENODEV):
                    raise WrappedError("unable to get cgroup PIDs", err) from err
                pids = []
            if pids:
                raise LibcontainerError(
                    f"container's cgroup is not empty: {len(pids)} process(es) found"
                )
        if not self.profile.create_refuses_frozen_cgroup:
            return
        try:
            frozen = probe.freezer_state_on_disk() == FROZEN
        except OSError as err:
            raise WrappedError("unable to get cgroup freezer state", err) from err
        if frozen:
            raise LibcontainerError("container's cgroup unexpectedly frozen")

    def load(self, container_id: str) -> Container:
        """``Load``: read state.json, then refresh from what the host shows."""
        if not self.root:
            raise self.profile.refuse("invalid-root")
        if self.profile.load_validates_id:
            validate_id(container_id, self.profile)
        container_root = self._state_dir(container_id)
        state = self._load_state(container_root, container_id)
        config = Config.from_json(state["config"])
        self._check_unified_paths(state.get("cgroup_paths") or {})
        c = self.container_class(
            container_id,
            container_root,
            config,
            self.system,
            self.profile,
            self._cgroup_manager(config.cgroups, state.get("cgroup_paths") or {}),
            None,
            self.rdt_features.root,
        )
        c.init_process = NonChildProcess(
            state["init_process_pid"],
            state["init_process_start"],
            self.system,
            fds=state.get("external_descriptors"),
        )
        c.init_process_start_time = state["init_process_start"]
        c.created = state.get("created", "")
        c.state = c.state_for("loaded")
        c.refresh_state()
        c.intel_rdt_manager = self._rdt_manager(
            config, container_id, state.get("intel_rdt_path", "")
        )
        return c

    def _load_state(self, container_root: str, container_id: str) -> dict[str, Any]:
        """``loadState``: os.Open of state.json (a missing one is the profile's not-exists),
        then json.Decoder.Decode; any other failure is Go's own error, in the seed a SystemError
        around it (692f6e1 factory_linux.go:329-343; v1.2.0 :149-167, raw)."""
        path = self._join(container_root, STATE_FILE)
        try:
            f = open(path, encoding="utf-8")
        except FileNotFoundError as err:
            raise self.profile.refuse("not-exists", id=container_id) from err
        except OSError as err:
            raise self._system_error(PathError("open", path, err.errno or errno.EIO)) from err
        with f:
            try:
                text = f.read()
            except OSError as err:
                raise self._system_error(PathError("read", path, err.errno or errno.EIO)) from err
        try:
            # Decode reads one value and ignores whatever follows it
            doc = text.lstrip(_JSON_SPACE)
            state, _ = json.JSONDecoder().raw_decode(doc)
        except json.JSONDecodeError as err:
            decoded = LibcontainerError(go_json_error(doc, err))
            raise self._system_error(decoded) from err
        return dict(state)

    def _check_unified_paths(self, paths: dict[str, str]) -> None:
        """runc's NewWithPaths on a cgroup v2 host: the saved paths must be one clean absolute
        path (or "") under the key "" (v1.2.0 cgroups/manager/new.go:38-44, 58-78)."""
        if not self.profile.load_checks_unified_paths or cgroup_mode()[0] != "v2":
            return
        path = paths.get("", "")
        if len(paths) > 1:
            shown = " ".join(f"{key}:{paths[key]}" for key in sorted(paths))
            problem = f"expected a single path, got map[{shown}]"  # Go's %+v of the map
        elif path and (os.path.normpath(path) != path or not path.startswith("/")):
            problem = f"invalid path: {go_quote(path)}"
        else:
            return
        raise LibcontainerError(f"manager.NewWithPaths: inconsistent paths: {problem}")

    def _state_dir(self, container_id: str) -> str:
        """Where the container's state lives: ``<root>/<id>``, joined as the profile does."""
        return self._join(self.root, container_id)

    def _join(self, directory: str, name: str) -> str:
        """``filepath.Join`` (the seed) or ``securejoin.SecureJoin`` (runc), whose errors are
        returned as they are."""
        if self.profile.state_dir_join == "join":
            return os.path.join(directory, name)
        return secure_join(directory, name)

    def _make_dirs(self, path: str, mode: int) -> None:
        """``os.MkdirAll``, whose error is Go's *PathError "mkdir <level>: <errno>" of the
        level that failed, as the profile returns it."""
        try:
            mkdir_all(path, mode)
        except OSError as err:
            failed = PathError("mkdir", err.filename or path, err.errno or errno.EIO)
            raise self._system_error(failed) from err

    def _system_error(self, err: Exception) -> Exception:
        """A failed system call of the factory as the profile returns it: the seed's
        SystemError around it, or the error as it is (runc >= 1.1)."""
        return new_system_error(err) if self.profile.factory_system_errors else err


#: the white space encoding/json skips between tokens
_JSON_SPACE = " \t\r\n"


def go_json_error(doc: str, err: json.JSONDecodeError) -> str:
    """json.Decoder.Decode's error for a state.json that is not JSON (``doc``: its text from
    the first token on), in the cases a write cut short leaves: io.EOF for nothing but white
    space, io.ErrUnexpectedEOF for a document that ends before its value does (encoding/json
    stream.go readValue); any other syntax error keeps Python's description (Go names the
    offending character, which no rule asks)."""
    end = len(doc.rstrip(_JSON_SPACE))
    if not end:
        return "EOF"
    tail = doc[err.pos : end]
    cut_token = tail == "-" or any(word.startswith(tail) for word in ("true", "false", "null"))
    if err.pos >= end or err.msg.startswith("Unterminated string") or cut_token:
        return "unexpected EOF"
    return str(err)


def new_factory(root: str, system: System, profile: str = "seed") -> Factory:
    """The entry point a subject names: ``python:reference_impl:new_factory``."""
    return Factory(root, system, get_profile(profile))
