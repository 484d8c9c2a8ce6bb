"""Reading a repository's history: `git log` in one pass or in slices (`log_reader.py`),
folded commit by commit into records (`fold.py`), with the rules of what kind of work a path
is (`activity.py`), who is a bot (`bots.py`) and the user's part for any identity
(`identities.py`). All but `log_reader.py` (which drives git through a GitRunner) are pure.
"""
