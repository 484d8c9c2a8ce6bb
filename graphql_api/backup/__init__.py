"""Backups of the database and the file store, restoring them, and checking what is there.

- ``archive``: ``backup`` and ``restore`` (the backup's layout and why it is consistent).
- ``check``: ``check``, integrity of the database and presence of every file it names.
- ``dumps``: the database copies (SQLite's backup API, pg_dump / pg_restore).
- ``files``: the file store copied with a digest per file.

Used by the command line only (`artifact-miner backup | restore | check`), never by a request.
Nothing is imported here: `artifact-miner` loads ``command`` for every subcommand's parser, and
the database layer that ``archive`` and ``check`` need costs ~0.3 s of start-up to `mine`.
"""
