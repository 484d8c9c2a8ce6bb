"""Child connections read whole: a project's skills, evidence, resume items, ... as lists."""

from __future__ import annotations

from typing import Any

CHILDREN = ("skills", "userSkills", "evidence", "resumeItems", "userStats", "summaries", "uploads")


def whole(item: dict[str, Any]) -> dict[str, Any]:
    """`item` with each child connection it holds (`{totalCount nodes}`) replaced by its nodes,
    checked to be the whole listing."""
    flat = dict(item)
    for field in CHILDREN:
        page = item.get(field)
        if isinstance(page, dict) and "nodes" in page:
            assert page["totalCount"] == len(page["nodes"]), (field, page["totalCount"])
            flat[field] = page["nodes"]
    return flat
