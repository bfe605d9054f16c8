"""The jinja2 environment of the HTML reports (the run's page and the fleet's page).

Autoescaping is on and undefined names are errors, so a template cannot print unescaped data
or silently print nothing; every string the template prints is cleaned by
:func:`harness.report._text.clean_text` (markup the template builds itself is left alone).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from harness.report._text import clean_text

__all__ = ["TEMPLATES", "environment"]

TEMPLATES = Path(__file__).with_name("templates")


@functools.cache
def environment(**filters: Callable[..., Any]) -> jinja2.Environment:
    """One environment per set of filters and process: it keeps the compiled templates."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(filters)
    env.filters["clean"] = clean_text
    return env


def _finalize(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_text(value)
    return value
