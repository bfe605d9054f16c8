"""Preset files: one simulated machine in TOML, for ``rtgate run --preset-file FILE``.

The file is written by ``rtgate doctor --capture FILE`` and meant to be read and edited by
people.  Its tables map 1:1 onto the topology dataclasses::

    name = "lab-skx"                 # the preset name the report shows
    summary = "..."                  # one line, as ``rtgate presets`` lists presets
    source = "..."                   # where the values come from
    [topology]                       # harness.fakes.topology.Topology
    [topology.resctrl]               # ResctrlTopology (L3 fields, era, ...)
    [topology.resctrl.l2]            # CacheTopology of L2 CAT
    [topology.resctrl.mba]           # MbaTopology
    [topology.resctrl.monitoring]    # MonitoringTopology

Keys are the dataclass fields; a key left out takes the field's default.  A part the machine
lacks (a field that is None) is written ``false``: ``resctrl = false`` is a CPU without RDT,
``mba = false`` a CPU without MBA.  Masks are TOML hex integers (``cbm_mask = 0x7ff``).
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import InputFileError
from harness.fakes.topology import Topology
from harness.fakes.topology_check import topology_problems
from harness.input_files import read_input

__all__ = ["PresetFile", "dump_preset", "load_preset_file", "parse_preset"]

#: fields written in hex
_HEX = {"cbm_mask", "shareable_bits"}


@dataclass(frozen=True, slots=True)
class PresetFile:
    """A machine read from a preset file."""

    name: str
    summary: str
    source: str
    topology: Topology


class _Bad(Exception):
    """One thing wrong with the file (becomes an InputFileError naming the file)."""


def load_preset_file(path: str | Path) -> PresetFile:
    """The machine of the preset file at ``path``.

    Raises:
        InputFileError: one line: the file is missing or unreadable, is not TOML, has an
            unknown key or a value of the wrong type, or describes an impossible machine.
    """
    raw = read_input(path, "preset file")  # a FIFO or /dev/zero is refused, not waited on
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputFileError(str(path), "not a preset file: not UTF-8 text") from None
    return parse_preset(text, str(path))


def parse_preset(text: str, path: str = "<preset>") -> PresetFile:
    """The machine a preset file's text describes.

    Raises:
        InputFileError: as :func:`load_preset_file`.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputFileError(path, f"not TOML: {err}") from None
    try:
        head = {k: v for k, v in data.items() if k != "topology"}
        _known(head, ("name", "summary", "source"), "the top level")
        name = _text(head, "name", required=True)
        table = data.get("topology")
        if not isinstance(table, dict):
            raise _Bad("[topology] is missing")
        topology = _build(Topology, table, "topology")
    except _Bad as err:
        raise InputFileError(path, str(err)) from None
    problems = topology_problems(topology)
    if problems:
        raise InputFileError(path, "impossible machine: " + "; ".join(problems))
    return PresetFile(name, _text(head, "summary"), _text(head, "source"), topology)


def _text(table: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Bad(f"'{key}' must be a non-empty string (got {value!r})")
    return value


def _known(table: dict[str, Any], names: typing.Iterable[str], where: str) -> None:
    known = tuple(names)
    for key in table:
        if key not in known:
            raise _Bad(f"unknown key {key!r} in {where} (known: {', '.join(known)})")


def _build(cls: type, table: dict[str, Any], where: str) -> Any:
    """``cls(**table)``, each value checked against the field's type."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _known(table, fields, f"[{where}]")
    hints = typing.get_type_hints(cls)
    values = {key: _value(hints[key], value, f"{where}.{key}") for key, value in table.items()}
    return cls(**values)


def _value(hint: Any, value: Any, where: str) -> Any:
    """``value`` as type ``hint`` says (False for None in an optional field)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is False and type(None) in args:
            return None
        (hint,) = [a for a in args if a is not type(None)]
        return _value(hint, value, where)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise _Bad(f"{where}: must be a table, or false for none (got {value!r})")
        return _build(typing.cast(type, hint), value, where)
    if origin is typing.Literal:
        if value not in args:
            raise _Bad(f"{where}: must be one of {args} (got {value!r})")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise _Bad(f"{where}: must be an array (got {value!r})")
        return tuple(_value(args[0], item, where) for item in value)
    if hint is int and isinstance(value, bool) or not isinstance(value, hint):
        raise _Bad(f"{where}: must be {hint.__name__} (got {value!r})")
    return value


def dump_preset(preset: PresetFile, notes: typing.Sequence[str] = ()) -> str:
    """The preset file of ``preset``: every field written, ``notes`` as comments on top."""
    lines = ["# rtgate preset file: rtgate run --preset-file THIS-FILE (docs/presets.md)"]
    lines += [f"# {note}" for note in notes]
    lines += [
        f"name = {_toml(preset.name)}",
        f"summary = {_toml(preset.summary)}",
        f"source = {_toml(preset.source)}",
    ]
    _table(preset.topology, "topology", lines)
    return "\n".join(lines) + "\n"


def _table(obj: Any, where: str, lines: list[str]) -> None:
    """``[where]`` with the scalar fields of ``obj``, then its sub-tables."""
    lines += ["", f"[{where}]"]
    later = []
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if dataclasses.is_dataclass(value):
            later.append((field.name, value))
        elif value is None:
            lines.append(f"{field.name} = false")
        elif field.name in _HEX:
            lines.append(f"{field.name} = {value:#x}")
        else:
            lines.append(f"{field.name} = {_toml(value)}")
    for name, value in later:
        _table(value, f"{where}.{name}", lines)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return "[" + ", ".join(_toml(item) for item in value) + "]"
