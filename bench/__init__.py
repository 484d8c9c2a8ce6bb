"""Benchmarks of the mining engine: `python -m bench` (make bench)."""
