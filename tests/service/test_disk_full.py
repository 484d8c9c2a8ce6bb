"""A full disk on every write path, on small real file systems (tmpfs, or a loop-mounted ext4
when tmpfs cannot be mounted) under the upload, extraction and export folders: DISK_FULL, the
partial files removed (so the space comes back), and the database still takes writes."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graphql_api.settings import Settings
from tests.conftest import GraphQLClient
from tests.ingest.ingest_zipcraft import build_zip
from tests.service.upload_helpers import (
    leftovers,
    post_upload,
    project_zip,
    upload_portfolio,
)

KiB = 1024
SIZES = {"uploads": 1024 * KiB, "extracted": 256 * KiB, "exports": 64 * KiB}


def _mount(folder: Path, size: int, scratch: Path) -> None:
    tmpfs = ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)]
    if subprocess.run(tmpfs, capture_output=True).returncode == 0:
        return
    image = scratch / f"{folder.name}.img"  # a small ext4 on a loop device instead
    subprocess.run(["truncate", "-s", str(max(size, 2048 * KiB)), str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", str(image)], check=True, capture_output=True)
    loop = ["mount", "-o", "loop", str(image), str(folder)]
    done = subprocess.run(loop, capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system (tmpfs or loop): {done.stderr.decode()}")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Iterator[Settings]:
    """The data folder on the normal disk (the database lives there), its uploads/,
    extracted/ and exports/ folders each a small file system of its own."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    data = tmp_path / "data"
    mounted = []
    try:
        for name, size in SIZES.items():
            (data / name).mkdir(parents=True)
            _mount(data / name, size, tmp_path)
            mounted.append(data / name)
        yield Settings(data_dir=data, database_url=database_url)
    finally:
        for folder in mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill `folder`'s file system to the last byte."""
    filler = folder / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as out:  # close() fails too
        while True:
            out.write(b"\0" * 4096)
            out.flush()
    return filler


async def assert_database_writable(gql: GraphQLClient) -> None:
    created = await gql.data('mutation { createPortfolio(name: "after") { portfolio { name } } }')
    assert created["createPortfolio"]["portfolio"] == {"name": "after"}


async def test_a_raw_upload_larger_than_the_disk_is_disk_full(
    client: httpx.AsyncClient, gql: GraphQLClient, settings: Settings
) -> None:
    body = b"PK\x03\x04" + os.urandom(2 * SIZES["uploads"])
    response = await post_upload(client, body)
    assert response.status_code == 507
    assert response.json() == {
        "errors": [
            {
                "message": "no space left on the server to store the upload",
                "extensions": {"code": "DISK_FULL"},
            }
        ]
    }
    assert leftovers(settings) == []
    assert (await post_upload(client, project_zip())).status_code == 201  # the space is back
    await assert_database_writable(gql)


async def test_an_upload_that_fills_the_disk_as_it_is_extracted_is_disk_full(
    client: httpx.AsyncClient, gql: GraphQLClient, settings: Settings
) -> None:
    archive = build_zip([("project/data.bin", os.urandom(2 * SIZES["extracted"]))])
    assert len(archive) < SIZES["uploads"]  # stored fine, too big once extracted
    response = await upload_portfolio(client, [("big.zip", archive)])
    payload = response.json()["data"]["uploadPortfolio"]
    assert payload["userErrors"] == [
        {
            "code": "DISK_FULL",
            "message": "no space left on the server to extract the archive",
            "field": None,
        }
    ]
    assert leftovers(settings) == []
    response = await upload_portfolio(client, [("small.zip", project_zip())])
    assert response.json()["data"]["uploadPortfolio"]["userErrors"] == []
    await assert_database_writable(gql)


async def test_an_export_on_a_full_disk_is_disk_full(
    gql: GraphQLClient, settings: Settings
) -> None:
    created = await gql.data('mutation { createPortfolio(name: "p") { portfolio { id } } }')
    pid = created["createPortfolio"]["portfolio"]["id"]
    export = """mutation($pid: ID!) { createExport(portfolioId: $pid, format: MARKDOWN) {
        export { status error url } userErrors { code message } } }"""
    filler = fill(settings.exports_dir)
    failed = (await gql.data(export, pid=pid))["createExport"]
    message = "no space left on the server to write the export"
    assert failed == {
        "export": {"status": "FAILED", "error": message, "url": None},
        "userErrors": [{"code": "DISK_FULL", "message": message}],
    }
    assert sorted(p.name for p in settings.exports_dir.iterdir()) == ["filler"]
    filler.unlink()
    done = (await gql.data(export, pid=pid))["createExport"]
    assert (done["export"]["status"], done["userErrors"]) == ("COMPLETED", [])
    await assert_database_writable(gql)
