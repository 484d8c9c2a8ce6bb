"""Benchmark of the real ingest path: upload a >= 1 GB ZIP to the server, extract it, mine it.

    python bench/ingest_bench.py            # or: python -m bench.ingest_bench
    python bench/ingest_bench.py --size-mib 1100 --job-timeout 600 --clean-cache

The archive is generated once into bench/.cache/ (git-ignored): one top folder `project/` (a
plain project: a pyproject.toml, a README and a small source tree, deflated) plus a few hundred
STORED entries of random bytes (ratio 1, well under the bomb limits).

The server is the real one, `python -m graphql_api.cli serve` (`artifact-miner serve`) in a
subprocess, with DATA_DIR a fresh temporary directory (SQLite).  The benchmark streams the file
to POST /uploads, calls `uploadPortfolio(uploadIds: [id])` over POST /graphql (the mutation
extracts the archive before it answers: its duration is the extraction), then polls
`job(id:)` until the mining job ends.  The server's RSS is sampled all along (VmRSS, per
phase) and its peak read from /proc/<pid>/status (VmHWM) before it is stopped with SIGINT.
`unzip -q` of the same file gives a baseline.  Dirty pages are written back (os.sync) before
each timed step so none pays for the previous one's writes; the archive is usually in the page
cache for all of them.  The temporary directory is removed at the end.

Requirement checked: the server's peak RSS stays under 200 MB (decimal MB, like the throughputs;
/proc reports KiB).  Git processes the mining job may start are not counted.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
MIB = 1024 * 1024
FILE_MIB = 4
RSS_BUDGET_MB = 200
# The server's default MAX_UPLOAD_BYTES and ArchiveLimits.max_total_uncompressed are 2 GiB.
MAX_SIZE_MIB = 2000
TERMINAL = frozenset({"SUCCEEDED", "PARTIAL", "FAILED", "CANCELLED"})  # JobStatus

UPLOAD_PORTFOLIO = """
mutation Ingest($ids: [String!]) {
  uploadPortfolio(uploadIds: $ids, name: "ingest bench") {
    portfolio { id }
    job { id status }
    userErrors { code message }
  }
}
"""
JOB = """
query Job($id: ID!) {
  job(id: $id) { status stage completed total error errorCode repoErrors { code message } }
}
"""


# -- the archive ------------------------------------------------------------------------------


def ensure_archive(size_mib: int) -> Path:
    path = CACHE / f"ingest-plain-{size_mib}mib.zip"
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
    """A plain project (no .git): the manifest makes `project/` the project mined."""
    yield "project/pyproject.toml", '[project]\nname = "bench"\nversion = "0.1.0"\n'
    yield "project/README.md", "# bench\n" * 200
    for i in range(200):
        yield f"project/src/module_{i}.py", f"def f{i}(x):\n    return x + {i}\n" * 50


# -- the server -------------------------------------------------------------------------------


@dataclass
class RssSampler:
    """Samples the server's VmRSS every `interval` seconds, keeping the peak of each phase."""

    pid: int
    interval: float = 0.02
    phase: str = "startup"
    peaks: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                rss = proc_status_mb(self.pid, "VmRSS")
            except (OSError, RuntimeError):
                return  # the process is gone
            self.peaks[self.phase] = max(rss, self.peaks.get(self.phase, 0.0))


class Server:
    """`python -m graphql_api.cli serve` on a free port, DATA_DIR in `work`."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = work / "server.log"
        env = {
            **os.environ,
            "DATA_DIR": str(work / "data"),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }
        env.pop("DATABASE_URL", None)  # SQLite inside DATA_DIR
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "graphql_api.cli", "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                httpx.get(f"{self.base}/healthz", timeout=1).raise_for_status()
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f}s")

    def stop(self, timeout: float = 30) -> int:
        """SIGINT (uvicorn's graceful shutdown: the lifespan stops the job runner), then kill."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                print(f"server:     no exit {timeout:.0f}s after SIGINT, killed")
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# -- the client -------------------------------------------------------------------------------


@dataclass
class Results:
    size: int
    files: int
    upload_s: float = 0.0
    extract_s: float = 0.0
    job_status: str = "not started"
    job_s: float | None = None
    job_detail: str = ""
    rss_idle: float = 0.0
    peak_rss: float = 0.0
    phase_peaks: dict[str, float] = field(default_factory=dict)


def run(size_mib: int, job_timeout: float) -> Results:
    archive = ensure_archive(size_mib)
    size = archive.stat().st_size
    with zipfile.ZipFile(archive) as zf:
        files = sum(not info.is_dir() for info in zf.infolist())
    results = Results(size, files)
    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    server = Server(work)
    try:
        server.wait_healthy()
        results.rss_idle = proc_status_mb(server.pid, "VmRSS")
        with (
            RssSampler(server.pid) as sampler,
            httpx.Client(base_url=server.base, timeout=900) as client,
        ):
            sampler.phase = "upload"
            os.sync()  # each timed step starts without the previous one's dirty pages
            results.upload_s, upload_id = upload(client, archive, size)
            sampler.phase = "extract"
            os.sync()
            results.extract_s, job_id = extract(client, upload_id)
            sampler.phase = "mining"
            wait_job(client, job_id, job_timeout, results)
            sampler.phase = "after"
            time.sleep(0.2)
            results.peak_rss = proc_status_mb(server.pid, "VmHWM")
        results.phase_peaks = dict(sampler.peaks)
    except BaseException:
        print(f"--- server log (last lines) ---\n{server.log_tail()}\n---", file=sys.stderr)
        raise
    finally:
        code = server.stop()
        if code not in (0, None):
            print(f"server:     exited with {code}")
        shutil.rmtree(work, ignore_errors=True)
    return results


def upload(client: httpx.Client, archive: Path, size: int) -> tuple[float, str]:
    def chunks() -> Iterator[bytes]:
        with archive.open("rb") as f:
            while chunk := f.read(MIB):
                yield chunk

    headers = {
        "content-type": "application/zip",
        "content-length": str(size),  # with it httpx sends the iterator unchunked
        "apollo-require-preflight": "true",
        "x-filename": archive.name,
    }
    started = time.perf_counter()
    response = client.post("/uploads", content=chunks(), headers=headers).raise_for_status()
    seconds = elapsed(started)
    body = response.json()
    if body.get("size") != size:
        raise RuntimeError(f"the server stored {body.get('size')} bytes of {size}: {body}")
    return seconds, str(body["uploadId"])


def extract(client: httpx.Client, upload_id: str) -> tuple[float, str]:
    """uploadPortfolio(uploadIds:): extracts in the mutation, then queues a mining job."""
    started = time.perf_counter()
    data = graphql(client, UPLOAD_PORTFOLIO, {"ids": [upload_id]})
    seconds = elapsed(started)
    payload = data["uploadPortfolio"]
    if payload["userErrors"] or payload["job"] is None:
        raise RuntimeError(f"uploadPortfolio refused the upload: {payload['userErrors']}")
    return seconds, str(payload["job"]["id"])


def wait_job(client: httpx.Client, job_id: str, timeout: float, results: Results) -> None:
    """Poll the job until it ends or `timeout` passes; a failed job is reported, not raised."""
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        job = graphql(client, JOB, {"id": job_id})["job"] or {}
        if job.get("status") in TERMINAL:
            results.job_s = elapsed(started)
            break
        time.sleep(0.1)
    results.job_status = str(job.get("status", "unknown"))
    if results.job_s is None:
        results.job_status += f" (still, after {timeout:.0f}s)"
    detail = [f"stage {job.get('stage')}, {job.get('completed')}/{job.get('total')} projects"]
    if job.get("error"):
        detail.append(f"{job.get('errorCode')}: {job['error']}")
    detail += [f"{e['code']}: {e['message']}" for e in job.get("repoErrors") or []]
    results.job_detail = "; ".join(detail)


def graphql(client: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    data: dict[str, Any] = body["data"]
    return data


def unzip_seconds(archive: Path) -> float | None:
    unzip = shutil.which("unzip")
    if unzip is None:
        return None
    target = Path(tempfile.mkdtemp(prefix="ingest-bench-unzip-"))
    try:
        os.sync()
        started = time.perf_counter()
        subprocess.run([unzip, "-q", str(archive), "-d", str(target)], check=True)
        return elapsed(started)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def report(r: Results, unzip_s: float | None) -> None:
    mb = r.size / 1e6
    print(f"archive:     {r.size / 1e9:.2f} GB ({r.size / MIB:.0f} MiB), {r.files} files")
    print(f"upload:      {mb / r.upload_s:8.1f} MB/s  ({r.upload_s:.1f}s, POST /uploads)")
    print(f"extract:     {mb / r.extract_s:8.1f} MB/s  ({r.extract_s:.1f}s, uploadPortfolio)")
    if unzip_s is None:
        print("unzip -q:    unzip not installed (apt-get install -y unzip)")
    else:
        print(f"unzip -q:    {mb / unzip_s:8.1f} MB/s  ({unzip_s:.1f}s, baseline)")
        print(f"extract / unzip throughput: {unzip_s / r.extract_s:.2f}")
    took = "" if r.job_s is None else f" in {r.job_s:.1f}s"
    print(f"mining job:  {r.job_status}{took} ({r.job_detail})")
    verdict = "OK" if r.peak_rss < RSS_BUDGET_MB else "OVER"
    print(f"server RSS:  {r.peak_rss:8.1f} MB peak (VmHWM) - {verdict} (budget {RSS_BUDGET_MB} MB)")
    phases = ", ".join(f"{phase} {peak:.0f}" for phase, peak in r.phase_peaks.items())
    print(f"             idle after start {r.rss_idle:.0f} MB; sampled VmRSS peaks (MB): {phases}")


# -- helpers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def proc_status_mb(pid: int, key: str) -> float:
    """A memory line of /proc/<pid>/status (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) * 1024 / 1e6  # KiB -> MB
    raise RuntimeError(f"no {key} for pid {pid}")


def elapsed(started: float) -> float:
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--size-mib", type=int, default=1000, help=f"archive size, 954 (1 GB) to {MAX_SIZE_MIB}"
    )
    parser.add_argument(
        "--job-timeout", type=float, default=300, help="seconds to wait for the mining job"
    )
    parser.add_argument("--clean-cache", action="store_true", help="delete the archive afterwards")
    args = parser.parse_args()
    if not 954 <= args.size_mib <= MAX_SIZE_MIB:
        parser.error(f"--size-mib must be 954 (1 GB) to {MAX_SIZE_MIB} (the server's limits)")
    results = run(args.size_mib, args.job_timeout)
    archive = ensure_archive(args.size_mib)
    report(results, unzip_seconds(archive))
    if args.clean_cache:
        archive.unlink()


if __name__ == "__main__":
    main()
