"""The event bus over PostgreSQL LISTEN/NOTIFY (QUEUE=postgres): events between two buses (two
processes' worth), one NOTIFY per event for all its topics, long rankings cut to fit, and a lost
connection (the server ends it) followed by a reconnect and a RESYNC to every subscriber."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from graphql_api.db.engine import create_engine
from graphql_api.jobs.bus import RESYNC
from graphql_api.jobs.events import EventKind, JobEvent, RankEntry, publish
from graphql_api.jobs.pgbus import MAX_PAYLOAD, PostgresBus, decode, encode
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgresql


def _event(final: bool = False, entries: int = 2) -> JobEvent:
    ranking = tuple(
        RankEntry(f"uid{i:030d}", f"project {i}", f"upload/project-{i}", 1.0 / (i + 1), i + 1)
        for i in range(entries)
    )
    kind = EventKind.RANKING if final else EventKind.REPOSITORY
    return JobEvent(
        kind, "job1", "pf1", "running", "mining", 1, 3, "upload/a", None, ranking, final
    )


@pytest.fixture
async def buses() -> AsyncIterator[tuple[PostgresBus, PostgresBus]]:
    one, two = PostgresBus(PG_URL, reconnect_delay=0.05), PostgresBus(PG_URL)
    await one.start()
    await two.start()
    try:
        yield one, two
    finally:
        await one.stop()
        await two.stop()


async def test_an_event_published_in_one_process_reaches_the_other(
    buses: tuple[PostgresBus, PostgresBus],
) -> None:
    one, two = buses
    event = _event()
    async with one.subscribe("job:job1") as jobs, one.subscribe("portfolio:pf1") as portfolios:
        publish(two, event)  # the job's topic and its portfolio's: one NOTIFY
        assert await anext(jobs) == event
        assert await anext(portfolios) == event


def test_a_long_ranking_is_cut_to_fit_a_notify_payload() -> None:
    event = _event(final=True, entries=500)
    payload = encode(["job:job1"], event)
    assert len(payload.encode()) <= MAX_PAYLOAD
    topics, back = decode(payload)
    assert topics == ["job:job1"]
    assert back.truncated
    assert 0 < len(back.ranking) < 500
    assert back.ranking == event.ranking[: len(back.ranking)]  # the best entries, in order
    assert decode(encode(["t"], _event()))[1] == _event()  # a short one goes whole


async def test_a_lost_connection_is_made_again_and_subscribers_resync(
    buses: tuple[PostgresBus, PostgresBus],
) -> None:
    one, two = buses
    async with one.subscribe("job:job1") as events:
        pid = one.server_pid
        admin = create_engine(PG_URL)
        try:
            async with admin.connect() as conn:  # as a restarted server or a proxy would
                ended = await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                assert ended.scalar() is True
        finally:
            await admin.dispose()
        assert await anext(events) is RESYNC  # connected again: read the state again
        assert one.reconnects == 1
        assert one.server_pid != pid
        event = _event(final=True)
        publish(two, event)
        assert await anext(events) == event  # and listening again


async def test_what_is_published_while_disconnected_is_sent_once_connected(
    buses: tuple[PostgresBus, PostgresBus],
) -> None:
    one, two = buses
    async with two.subscribe("job:job1") as events:
        await one.drop_connection()
        publish(one, _event())  # kept in the outbox until the connection is back
        assert await anext(events) == _event()
