"""Which authors are bots (mining/history/bots.py), and certificate bundles are not code."""

from __future__ import annotations

import pytest

from mining.history import activity, bots
from mining.records import ActivityKind
from mining.tree import languages


@pytest.mark.parametrize(
    ("name", "email", "expected"),
    [
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", True),
        ("Renovate Bot", "bot@renovateapp.com", False),  # not on the list, not a [bot] app
        ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com", True),
        ("pre-commit-ci", "66853113+pre-commit-ci@users.noreply.github.com", True),
        ("github-actions", "41898282+github-actions[bot]@users.noreply.github.com", True),
        ("someone", "12345+pyup-bot@users.noreply.github.com", True),
        ("Bot Botson", "bot.botson@example.com", False),  # a person called Bot
        ("David Lord", "davidism@gmail.com", False),
        ("abbot", "abbot@example.com", False),
    ],
)
def test_is_bot(name: str, email: str, expected: bool) -> None:
    assert bots.is_bot(name, email) is expected


@pytest.mark.parametrize("path", ["cacert.pem", "src/requests/cacert.pem", "keys/server.crt"])
def test_certificate_bundles_are_not_code(path: str) -> None:
    assert languages.language_of(path) is None
    assert languages.is_excluded(path)
    assert activity.left_out(path, activity.classify(path))
    assert activity.classify("src/app.py") is ActivityKind.CODE
