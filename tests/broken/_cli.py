"""Replace one command of the reference's command line, for a broken runtime of tests/broken.

The reference's command line (``reference_impl.cli``) runs in process on a simulated host and as
``python -m reference_impl.cli`` on a real one, where its commands are ``__main__``'s own: a
broken runtime must patch both tables.  Its replacement checks the factory's class, so the
reference's own commands stay unchanged when the broken module is imported next to them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from reference_impl import cli as reference_cli

__all__ = ["patch_commands"]

Command = Callable[..., None]


def patch_commands(names: tuple[str, ...], wrap: Callable[[Command], Command]) -> None:
    """Make each command of ``names`` ``wrap(the first one's original)``, in every table."""
    tables: list[dict[str, Any]] = [reference_cli._COMMANDS]
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", "") == "reference_impl.cli":
        tables.append(main._COMMANDS)  # type: ignore[union-attr]
    for commands in tables:
        replacement = wrap(commands[names[0]])
        for name in names:
            commands[name] = replacement
