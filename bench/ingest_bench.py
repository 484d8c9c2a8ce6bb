"""Benchmark of the ingest path: upload a >= 1 GB ZIP over HTTP, extract it, measure the server.

    python bench/ingest_bench.py            # or: python -m bench.ingest_bench
    python bench/ingest_bench.py --size-mib 1100 --clean-cache

The archive is generated once into bench/.cache/ (git-ignored): a few hundred STORED entries of
random bytes (ratio 1, well under the bomb limits) plus a small deflated source tree.  The server
runs in a subprocess (uvicorn, BodySizeLimitMiddleware, the upload route and an /extract/{id}
endpoint that calls extract_zip in a worker thread) so its peak RSS (VmHWM) can be read from
/proc.  `unzip -q` on the same file gives a baseline.  Extracted data is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx

CACHE = Path(__file__).resolve().parent / ".cache"
MIB = 1024 * 1024
FILE_MIB = 4
RSS_BUDGET_MB = 200


# -- the archive ------------------------------------------------------------------------------


def ensure_archive(size_mib: int) -> Path:
    path = CACHE / f"ingest-{size_mib}mib.zip"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    started = time.perf_counter()
    # One random pool sliced at random offsets: generating 1 GB of urandom would dominate.
    pool = os.urandom(64 * MIB)
    rng = random.Random(1)
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, text in source_tree():
            zf.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
        for i in range(size_mib // FILE_MIB):
            offset = rng.randrange(len(pool) - FILE_MIB * MIB)
            zf.writestr(f"project/data/blob-{i:04d}.bin", pool[offset : offset + FILE_MIB * MIB])
    part.rename(path)
    print(f"generated {path} ({path.stat().st_size / 1e9:.2f} GB) in {elapsed(started):.1f}s")
    return path


def source_tree() -> Iterator[tuple[str, str]]:
    yield "project/.git/HEAD", "ref: refs/heads/main\n"
    yield "project/README.md", "# bench\n" * 200
    for i in range(200):
        yield f"project/src/module_{i}.py", f"def f{i}(x):\n    return x + {i}\n" * 50


# -- the server (runs in the subprocess) ------------------------------------------------------


def serve(port: int, root: Path) -> None:
    import anyio.to_thread
    import uvicorn
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    from graphql_api.ingest.extract import extract_zip
    from graphql_api.ingest.limits import ArchiveLimits, UploadLimits
    from graphql_api.ingest.middleware import BodySizeLimitMiddleware
    from graphql_api.ingest.routes import make_upload_route
    from graphql_api.ingest.store import UploadStore

    store = UploadStore(root / "uploads")
    limits = UploadLimits()

    async def extract(request: Request) -> JSONResponse:
        zip_path = await store.locate(request.path_params["upload_id"])
        started = time.perf_counter()
        result = await anyio.to_thread.run_sync(
            extract_zip, zip_path, root / "extracted", ArchiveLimits()
        )
        seconds = elapsed(started)
        return JSONResponse(
            {"files": result.files, "bytes": result.total_bytes, "seconds": seconds}
        )

    async def health(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[
            make_upload_route(store, limits),
            Route("/extract/{upload_id}", extract, methods=["POST"]),
            Route("/health", health),
        ],
        middleware=[Middleware(BodySizeLimitMiddleware, max_body_bytes=limits.max_upload_bytes)],
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none")


# -- the client -------------------------------------------------------------------------------


def run(size_mib: int) -> None:
    archive = ensure_archive(size_mib)
    size = archive.stat().st_size
    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "serve", str(port), str(work)],
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, server)
        with httpx.Client(base_url=base, timeout=300) as client:
            upload_s, upload_id = upload(client, archive, size)
            extracted = client.post(f"/extract/{upload_id}").raise_for_status().json()
        peak_rss = vm_hwm_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    report(size, upload_s, extracted, peak_rss)
    unzip_baseline(archive, size)


def upload(client: httpx.Client, archive: Path, size: int) -> tuple[float, str]:
    def chunks() -> Iterator[bytes]:
        with archive.open("rb") as f:
            while chunk := f.read(MIB):
                yield chunk

    headers = {
        "content-type": "application/zip",
        "content-length": str(size),
        "x-requested-with": "ingest-bench",
        "x-filename": archive.name,
    }
    started = time.perf_counter()
    response = client.post("/uploads", content=chunks(), headers=headers).raise_for_status()
    seconds = elapsed(started)
    body = response.json()
    assert body["size"] == size, body
    return seconds, str(body["uploadId"])


def report(size: int, upload_s: float, extracted: dict[str, float], peak_rss: float) -> None:
    print(f"archive:    {size / 1e9:.2f} GB, {int(extracted['files'])} files")
    print(f"upload:     {size / 1e6 / upload_s:8.1f} MB/s  ({upload_s:.1f}s)")
    extract_rate = extracted["bytes"] / 1e6 / extracted["seconds"]
    print(f"extract:    {extract_rate:8.1f} MB/s  ({extracted['seconds']:.1f}s, in the server)")
    verdict = "OK" if peak_rss < RSS_BUDGET_MB else f"OVER the {RSS_BUDGET_MB} MB budget"
    print(f"server RSS: {peak_rss:8.1f} MB peak (VmHWM) - {verdict}")


def unzip_baseline(archive: Path, size: int) -> None:
    unzip = shutil.which("unzip")
    if unzip is None:
        print("unzip:      unzip not installed")
        return
    target = Path(tempfile.mkdtemp(prefix="ingest-bench-unzip-"))
    try:
        started = time.perf_counter()
        subprocess.run([unzip, "-q", str(archive), "-d", str(target)], check=True)
        seconds = elapsed(started)
    finally:
        shutil.rmtree(target, ignore_errors=True)
    print(f"unzip -q:   {size / 1e6 / seconds:8.1f} MB/s  ({seconds:.1f}s, baseline)")


# -- helpers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"bench server exited with {server.returncode}")
        try:
            httpx.get(f"{base}/health", timeout=1).raise_for_status()
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("bench server did not start within 30s")


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB -> MiB
    raise RuntimeError(f"no VmHWM for pid {pid}")


def elapsed(started: float) -> float:
    return time.perf_counter() - started


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size-mib", type=int, default=1000, help="archive size (>= 954 = 1 GB)")
    parser.add_argument("--clean-cache", action="store_true", help="delete the archive afterwards")
    args = parser.parse_args()
    run(args.size_mib)
    if args.clean_cache:
        ensure_archive(args.size_mib).unlink()


if __name__ == "__main__":
    main()
