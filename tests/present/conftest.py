"""A mined portfolio to export and draw: the three repositories of tests/service/flows.py
and a fourth whose name is markup, to show that no export or card lets it through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from graphql_api.jobs.service import Services
from tests.mining.repo_builder import Repo
from tests.service.flows import ADA, DAY, T0, build_portfolio, upload, wait_for_job
from tests.service.live import zip_folder

HOSTILE = '<svg onload=alert(1)> *x* [y](z) & "q"'


def build_hostile(root: Path, home: Path) -> None:
    repo = Repo(root / HOSTILE, home)
    repo.write("lib/tool.py", "def run():\n    return 2\n" * 15)
    repo.commit("Tool", author=ADA, when=T0 + 30 * DAY)
    repo.write("lib/more.py", "VALUE = 3\n" * 10)
    repo.commit("More", author=ADA, when=T0 + 31 * DAY)


@pytest.fixture
async def mined(app: Starlette, client: httpx.AsyncClient, tmp_path: Path) -> dict[str, Any]:
    """The portfolio's global id and the app's services, once its mining job succeeded."""
    root = build_portfolio(tmp_path / "src", tmp_path / "home")
    build_hostile(root, tmp_path / "home")
    payload = await upload(client, zip_folder(root))
    assert payload["userErrors"] == []
    services: Services = app.state.app_state.ready()
    job = await wait_for_job(services, payload["job"]["id"])
    assert job.status == "succeeded"
    return {"id": payload["portfolio"]["id"], "services": services}
