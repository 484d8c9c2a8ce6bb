"""Running git on untrusted uploads: the one hardened runner (`runner.py`), the clean copy
that git mines instead of the uploaded repository (`sanitize.py`), and finding the repositories
and project folders in an upload (`discover.py`).

Import from the modules: this package imports nothing itself, so starting git loads no more
than the runner.
"""
