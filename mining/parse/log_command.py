"""The history pass's command: `git log` with LOG_OPTIONS, whose output mining/parse/log.py
parses (the format and the parser are written against each other).

A module of its own, importing nothing: `mine` starts this pass before its first project's
history is read (mining/launch.py), and the parser and its records (datetime, NamedTuple) are
not needed until then.
"""

from __future__ import annotations

# %aN/%aE apply .mailmap (git-log(1), PRETTY FORMATS); %ae is the address as recorded, so a user
# can be recognised by an old address that .mailmap maps onto a new one.
LOG_FORMAT = "%x1e%H%x00%P%x00%aN%x00%aE%x00%ae%x00%at"
# The history pass's options (mining/history/log_reader.py).
LOG_OPTIONS = (
    "-z",
    "--numstat",
    "--find-renames",
    "--no-textconv",
    "--no-ext-diff",
    "--no-show-signature",
    "--no-color",
    f"--format={LOG_FORMAT}",
)
LOG_ARGS = ("log", *LOG_OPTIONS)


def history_args(head: str) -> list[str]:
    """The one history pass of `head` (read_history's lead)."""
    return [*LOG_ARGS, "--end-of-options", head]
