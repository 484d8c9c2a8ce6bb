"""Which commit authors are bots: their commits are listed apart, never in anyone's share.

An author (after .mailmap and email unification) is a bot when any of these holds:

* the name or the email's local part ends with ``[bot]`` (GitHub Apps:
  ``dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>``);
* the email is a bot's noreply address: a local part ending in ``-bot`` or ``[bot]`` at
  ``users.noreply.github.com``, or ``bot@renovateapp.com``-style addresses of the services below;
* the name or the email's local part (without a ``NNN+`` GitHub id prefix) is one of `KNOWN`,
  compared case-insensitively: automation accounts that commit under a plain name.

The list is deliberately short and exact: a person called "Bot" is not matched by a substring.
"""

from __future__ import annotations

import re

KNOWN: frozenset[str] = frozenset(
    {
        "dependabot",
        "dependabot-preview",
        "renovate",
        "renovate-bot",
        "renovatebot",
        "greenkeeper",
        "greenkeeperio-bot",
        "pre-commit-ci",
        "github-actions",
        "actions-user",
        "snyk-bot",
        "pyup-bot",
        "pyup.io bot",
        "imgbot",
        "imgbotapp",
        "allcontributors",
        "all-contributors",
        "codecov-io",
        "mergify",
        "semantic-release-bot",
        "deepsource-autofix",
        "bors",
        "bors-servo",
        "homu",
        "weblate",
        "transifex",
        "crowdin-bot",
        "copilot",
        "web-flow",
    }
)
_GITHUB_ID = re.compile(r"^\d+\+")


def is_bot(name: str, email: str) -> bool:
    """Whether an author is automation (rules in the module docstring)."""
    lowered = name.strip().lower()
    local, _, domain = email.strip().lower().partition("@")
    local = _GITHUB_ID.sub("", local)
    if lowered.endswith("[bot]") or local.endswith("[bot]"):
        return True
    if domain == "users.noreply.github.com" and local.endswith("-bot"):
        return True
    return lowered in KNOWN or local in KNOWN
