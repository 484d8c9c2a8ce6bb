"""Every way uploadPortfolio refuses an upload, through the real app over HTTP: the answer is a
200 with one `userErrors` entry and no portfolio or job, and nothing is left behind — no file
under uploads/ or extracted/, no portfolio, upload or job row."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from graphql_api.auth import create_token
from graphql_api.db.engine import Database
from graphql_api.jobs.events import EventKind, portfolio_topic
from graphql_api.schema import ids
from graphql_api.settings import Settings
from tests.conftest import GraphQLClient
from tests.ingest.ingest_zipcraft import (
    build_zip,
    duplicate_central_entry,
    info,
    lying_central_directory,
    patch_entry,
    symlink,
)
from tests.service.upload_helpers import (
    NO_ROWS,
    PREFLIGHT,
    UPLOAD_PORTFOLIO,
    leftovers,
    post_upload,
    project_zip,
    row_counts,
    upload_portfolio,
)

# Over the 4.2 MB of the 50,001-entry archive, small enough to send one byte more cheaply.
LIMIT = 5 * 1024 * 1024
MAIN = ("project/main.py", b"print(1)\n")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, max_upload_bytes=LIMIT)


# -- hostile archives ------------------------------------------------------------------------


def _truncated() -> bytes:
    whole = build_zip([MAIN, ("project/util.py", b"x = 1\n" * 100)])
    return whole[: len(whole) // 2]


def _bad_crc() -> bytes:
    return patch_entry(build_zip([MAIN]), MAIN[0], crc=0xDEADBEEF)


def _overlapping() -> bytes:
    return duplicate_central_entry(build_zip([MAIN]), MAIN[0], "project/copy.py")


def _ratio_bomb() -> bytes:
    return build_zip([MAIN, ("project/zeros.bin", bytes(2 * 1024 * 1024))], zipfile.ZIP_DEFLATED)


@functools.cache
def _many_entries() -> bytes:
    """50,001 empty entries: one more than ArchiveLimits().max_entries (~1 s, built once)."""
    return build_zip((f"{i:x}", b"") for i in range(50_001))


def _deep() -> bytes:
    return build_zip([("/".join(["d"] * 32) + "/deep.py", b"x = 1\n")])


def _flagged(**fields: int) -> bytes:
    return patch_entry(build_zip([MAIN]), MAIN[0], **fields)


def _file(name: str, data: bytes | Callable[[], bytes]) -> list[tuple[str, Any]]:
    return [(name, data)]


@dataclass(frozen=True)
class Case:
    code: str
    message: str  # a regular expression the whole message must match
    files: list[tuple[str, Any]] = field(default_factory=list)  # data: bytes or a builder
    variables: dict[str, Any] = field(default_factory=dict)
    error_field: list[str] | None = None

    def built_files(self) -> list[tuple[str, bytes]]:
        return [(name, data() if callable(data) else data) for name, data in self.files]


def case(id: str, *args: Any, marks: Any = (), **kwargs: Any) -> Any:
    return pytest.param(Case(*args, **kwargs), id=id, marks=marks)


UNKNOWN_ID = "0" * 32
MISSING_PORTFOLIO = ids.encode("Portfolio", "0" * 32)

CASES = [
    # ARCHIVE_CORRUPT
    case(
        "corrupt-not-a-zip-after-signature",
        "ARCHIVE_CORRUPT",
        r"not a readable ZIP archive: no end of central directory record",
        _file("junk.zip", b"PK\x03\x04" + b"this is not a zip archive" * 10),
    ),
    case(
        "corrupt-truncated",
        "ARCHIVE_CORRUPT",
        r"not a readable ZIP archive: no end of central directory record",
        _file("half.zip", _truncated),
    ),
    case(
        "corrupt-bad-crc",
        "ARCHIVE_CORRUPT",
        r"entry 'project/main\.py' is corrupt: Bad CRC-32 for file 'project/main\.py'",
        _file("crc.zip", _bad_crc),
    ),
    case(
        "corrupt-overlapping-entries",
        "ARCHIVE_CORRUPT",
        r"entry '.*' overlaps the next entry",
        _file("overlap.zip", _overlapping),
    ),
    case(
        "corrupt-second-file-after-a-good-one",
        "ARCHIVE_CORRUPT",
        r"entry 'project/main\.py' is corrupt: Bad CRC-32 for file 'project/main\.py'",
        [("good.zip", project_zip), ("crc.zip", _bad_crc)],
    ),
    # ARCHIVE_UNSAFE_PATH
    case(
        "unsafe-dotdot",
        "ARCHIVE_UNSAFE_PATH",
        r"entry 'project/\.\./\.\./evil\.py' contains a '\.\.' component",
        _file("dotdot.zip", build_zip([MAIN, ("project/../../evil.py", b"x")])),
    ),
    case(
        "unsafe-absolute",
        "ARCHIVE_UNSAFE_PATH",
        r"entry '/tmp/evil\.py' is an absolute path",
        _file("abs.zip", build_zip([MAIN, ("/tmp/evil.py", b"x")])),
    ),
    case(
        "unsafe-backslash",
        "ARCHIVE_UNSAFE_PATH",
        r"entry '\.\.\\\\evil\.py' contains a backslash",
        _file("backslash.zip", build_zip([MAIN, ("..\\evil.py", b"x")])),
    ),
    case(
        "unsafe-drive-letter",
        "ARCHIVE_UNSAFE_PATH",
        r"entry 'C:/evil\.py' starts with a drive letter",
        _file("drive.zip", build_zip([MAIN, ("C:/evil.py", b"x")])),
    ),
    case(
        "unsafe-control-character",
        "ARCHIVE_UNSAFE_PATH",
        r"entry 'project/evil\\x01\.py' contains a control character",
        _file("control.zip", build_zip([MAIN, ("project/evil\x01.py", b"x")])),
    ),
    case(
        "unsafe-device-file",
        "ARCHIVE_UNSAFE_PATH",
        r"entry 'project/fifo' is a special file \(10000\)",
        _file("fifo.zip", build_zip([MAIN, (info("project/fifo", 0o010644), b"")])),
    ),
    # ARCHIVE_SYMLINK
    case(
        "symlink",
        "ARCHIVE_SYMLINK",
        r"entry 'project/passwd' is a symbolic link",
        _file("link.zip", build_zip([MAIN, symlink("project/passwd", "/etc/passwd")])),
    ),
    # ARCHIVE_DUPLICATE_ENTRY
    case(
        "duplicate-name",
        "ARCHIVE_DUPLICATE_ENTRY",
        r"entry 'project/main\.py' duplicates entry 'project/main\.py'",
        _file("dup.zip", build_zip([MAIN, MAIN])),
    ),
    case(
        "duplicate-file-and-directory",
        "ARCHIVE_DUPLICATE_ENTRY",
        r"entry 'project/main\.py' is a file but 'project/main\.py/x\.py' uses it as a directory",
        _file("clash.zip", build_zip([MAIN, ("project/main.py/x.py", b"x")])),
    ),
    # ARCHIVE_TOO_LARGE
    case(
        "too-large-ratio-bomb",
        "ARCHIVE_TOO_LARGE",
        r"entry 'project/zeros\.bin' expands 2097152 bytes from \d+, over the ratio limit 200",
        _file("bomb.zip", _ratio_bomb),
    ),
    # TOO_MANY_ENTRIES
    case(
        "too-many-entries",
        "TOO_MANY_ENTRIES",
        r"archive has 50001 entries, limit 50000",
        _file("many.zip", _many_entries),
    ),
    case(
        "too-many-entries-behind-an-end-record-claiming-ten",
        "TOO_MANY_ENTRIES",
        r"the central directory holds more than 50000 entries \(the end record claims 10\)",
        _file("liar.zip", lambda: lying_central_directory(build_zip([MAIN]), 60_000, 10)),
    ),
    # ARCHIVE_TOO_DEEP
    case(
        "too-deep",
        "ARCHIVE_TOO_DEEP",
        r"entry '(d/){32}deep\.py' is 33 levels deep, limit 32",
        _file("deep.zip", _deep),
    ),
    # ARCHIVE_ENCRYPTED
    case(
        "encrypted",
        "ARCHIVE_ENCRYPTED",
        r"entry 'project/main\.py' is encrypted",
        _file("secret.zip", functools.partial(_flagged, flags=0x1)),
    ),
    # ARCHIVE_UNSUPPORTED
    case(
        "unsupported-deflate64",
        "ARCHIVE_UNSUPPORTED",
        r"entry 'project/main\.py' uses compression method 9; "
        r"only stored, deflate, bzip2 and lzma are supported",
        _file("deflate64.zip", functools.partial(_flagged, method=9)),
    ),
    # EMPTY_UPLOAD
    case("empty-no-files-no-ids", "EMPTY_UPLOAD", r"no file and no upload id given"),
    case(
        "empty-archive",
        "EMPTY_UPLOAD",
        r"archive has no entries",
        _file("empty.zip", build_zip([])),
    ),
    case(
        "empty-archive-of-directories",
        "EMPTY_UPLOAD",
        r"archive holds directories but no files",
        _file("dirs.zip", build_zip([info("project/", 0o040755), info("project/src/", 0o040755)])),
    ),
    case(
        "empty-zero-bytes",
        "EMPTY_UPLOAD",
        r"the upload is empty \(0 bytes\)",
        _file("nothing.zip", b""),
    ),
    # NOT_A_ZIP
    case(
        "not-a-zip",
        "NOT_A_ZIP",
        r"the upload does not start with a ZIP signature: b'%PDF'",
        _file("paper.zip", b"%PDF-1.7\n" + b"x" * 1000),
    ),
    # UPLOAD_TOO_LARGE
    case(
        "upload-too-large",
        "UPLOAD_TOO_LARGE",
        rf"the upload is larger than {LIMIT} bytes",
        _file("big.zip", lambda: b"PK\x03\x04" + bytes(LIMIT - 3)),
    ),
    case(
        "upload-too-large-after-a-good-file",
        "UPLOAD_TOO_LARGE",
        rf"the upload is larger than {LIMIT} bytes",
        [("good.zip", project_zip), ("big.zip", lambda: b"PK\x03\x04" + bytes(LIMIT - 3))],
    ),
    # UPLOAD_NOT_FOUND
    case(
        "upload-id-unknown",
        "UPLOAD_NOT_FOUND",
        r"no such upload",
        variables={"upload_ids": [UNKNOWN_ID]},
    ),
    case(
        "upload-id-path-traversal",
        "UPLOAD_NOT_FOUND",
        r"no such upload",
        variables={"upload_ids": ["../x"]},
    ),
    case(
        "upload-id-unknown-with-a-good-file",
        "UPLOAD_NOT_FOUND",
        r"no such upload",
        [("good.zip", project_zip)],
        variables={"upload_ids": [UNKNOWN_ID]},
    ),
    # INVALID_EMAIL
    case(
        "invalid-email",
        "INVALID_EMAIL",
        r"'not-an-email' is not an email address",
        variables={"upload_ids": [UNKNOWN_ID], "user_emails": ["not-an-email"]},
        error_field=["userEmails", "0"],
    ),
    # the request's spooled copies of the files must be closed on every refusal
    case(
        "invalid-email-with-a-file",
        "INVALID_EMAIL",
        r"'not-an-email' is not an email address",
        [("good.zip", project_zip)],
        variables={"user_emails": ["not-an-email"]},
        error_field=["userEmails", "0"],
    ),
    case(
        "not-a-zip-before-a-good-file",
        "NOT_A_ZIP",
        r"the upload does not start with a ZIP signature: b'%PDF'",
        [("paper.zip", b"%PDF-1.7\n"), ("good.zip", project_zip)],
    ),
    # NOT_FOUND
    case(
        "portfolio-not-found",
        "NOT_FOUND",
        r".+",  # the wording is the fix's to choose
        [("good.zip", project_zip)],
        variables={"portfolio_id": MISSING_PORTFOLIO},
    ),
]


@pytest.mark.parametrize("refused", CASES)
async def test_refused_upload_leaves_nothing_behind(
    refused: Case, client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    assert await row_counts(db) == NO_ROWS
    files = refused.built_files()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = await upload_portfolio(client, files, **refused.variables)
        gc.collect()  # an upload nobody closed warns when collected

    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    payload = body["data"]["uploadPortfolio"]
    assert payload["portfolio"] is None
    assert payload["job"] is None
    [error] = payload["userErrors"]
    assert error["code"] == refused.code
    assert re.fullmatch(refused.message, error["message"]), error["message"]
    assert error["field"] == refused.error_field
    assert leftovers(settings) == []
    assert await row_counts(db) == NO_ROWS
    assert [str(w.message) for w in caught] == []


# -- the two-step upload: POST /uploads, then uploadPortfolio(uploadIds:) --------------------


async def test_two_step_upload_queues_a_job_that_mines_the_folder(
    client: httpx.AsyncClient, app: Starlette, db: Database, settings: Settings
) -> None:
    archive = project_zip()
    stored = await post_upload(client, archive, filename="my%20project.zip")
    assert stored.status_code == 201, stored.text
    upload_id = stored.json()["uploadId"]
    assert stored.json()["filename"] == "my project.zip"
    assert stored.json()["size"] == len(archive)
    assert leftovers(settings) == [f"uploads/{upload_id}.zip"]

    created = await client.post(
        "/graphql",
        json={"query": 'mutation { createPortfolio(name: "Ada") { portfolio { id } } }'},
    )
    pid = created.json()["data"]["createPortfolio"]["portfolio"]["id"]
    bus = app.state.app_state.ready().bus
    async with bus.subscribe(portfolio_topic(ids.decode(pid)[1])) as events:
        response = await upload_portfolio(
            client, upload_ids=[upload_id], portfolio_id=pid, user_emails=["ada@example.com"]
        )
        assert response.status_code == 200
        payload = response.json()["data"]["uploadPortfolio"]
        assert payload["userErrors"] == []
        assert payload["portfolio"] == {"id": pid, "name": "Ada", "userEmails": ["ada@example.com"]}
        assert payload["job"]["status"] == "QUEUED"
        assert ids.decode(payload["job"]["id"])[0] == "MiningJob"
        async with asyncio.timeout(30):
            async for event in events:
                if event.final:
                    break
    assert (event.kind, event.status, event.completed, event.total) == (
        EventKind.RANKING,
        "succeeded",
        1,
        1,
    )
    assert [entry.name for entry in event.ranking] == ["project"]
    assert await row_counts(db) == {"portfolios": 1, "uploaded_zips": 1, "mining_jobs": 1}
    left = leftovers(settings)
    [folder] = [path for path in left if path.startswith("extracted/") and path.count("/") == 1]
    assert left == [
        folder,  # a fresh folder per extraction
        f"{folder}/project",
        f"{folder}/project/main.py",
        f"uploads/{upload_id}.zip",
    ]


async def test_a_refused_two_step_upload_keeps_the_stored_zips_for_a_retry(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    good = (await post_upload(client, project_zip())).json()["uploadId"]
    bad = (await post_upload(client, _bad_crc())).json()["uploadId"]

    response = await upload_portfolio(client, upload_ids=[good, bad])

    payload = response.json()["data"]["uploadPortfolio"]
    assert (payload["portfolio"], payload["job"]) == (None, None)
    assert [e["code"] for e in payload["userErrors"]] == ["ARCHIVE_CORRUPT"]
    assert leftovers(settings) == sorted([f"uploads/{good}.zip", f"uploads/{bad}.zip"])
    assert await row_counts(db) == NO_ROWS


@pytest.mark.parametrize(
    "headers",
    [pytest.param({}, id="no-header"), pytest.param({"Authorization": "Basic eDp5"}, id="basic")],
)
async def test_uploads_route_needs_a_preflight_header_or_bearer(
    headers: dict[str, str], client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    response = await post_upload(client, project_zip(), headers=headers)

    assert response.status_code == 403
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "CSRF_HEADER_REQUIRED"}
    assert leftovers(settings) == []


async def test_uploads_route_takes_a_bearer_token_instead_of_the_header(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    token, _ = await create_token(db, "ada")
    response = await post_upload(
        client, project_zip(), headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 201, response.text
    assert leftovers(settings) == [f"uploads/{response.json()['uploadId']}.zip"]


async def test_the_same_upload_id_twice_in_one_request(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    upload_id = (await post_upload(client, project_zip())).json()["uploadId"]

    response = await upload_portfolio(client, upload_ids=[upload_id, upload_id])

    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body["errors"]
    assert body["data"]["uploadPortfolio"]["userErrors"] == []  # the id counts once
    assert await row_counts(db) == {"portfolios": 1, "uploaded_zips": 1, "mining_jobs": 1}


async def test_an_upload_id_used_again_in_a_later_request(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    upload_id = (await post_upload(client, project_zip())).json()["uploadId"]
    first = await upload_portfolio(client, upload_ids=[upload_id])
    assert first.json()["data"]["uploadPortfolio"]["userErrors"] == []

    again = await upload_portfolio(client, upload_ids=[upload_id])

    assert again.status_code == 200
    body = again.json()
    assert "errors" not in body, body["errors"]
    assert body["data"]["uploadPortfolio"]["userErrors"] == []  # extracted again, afresh


async def test_a_file_part_not_in_the_map_is_closed(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    variables = {"files": None, "uploadIds": [UNKNOWN_ID]}
    operations = {"query": UPLOAD_PORTFOLIO, "variables": variables}

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = await client.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": "{}"},
            files={"0": ("p.zip", project_zip(), "application/zip")},
            headers=PREFLIGHT,
        )
        gc.collect()

    assert response.status_code == 200
    codes = [e["code"] for e in response.json()["data"]["uploadPortfolio"]["userErrors"]]
    assert codes == ["UPLOAD_NOT_FOUND"]
    assert leftovers(settings) == []
    assert [str(w.message) for w in caught] == []


async def test_an_upload_sent_inline_is_a_user_error(gql: GraphQLClient) -> None:
    """Upload's parser takes any value: a string in a JSON body (as schemathesis sends it) is
    refused with a code, not an INTERNAL error."""
    body = await gql.data(
        'mutation { uploadPortfolio(files: ["abc"]) { portfolio { id } userErrors { code field } }'
        " }"
    )
    assert body == {
        "uploadPortfolio": {
            "portfolio": None,
            "userErrors": [{"code": "INVALID_UPLOAD", "field": ["files"]}],
        }
    }
