"""Headless Chromium draws the served cards: a page embedding all three, in both themes, is
screenshotted and the PNG must hold each theme's colours (bars, calendar shades, background).

Needs Debian's `chromium` (`.ci/run` installs it when missing); skipped without it, except in
CI, where a missing browser fails the test."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from graphql_api.present import cards
from tests.present.test_cards import card_path

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed"
)
SIZE = (1620, 620)


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _page(files: dict[tuple[cards.Card, cards.Theme], str]) -> str:
    rows = []
    for theme in cards.Theme:
        background = cards.PALETTES[theme].background
        images = "".join(
            f'<img src="{files[card, theme]}" alt="{card.value}">' for card in cards.Card
        )
        rows.append(f'<div style="background:{background}">{images}</div>')
    style = (
        "body{margin:0;background:#808080}"
        "div{display:flex;align-items:flex-start;gap:10px;padding:10px}"
    )
    return f"<!DOCTYPE html><html><head><style>{style}</style></head><body>{''.join(rows)}"


async def screenshot(page: Path, png: Path) -> None:
    assert CHROMIUM is not None, "chromium is needed (apt-get install chromium)"
    process = await asyncio.create_subprocess_exec(
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # as root (CI), Chromium's sandbox refuses to start
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--force-device-scale-factor=1",
        f"--user-data-dir={page.parent / 'chromium-profile'}",
        f"--window-size={SIZE[0]},{SIZE[1]}",
        f"--screenshot={png}",
        page.as_uri(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode == 0, stderr.decode(errors="replace")[-2000:]


async def test_headless_chromium_draws_every_card_in_both_themes(
    client: httpx.AsyncClient, mined: dict[str, Any], tmp_path: Path
) -> None:
    files = {}
    for card in cards.Card:
        for theme in cards.Theme:
            response = await client.get(card_path(mined["id"], card.value, theme.value))
            assert response.status_code == 200
            name = f"{card.value}-{theme.value}.svg"
            (tmp_path / name).write_bytes(response.content)  # the served bytes, as served
            files[card, theme] = name
    page = tmp_path / "cards.html"
    page.write_text(_page(files))
    png = tmp_path / "cards.png"
    await screenshot(page, png)
    print(f"screenshot: {png}")

    with Image.open(png) as image:
        assert image.size == SIZE
        found = image.convert("RGB").getcolors(maxcolors=SIZE[0] * SIZE[1]) or []
    pixels = Counter({colour: count for count, colour in found})
    assert len(pixels) > 50  # not blank: text, bars, shades, two backgrounds
    for theme in cards.Theme:
        palette = cards.PALETTES[theme]
        drawn = {colour: pixels[_rgb(colour)] for colour in (palette.bar, *palette.heat)}
        # Bars and meters (thousands of pixels), every calendar shade used (a 10 x 10 cell
        # is 100 pixels; the busiest shade is drawn at least on the legend).
        assert drawn[palette.bar] > 2000, (theme, drawn)
        assert all(count >= 80 for count in drawn.values()), (theme, drawn)
        assert pixels[_rgb(palette.background)] > 20_000, theme
