"""A server that stops while it mines hands its job back: queued again, nothing of the
stopped attempt visible, and the next start mines it to the end."""

from __future__ import annotations

from pathlib import Path

from graphql_api.db import queries
from graphql_api.db.engine import Database
from graphql_api.jobs.events import job_topic
from graphql_api.schema import ids
from graphql_api.settings import Settings
from tests.service.flows import build_portfolio, upload, wait_for_job
from tests.service.live import started, zip_folder


async def test_a_job_running_at_shutdown_is_handed_back_and_finished_after(
    settings: Settings, tmp_path: Path
) -> None:
    archive = zip_folder(build_portfolio(tmp_path / "src", tmp_path / "home"))
    async with started(settings) as (first, http):
        services = first.state.app_state.ready()
        payload = await upload(http, archive)
        job_id = payload["job"]["id"]
        uid = ids.decode(job_id, "MiningJob")[1]
        async with services.bus.subscribe(job_topic(uid)) as events:
            async for event in events:
                if event.stage == "mining":  # git is running: stop the server now
                    break
    db = Database.from_url(settings.sqlalchemy_url)
    try:
        async with db.read() as session:
            handed_back = await queries.job_to_run(session, uid)
            assert handed_back is not None
            shown = await queries.portfolio_projects(
                session, handed_back.portfolio_id, owner_id=handed_back.owner_id
            )
    finally:
        await db.dispose()
    assert (handed_back.status, handed_back.stage, handed_back.attempts) == ("queued", "queued", 1)
    assert shown == []  # nothing of the stopped attempt
    async with started(settings) as (second, _):
        done = await wait_for_job(second.state.app_state.ready(), job_id)
        async with second.state.app_state.ready().db.read() as session:
            projects = await queries.portfolio_projects(
                session, done.portfolio_id, owner_id=done.owner_id
            )
    assert (done.status, done.attempts) == ("succeeded", 2)
    assert len(projects) == 3
