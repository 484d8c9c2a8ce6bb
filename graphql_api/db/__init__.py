"""Persistence: SQLAlchemy 2 models, the engine and sessions, and the query functions.

The only place `select()` is written. Imports nothing from `schema` or `jobs`.
"""
