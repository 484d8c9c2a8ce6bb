"""Parser of `git check-mailmap <contact>...` output (git-check-mailmap(1)).

One line per contact, "Name <email>" or "<email>", after .mailmap is applied.
"""

from __future__ import annotations

import re


def parse_check_mailmap(raw: bytes) -> tuple[str, ...]:
    """The canonical email of each contact, lower-cased, in order."""
    emails = []
    for line in raw.decode("utf-8", "replace").splitlines():
        _, _, tail = line.rpartition("<")
        emails.append(tail.rstrip().removesuffix(">").strip().lower())
    return tuple(emails)


_BRACKETED = re.compile(rb"<([^>\n]*)>")


def mailmap_addresses(text: bytes) -> set[str]:
    """Every address a .mailmap names, as check-mailmap is asked about them: stripped and
    lower-cased. git reads an entry's addresses between a `<` and the next `>` of one line
    (gitmailmap(5)); this takes every such run, comments too, so that no address git could
    match is missing."""
    return {raw.decode("utf-8", "replace").strip().lower() for raw in _BRACKETED.findall(text)}
