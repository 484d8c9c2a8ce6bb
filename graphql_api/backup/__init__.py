"""Backups of the database and the file store, restoring them, and checking what is there.

- ``archive``: ``backup`` and ``restore`` (the backup's layout and why it is consistent).
- ``check``: ``check``, integrity of the database and presence of every file it names.
- ``dumps``: the database copies (SQLite's backup API, pg_dump / pg_restore).
- ``files``: the file store copied with a digest per file.

Used by the command line only (`artifact-miner backup | restore | check`), never by a request.
"""

from graphql_api.backup.archive import BackupError, Summary, backup, restore
from graphql_api.backup.check import CheckReport, check

__all__ = ["BackupError", "CheckReport", "Summary", "backup", "check", "restore"]
