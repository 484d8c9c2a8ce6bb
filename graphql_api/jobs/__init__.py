"""Mining jobs: the queue and runner, persistence of results, and progress events.

The one place where `mining` and `db` meet (ARCHITECTURE.md, "Layers and their import rules").
"""
