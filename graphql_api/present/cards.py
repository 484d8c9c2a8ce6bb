"""SVG cards of a developer profile: top languages, top skills with levels, activity calendar.

Every figure on a card says what it is a share or a count of, and each row's tooltip (`<title>`)
gives the numbers it is drawn from, so a reader can recompute it from the profile:
- languages: lines the user added + deleted per language, as a share of those lines in every
  language the profile counts (mining/analyze/profile.py: `languages_by_lines`);
- skills: the level and the proficiency (0..1) it comes from, and how many projects show it;
- activity: the user's commits per UTC day over the 53 weeks that end with their last one.

A card is an element tree (xml.etree.ElementTree) serialized once: every text and attribute is
escaped as it is written, so a language or skill named `<script>` is text, never markup.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from xml.etree.ElementTree import Element, SubElement, tostring

from mining.analyze.proficiency import LEVEL_THRESHOLDS, Level
from mining.analyze.profile import DeveloperProfile

# Part of every ETag: bump it when a card's drawing changes, so caches let the old one go.
DRAWING_VERSION = 1
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
TOP_LANGUAGES = 6
TOP_SKILLS = 8
WEEKS = 53
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LEVELS = tuple(level for _, level in sorted(LEVEL_THRESHOLDS))  # Beginner .. Expert


class Card(StrEnum):
    LANGUAGES = "languages"
    SKILLS = "skills"
    ACTIVITY = "activity"


class Theme(StrEnum):
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True, slots=True)
class Palette:
    background: str
    border: str
    text: str
    muted: str
    track: str  # the empty part of a bar or meter
    bar: str
    heat: tuple[str, str, str, str, str]  # no commit, then four shades up to the busiest day


PALETTES = {
    Theme.LIGHT: Palette(
        "#ffffff",
        "#d0d7de",
        "#1f2328",
        "#59636e",
        "#eaeef2",
        "#0969da",
        ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39"),
    ),
    Theme.DARK: Palette(
        "#0d1117",
        "#30363d",
        "#e6edf3",
        "#9198a1",
        "#21262d",
        "#4493f8",
        ("#161b22", "#0e4429", "#006d32", "#26a641", "#39d353"),
    ),
}


def etag(card: Card, theme: Theme, version: Hashable) -> str:
    """The card's ETag: the same for one state of the portfolio (`content.version`), another
    as soon as anything the profile is computed from changes."""
    key = repr((DRAWING_VERSION, card.value, theme.value, version)).encode()
    return '"' + hashlib.sha256(key).hexdigest()[:32] + '"'


def render(card: Card, theme: Theme, profile: DeveloperProfile) -> str:
    return _DRAWERS[card](profile, PALETTES[theme])


def render_all(profile: DeveloperProfile, theme: Theme = Theme.LIGHT) -> list[str]:
    """Every card, in `Card` order (the HTML portfolio export inlines them)."""
    return [render(card, theme, profile) for card in Card]


def _put(parent: Element, tag: str, text: str | None = None, **attrs: object) -> Element:
    """A child element; numbers are written with at most one decimal, names with dashes
    (`font_size` is `font-size`)."""
    element = SubElement(
        parent, tag, {name.rstrip("_").replace("_", "-"): _value(v) for name, v in attrs.items()}
    )
    if text is not None:
        element.text = text
    return element


def _value(value: object) -> str:
    return f"{value:.1f}".removesuffix(".0") if isinstance(value, float) else str(value)


def _label(parent: Element, x: float, y: float, text: str, fill: str, **attrs: object) -> None:
    style: dict[str, object] = {"font_family": FONT, "font_size": 12, **attrs}
    _put(parent, "text", text, x=x, y=y, fill=fill, **style)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _frame(card: Card, size: tuple[int, int], title: str, desc: str, palette: Palette) -> Element:
    """The card's frame and heading; its ids are the card's own, so the three cards can be
    inlined in one page (the HTML export) without two elements of the same id."""
    width, height = size
    svg = Element(
        "svg",
        {
            "xmlns": SVG_NAMESPACE,
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": f"{card.value}-title {card.value}-desc",
        },
    )
    _put(svg, "title", title, id=f"{card.value}-title")
    _put(svg, "desc", desc, id=f"{card.value}-desc")
    _put(
        svg,
        "rect",
        x=0.5,
        y=0.5,
        width=width - 1,
        height=height - 1,
        rx=6,
        fill=palette.background,
        stroke=palette.border,
    )
    _label(svg, 20, 30, title, palette.text, font_size=16, font_weight=600)
    return svg


def _footer(svg: Element, height: int, lines: tuple[str, ...], palette: Palette) -> None:
    for n, line in enumerate(lines):
        _label(svg, 20, height - 14 * (len(lines) - n), line, palette.muted, font_size=10.5)


def _serialize(svg: Element) -> str:
    return tostring(svg, encoding="unicode") + "\n"


def languages_card(profile: DeveloperProfile, palette: Palette) -> str:
    languages = profile.languages_by_lines
    base = sum(lang.lines for lang in languages)
    shown = languages[:TOP_LANGUAGES]
    width, height = 400, 96 + 26 * max(len(shown), 1)
    basis = (
        "Share of the user's changed lines (added + deleted):",
        f"{base} lines in {len(languages)} language{'s' if len(languages) != 1 else ''}.",
    )
    svg = _frame(Card.LANGUAGES, (width, height), "Top languages", " ".join(basis), palette)
    if not shown:
        _label(svg, 20, 62, "No lines of code by the user yet.", palette.muted)
    for n, lang in enumerate(shown):
        y, share = 60 + 26 * n, lang.lines / base if base else 0.0
        row = _put(svg, "g", class_="language")
        _put(
            row,
            "title",
            f"{lang.name}: {lang.lines} of {base} changed lines ({100 * share:.1f} %), "
            f"{lang.commits} commits, {lang.projects} project{'s' if lang.projects != 1 else ''}",
        )
        _label(row, 20, y, _clip(lang.name, 16), palette.text)
        _put(row, "rect", x=140, y=y - 10, width=190, height=10, rx=5, fill=palette.track)
        _put(
            row,
            "rect",
            x=140,
            y=y - 10,
            width=max(190 * share, 3),
            height=10,
            rx=5,
            fill=palette.bar,
        )
        _label(row, 380, y, f"{100 * share:.1f} %", palette.text, text_anchor="end")
    _footer(svg, height, basis, palette)
    return _serialize(svg)


def _thresholds() -> str:
    """`Beginner < 0.25 ≤ Intermediate < 0.5 ≤ …`, from the thresholds levels are given by."""
    bounds = sorted(LEVEL_THRESHOLDS)
    steps = [f"{bound:g} ≤ {level.value}" for bound, level in bounds[1:]]
    return " < ".join([bounds[0][1].value, *steps])


def skills_card(profile: DeveloperProfile, palette: Palette) -> str:
    shown = profile.top_skills[:TOP_SKILLS]
    width, height = 400, 96 + 26 * max(len(shown), 1)
    basis = ("Level from proficiency (0 to 1, on the right):", _thresholds())
    svg = _frame(Card.SKILLS, (width, height), "Top skills", " ".join(basis), palette)
    if not shown:
        _label(svg, 20, 62, "No skills shown by the user's work yet.", palette.muted)
    for n, skill in enumerate(shown):
        y = 60 + 26 * n
        row = _put(svg, "g", class_="skill")
        plural = "s" if skill.projects != 1 else ""
        _put(
            row,
            "title",
            f"{skill.name}: {skill.level.value}, proficiency {skill.proficiency:.2f}, "
            f"shown in {skill.projects} project{plural}",
        )
        _label(row, 20, y, _clip(skill.name, 18), palette.text)
        _meter(row, 160, y - 10, skill.level, palette)
        _label(row, 232, y, skill.level.value, palette.muted)
        _label(row, 380, y, f"{skill.proficiency:.2f}", palette.text, text_anchor="end")
    _footer(svg, height, basis, palette)
    return _serialize(svg)


def _meter(parent: Element, x: float, y: float, level: Level, palette: Palette) -> None:
    filled = LEVELS.index(level) + 1
    for step in range(len(LEVELS)):
        fill = palette.bar if step < filled else palette.track
        _put(parent, "rect", x=x + 16 * step, y=y, width=13, height=10, rx=2, fill=fill)


def _window(calendar: Mapping[date, int]) -> tuple[date, date]:
    """The 53 weeks (Sunday to Saturday) that end with the week of the last day with commits."""
    end = max(calendar)
    start = end - timedelta(days=(end.weekday() + 1) % 7) - timedelta(weeks=WEEKS - 1)
    return start, end


def _shade(count: int, busiest: int) -> int:
    """0 for no commit, else 1..4: the quarter of the busiest day's count it falls in."""
    return 0 if count == 0 else min(4, math.ceil(4 * count / busiest))


def activity_card(profile: DeveloperProfile, palette: Palette) -> str:
    calendar = profile.calendar
    width, height = 760, 200
    if not calendar:
        svg = _frame(
            Card.ACTIVITY, (width, height), "Activity", "No commits by the user yet.", palette
        )
        _label(svg, 20, 62, "No commits by the user yet.", palette.muted)
        return _serialize(svg)
    start, end = _window(calendar)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    counts = {day: calendar.get(day, 0) for day in days}
    busiest = max(counts.values())
    total, active = sum(counts.values()), sum(1 for c in counts.values() if c)
    title = f"Activity: {total} commit{'s' if total != 1 else ''} on {active} days"
    basis = (
        f"The user's commits per UTC day, {start.isoformat()} to {end.isoformat()}; "
        f"the busiest day had {busiest}.",
        "Shades: no commit, then each quarter of the busiest day's count.",
    )
    svg = _frame(Card.ACTIVITY, (width, height), title, " ".join(basis), palette)
    _calendar_labels(svg, days, palette)
    for n, day in enumerate(days):
        x, y = 44 + 13 * (n // 7), 52 + 13 * (n % 7)
        count = counts[day]
        cell = _put(
            svg,
            "rect",
            x=x,
            y=y,
            width=10,
            height=10,
            rx=2,
            fill=palette.heat[_shade(count, busiest)],
        )
        cell.set("data-date", day.isoformat())
        cell.set("data-count", str(count))
        _put(cell, "title", f"{day.isoformat()}: {count} commit{'s' if count != 1 else ''}")
    _legend(svg, width - 50, 150, palette)
    _footer(svg, height, basis, palette)
    return _serialize(svg)


def _calendar_labels(svg: Element, days: list[date], palette: Palette) -> None:
    for row, name in ((1, "Mon"), (3, "Wed"), (5, "Fri")):
        _label(svg, 12, 61 + 13 * row, name, palette.muted, font_size=9)
    for column in range(WEEKS - 1):  # the last week has no room for a name
        first = days[7 * column]
        if first.day <= 7:  # the week a month begins in
            _label(svg, 44 + 13 * column, 46, MONTHS[first.month - 1], palette.muted, font_size=9)


def _legend(svg: Element, right: float, y: float, palette: Palette) -> None:
    _label(svg, right - 5 * 13 - 6, y + 9, "Less", palette.muted, font_size=9, text_anchor="end")
    for n, shade in enumerate(palette.heat):
        _put(svg, "rect", x=right - (5 - n) * 13, y=y, width=10, height=10, rx=2, fill=shade)
    _label(svg, right + 4, y + 9, "More", palette.muted, font_size=9)


_DRAWERS: dict[Card, Callable[[DeveloperProfile, Palette], str]] = {
    Card.LANGUAGES: languages_card,
    Card.SKILLS: skills_card,
    Card.ACTIVITY: activity_card,
}
