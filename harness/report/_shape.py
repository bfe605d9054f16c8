"""The kind of every field of a ``compliance.json`` being read, checked against the packaged
schema (``compliance.schema.json``), so a report edited by hand or written by another tool
ends in one line naming the field (``requirements[3].outcome``), never a traceback later.

The schema is the one place that knows each field's kind; this walks only the keywords that
say kinds and keys (``type``, ``enum``, ``const``, ``properties``, ``required``,
``additionalProperties``, ``items``, ``anyOf``, ``$ref``).  Patterns, bounds and formats are
left to the JSON Schema tests of the writer: a wrong one misleads a reader, it does not break
rtgate.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

__all__ = ["shape_problem"]

Json = dict[str, Any]

_KINDS: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


@functools.cache
def _schema() -> Json:
    text = resources.files("harness.report").joinpath("compliance.schema.json").read_text()
    return json.loads(text)


def shape_problem(data: Json, *, check_required: bool = True) -> str | None:
    """What is the wrong kind in ``data`` (a parsed report), first found; None when nothing.

    ``check_required=False`` for a report of an earlier schema, which may lack later keys.
    The ``schema`` key itself is the caller's to check: it says which reports are readable.
    """
    top = _schema()
    return _problem({**data, "schema": top["properties"]["schema"].get("const")}, top, "",
                    check_required)  # fmt: skip


def _problem(value: Any, schema: Json, where: str, required: bool) -> str | None:
    if "$ref" in schema:
        return _problem(value, _resolve(schema["$ref"]), where, required)
    if "anyOf" in schema:
        if any(_problem(value, branch, where, required) is None for branch in schema["anyOf"]):
            return None
        return f"{where or 'the report'} must be {_kinds(schema)} (got {_got(value)})"
    if "type" in schema and not _is(value, schema["type"]):
        return f"{where or 'the report'} must be {_kinds(schema)} (got {_got(value)})"
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(v) for v in schema["enum"])
        return f"{where} must be one of {allowed} (got {_got(value)})"
    if "const" in schema and value != schema["const"]:
        return f"{where} must be {schema['const']!r} (got {_got(value)})"
    if isinstance(value, dict):
        return _object_problem(value, schema, where, required)
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found = _problem(item, schema["items"], f"{where}[{index}]", required)
            if found:
                return found
    return None


def _object_problem(value: Json, schema: Json, where: str, required: bool) -> str | None:
    """The first key that is missing, unknown or of the wrong kind."""
    prefix = f"{where}." if where else ""
    if required:
        for key in schema.get("required", ()):
            if key not in value:
                return f"{prefix}{key} is missing"
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        sub = properties.get(key, extra)
        if sub is False:
            return f"{prefix}{key} is not a field of the report"
        if isinstance(sub, dict):
            found = _problem(item, sub, f"{prefix}{key}", required)
            if found:
                return found
    return None


def _resolve(ref: str) -> Json:
    node: Any = _schema()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _is(value: Any, kinds: str | list[str]) -> bool:
    names = [kinds] if isinstance(kinds, str) else kinds
    if isinstance(value, bool):  # a bool is an int to Python, never a number to JSON
        return "boolean" in names
    return any(isinstance(value, _KINDS[name]) for name in names)


def _kinds(schema: Json) -> str:
    """What a schema accepts, in words: ``a string or null``."""
    if "$ref" in schema:
        return _kinds(_resolve(schema["$ref"]))
    if "anyOf" in schema:
        return " or ".join(dict.fromkeys(_kinds(branch) for branch in schema["anyOf"]))
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    kinds = schema.get("type", "anything")
    names = [kinds] if isinstance(kinds, str) else kinds
    return " or ".join("null" if n == "null" else f"an {n}" if n[0] in "aeiou" else f"a {n}"
                       for n in names)  # fmt: skip


def _got(value: Any) -> str:
    """The value as a message shows it: short, with its JSON kind when that is the problem."""
    if isinstance(value, dict | list):
        return f"an {'object' if isinstance(value, dict) else 'array'}"
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."
