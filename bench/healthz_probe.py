"""GET /healthz every INTERVAL seconds on one keep-alive connection until stdin closes, then
print each sample as `<time.monotonic() at its start> <latency in ms>`, one per line.

    python -m bench.healthz_probe http://127.0.0.1:8000 0.02

A process of its own (bench/e2e_bench.py starts it): a thread of the bench would share the
bench's GIL with its upload and its subscription, and count their pauses as the server's.
time.monotonic is the system's CLOCK_MONOTONIC, so the bench can keep the samples taken while
it measured.
"""

from __future__ import annotations

import http.client
import sys
import threading
import time
from urllib.parse import urlsplit


def main(base: str, interval: float) -> None:
    closed = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        closed.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port)
    samples: list[tuple[float, float]] = []
    while not closed.is_set():
        started = time.monotonic()
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        took = time.monotonic() - started
        if response.status != 200:
            raise SystemExit(f"/healthz answered {response.status}")
        samples.append((started, took * 1000))
        closed.wait(max(0.0, interval - took))
    sys.stdout.write("".join(f"{t:.6f} {ms:.3f}\n" for t, ms in samples))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
