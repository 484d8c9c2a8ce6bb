"""The `backup`, `restore` and `check` subcommands of `artifact-miner`.

Exit status: 0 when done and `check` finds nothing wrong, 1 when `check` lists problems, 2 when
a backup or restore could not go ahead (the reason is printed on stderr). `backup` and
`restore` run `check` when they are done (on the source, and on the restored target).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from graphql_api.settings import Settings


def add_commands(commands: Any) -> None:
    """Add the subcommands to `commands` (what `ArgumentParser.add_subparsers` returned)."""
    made = commands.add_parser(
        "backup", help="copy the database and DATA_DIR's files to PATH while the server runs"
    )
    made.add_argument("path", type=Path, help="a new (or empty) directory")
    made.set_defaults(func=run)
    back = commands.add_parser("restore", help="restore the backup at PATH, then check")
    back.add_argument("path", type=Path)
    back.add_argument("--force", action="store_true", help="replace a non-empty target")
    back.set_defaults(func=run)
    checked = commands.add_parser(
        "check", help="database integrity, foreign keys, and every file it names (exit 1 if not)"
    )
    checked.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: `artifact-miner mine` should not pay for the database layer.
    from graphql_api.backup.archive import BackupError, backup, restore
    from graphql_api.backup.check import check

    settings = Settings.from_env()
    try:
        if args.command == "backup":
            done = asyncio.run(backup(settings, args.path))
            print(f"backed up the {done.dialect} database (revision {done.revision}) and "
                  f"{done.files} files, {done.bytes} bytes, to {done.path}")  # fmt: skip
        elif args.command == "restore":
            done = asyncio.run(restore(settings, args.path, force=args.force))
            print(f"restored the {done.dialect} database (revision {done.revision}) and "
                  f"{done.files} files from {done.path}")  # fmt: skip
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = asyncio.run(check(settings))
    for problem in report.problems:
        print(f"PROBLEM {problem}")
    verdict = "OK" if report.ok else f"FAILED, {len(report.problems)} problem(s)"
    print(f"check {verdict}: {report.dialect} database at revision {report.revision}, "
          f"{report.references} stored paths")  # fmt: skip
    return 0 if report.ok else 1
