"""Prefs from their JSON document: a chronology override may give one date only."""

from __future__ import annotations

from datetime import date

from mining.analyze.prefs import ChronologyOverride, RepresentationPrefs


def test_an_override_of_the_first_date_alone_keeps_the_mined_last_one() -> None:
    prefs = RepresentationPrefs.from_json(
        {"chronology_overrides": {"api": {"first": "2021-03-04"}, "web": {"last": "2022-01-31"}}}
    )
    assert prefs.chronology("api", "api") == ChronologyOverride(date(2021, 3, 4), None)
    assert prefs.chronology("src/web", "web") == ChronologyOverride(None, date(2022, 1, 31))
    assert prefs.chronology("other", "other") == ChronologyOverride()
