"""Mining jobs: the queue and runner, persistence of results, and progress events.

The one place where `mining` and `db` meet (DESIGN.md, rule 5).
"""
