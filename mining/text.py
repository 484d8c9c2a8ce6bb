"""Caps and display rules for every string taken from a repository.

An upload controls author names, emails, paths and folder names, and a 17 KiB ZIP can hold a
megabyte author name repeated in every commit. Each string is cut to a documented limit where
it is parsed, and what is shown loses its control and format characters: C0/C1 controls,
and Unicode "Cf" (bidi overrides and isolates such as U+202E, zero-width joiners), which
would make "evil\u202egpj.py" display as "evilyp.jpg".

    MAX_NAME   256 characters  author names, project (folder) names
    MAX_EMAIL  320 characters  email addresses (RFC 5321: 64 + 1 + 255)
    MAX_PATH  1024 characters  file paths in history and in the tree at HEAD
    MAX_PROJECT_PATH  700      a project's path in its upload (the upload's label, up to 255,
                               goes in front of it, in a column of 1000)
    MAX_VALUE  256 characters  values read from manifests (package names)
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "MAX_EMAIL",
    "MAX_NAME",
    "MAX_PATH",
    "MAX_PROJECT_PATH",
    "MAX_VALUE",
    "PORTFOLIO_NAME",
    "cap",
    "displayable",
]

MAX_NAME = 256
MAX_EMAIL = 320
MAX_PATH = 1024
MAX_PROJECT_PATH = 700
MAX_VALUE = 256
PORTFOLIO_NAME = 200  # a name the client gives its portfolio (its column's width)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ELLIPSIS = "\u2026"


def displayable(text: str) -> str:
    """`text` without control characters or format characters (category Cf: bidi controls)."""
    text = _CONTROL.sub("", text)
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def cap(text: str, limit: int) -> str:
    """`text` made displayable and cut to `limit` characters (the cut marked with an ellipsis)."""
    if len(text) <= limit and text.isprintable():  # the common case, decided in C
        return text
    text = displayable(text)
    return text if len(text) <= limit else text[: limit - 1] + _ELLIPSIS
