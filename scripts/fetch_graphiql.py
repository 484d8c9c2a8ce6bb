"""Fetch GraphiQL's browser assets from the npm registry into a folder we serve.

Strawberry's bundled GraphiQL page loads React and GraphiQL from a CDN, so it is blank on a
machine without internet access. `make assets` runs this once at install time; the server then
serves every script and style itself (see graphql_api/graphiql.py).

Usage: python scripts/fetch_graphiql.py LIST_FILE OUT_DIR
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path


def read_list(path: Path) -> dict[str, list[str]]:
    wanted: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            package, member = line.split()
            wanted.setdefault(package, []).append(member)
    return wanted


def fetch(list_file: Path, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for package, members in read_list(list_file).items():
            result = subprocess.run(
                ["npm", "pack", "--silent", "--pack-destination", tmp, package],
                check=True,
                capture_output=True,
                text=True,
            )
            tarball = Path(tmp) / result.stdout.strip().splitlines()[-1]
            with tarfile.open(tarball) as archive:
                for member in members:
                    source = archive.extractfile(f"package/{member}")
                    if source is None:
                        raise SystemExit(f"{package} has no file {member!r}")
                    (out_dir / Path(member).name).write_bytes(source.read())
    (out_dir / ".complete").touch()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    try:
        fetch(Path(sys.argv[1]), Path(sys.argv[2]))
    except FileNotFoundError as exc:
        raise SystemExit(f"npm is needed once to fetch GraphiQL's assets: {exc}") from exc
