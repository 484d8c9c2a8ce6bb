"""The skills catalogue: which category a skill belongs to and how central it is to a project.

Skills come from three places, each with its own table here:

- languages (the names mining/tree/languages.py gives, "Python", "TypeScript"): category
  `languages`; only programming and markup languages count — data and prose formats (JSON,
  YAML, Markdown)
  are everywhere and say nothing about a person's skills;
- detections (mining/tree/frameworks.py): `DETECTION_CATEGORIES` maps `Detection.category` to a
  skill category and `DETECTION_WEIGHT` to how central such a tool is to a project (the
  categories are mining.tree.frameworks.CATEGORIES: framework, library, database, messaging,
  testing, linter, formatter, type_checker, build, ci, container, infrastructure, cloud,
  data_ml);
- practices (`Practice`): testing, CI/CD, containerisation, documentation, code review, ...
  derived from the file tree, the history and the detections (see skills.py).
"""

from __future__ import annotations

from enum import StrEnum


class SkillCategory(StrEnum):
    LANGUAGES = "languages"
    FRAMEWORKS = "frameworks"
    LIBRARIES = "libraries"
    DATABASES = "databases"
    TOOLS = "tools"
    CLOUD_DEVOPS = "cloud_devops"
    DATA = "data"
    PRACTICES = "practices"


class Practice(StrEnum):
    """Engineering practices; the value is the skill name shown to people."""

    TESTING = "Testing"
    CI_CD = "CI/CD"
    CONTAINERS = "Containerisation"
    DOCUMENTATION = "Documentation"
    CODE_REVIEW = "Code Review"
    TYPE_CHECKING = "Type Checking"
    LINTING = "Linting"
    FORMATTING = "Code Formatting"
    RELEASES = "Release Management"
    INFRASTRUCTURE = "Infrastructure as Code"


# Detection.category (mining/tree/frameworks.py) -> skill category. An unknown category falls back
# to TOOLS rather than failing: the tables grow independently of this module.
DETECTION_CATEGORIES: dict[str, SkillCategory] = {
    "framework": SkillCategory.FRAMEWORKS,
    "library": SkillCategory.LIBRARIES,
    "database": SkillCategory.DATABASES,
    "testing": SkillCategory.TOOLS,
    "linter": SkillCategory.TOOLS,
    "formatter": SkillCategory.TOOLS,
    "type_checker": SkillCategory.TOOLS,
    "build": SkillCategory.TOOLS,
    "ci": SkillCategory.CLOUD_DEVOPS,
    "container": SkillCategory.CLOUD_DEVOPS,
    "infrastructure": SkillCategory.CLOUD_DEVOPS,
    "cloud": SkillCategory.CLOUD_DEVOPS,
    "data": SkillCategory.DATA,
    "data_ml": SkillCategory.DATA,
    # Brokers (Kafka, RabbitMQ) are infrastructure a team runs, not a store it models.
    "messaging": SkillCategory.CLOUD_DEVOPS,
}

# Weight (centrality to the project, 0..1) of a detected tool, by Detection.category. A
# framework shapes the whole code base; a formatter touches none of its logic. Manifests do not
# say how much code uses a library, so a fixed table is the honest choice.
DETECTION_WEIGHT: dict[str, float] = {
    "framework": 0.7,
    "library": 0.4,
    "database": 0.5,
    "testing": 0.4,
    "linter": 0.3,
    "formatter": 0.2,
    "type_checker": 0.3,
    "build": 0.3,
    "ci": 0.4,
    "container": 0.4,
    "infrastructure": 0.4,
    "cloud": 0.5,
    "data": 0.5,
    "data_ml": 0.5,
    "messaging": 0.4,
}
DEFAULT_DETECTION_WEIGHT = 0.3

# Weight of a practice in a project (testing is closest to the code itself).
PRACTICE_WEIGHT: dict[Practice, float] = {
    Practice.TESTING: 0.5,
    Practice.CI_CD: 0.4,
    Practice.CONTAINERS: 0.3,
    Practice.DOCUMENTATION: 0.3,
    Practice.CODE_REVIEW: 0.4,
    Practice.TYPE_CHECKING: 0.3,
    Practice.LINTING: 0.3,
    Practice.FORMATTING: 0.2,
    Practice.RELEASES: 0.3,
    Practice.INFRASTRUCTURE: 0.4,
}

# The practice a detection category demonstrates, besides the tool itself.
CATEGORY_PRACTICE: dict[str, Practice] = {
    "testing": Practice.TESTING,
    "ci": Practice.CI_CD,
    "container": Practice.CONTAINERS,
    "linter": Practice.LINTING,
    "formatter": Practice.FORMATTING,
    "type_checker": Practice.TYPE_CHECKING,
    "infrastructure": Practice.INFRASTRUCTURE,
}

# Languages of a Detection.ecosystem: a framework is exercised through the code written in
# these languages, so their activity stands in for the framework's (see skills.py).
ECOSYSTEM_LANGUAGES: dict[str, tuple[str, ...]] = {
    "python": ("Python", "Cython", "Jupyter Notebook"),
    "javascript": ("JavaScript", "TypeScript", "JSX", "TSX", "Vue", "Svelte"),
    "java": ("Java", "Kotlin", "Scala", "Groovy"),
    "go": ("Go",),
    "rust": ("Rust",),
    "ruby": ("Ruby",),
    "php": ("PHP",),
    "dotnet": ("C#", "F#", "Visual Basic .NET"),
}

# Used only when a language is missing from the LanguageBreakdown of the project (e.g. it
# existed in history but was deleted before HEAD): names of formats that are not skills.
NON_SKILL_LANGUAGES: frozenset[str] = frozenset(
    {
        "json",
        "yaml",
        "toml",
        "ini",
        "xml",
        "csv",
        "markdown",
        "text",
        "restructuredtext",
        "asciidoc",
        "svg",
        "lock",
    }
)


def detection_category(category: str) -> SkillCategory:
    return DETECTION_CATEGORIES.get(category, SkillCategory.TOOLS)


def detection_weight(category: str) -> float:
    return DETECTION_WEIGHT.get(category, DEFAULT_DETECTION_WEIGHT)
