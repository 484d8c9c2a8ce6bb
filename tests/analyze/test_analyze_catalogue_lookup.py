"""Catalogue look-ups: a detection's skill category and weight, known or not."""

from __future__ import annotations

from mining.analyze.catalogue import SkillCategory, detection_category, detection_weight


def test_a_known_category_has_its_own_skill_category_and_weight() -> None:
    assert detection_category("framework") is SkillCategory.FRAMEWORKS
    assert detection_category("messaging") is SkillCategory.CLOUD_DEVOPS
    assert detection_weight("framework") == 0.7
    assert detection_weight("formatter") == 0.2


def test_an_unknown_category_is_a_tool_of_the_default_weight() -> None:
    # mining/tree/frameworks.py may grow a category before this table does.
    assert detection_category("quantum") is SkillCategory.TOOLS
    assert detection_weight("quantum") == 0.3
