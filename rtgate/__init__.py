"""``rtgate``, the name users type: ``python -m rtgate`` is the ``rtgate`` command.

The code lives in :mod:`harness` (the command, the pytest plugin, the suite) and
:mod:`reference_impl`; this package only gives the tool its own import name.
"""

from __future__ import annotations

from harness import __version__
from harness.cli import main

__all__ = ["__version__", "main"]
