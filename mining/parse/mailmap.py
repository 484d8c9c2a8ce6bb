"""Parser of `git check-mailmap <contact>...` output (git-check-mailmap(1)).

One line per contact, "Name <email>" or "<email>", after .mailmap is applied.
"""

from __future__ import annotations


def parse_check_mailmap(raw: bytes) -> tuple[str, ...]:
    """The canonical email of each contact, lower-cased, in order."""
    emails = []
    for line in raw.decode("utf-8", "replace").splitlines():
        _, _, tail = line.rpartition("<")
        emails.append(tail.rstrip().removesuffix(">").strip().lower())
    return tuple(emails)
