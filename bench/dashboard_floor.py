"""The floor of the dashboard benchmark: the same query shape over plain Python objects.

A minimal Strawberry schema whose fields are plain attributes (only the two connections take
arguments), filled from the JSON answer our server gave, served by uvicorn with the defaults
`artifact-miner serve` uses. Nothing is computed per request but what Strawberry itself does.

    python -m bench.dashboard_floor ANSWER.json --port 8001
"""

from __future__ import annotations

import argparse
import enum
import json
from pathlib import Path
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.asgi import GraphQL

T = TypeVar("T")


@strawberry.type
class Page(Generic[T]):
    """A child list's page: only its nodes are asked for."""

    nodes: list[T]


@strawberry.enum
class ProjectOrder(enum.Enum):
    RANKING = "RANKING"
    RECENT = "RECENT"
    COMMITS = "COMMITS"
    NAME = "NAME"


@strawberry.type
class SkillRef:
    name: str


@strawberry.type
class ProjectSkill:
    skill: SkillRef
    proficiency: float
    level: str | None
    evidence: list[str]


@strawberry.type
class Evidence:
    type: str
    content: str


@strawberry.type
class ResumeItem:
    content: str


@strawberry.type
class UserStat:
    share_percent: float
    role: str | None


@strawberry.type
class Component:
    name: str
    contribution: float | None


@strawberry.type
class Project:
    project_name: str
    ranking_score: float | None
    health_score: float | None
    ranking_components: list[Component]
    skills: Page[ProjectSkill]
    evidence: Page[Evidence]
    resume_items: Page[ResumeItem]
    user_stats: Page[UserStat]


@strawberry.type
class ProjectConnection:
    total_count: int
    nodes: list[Project]


@strawberry.type
class Seniority:
    level: str
    score: int


@strawberry.type
class TopSkill:
    name: str
    level: str
    proficiency: float


@strawberry.type
class LanguageLines:
    name: str
    lines: int
    commits: int


@strawberry.type
class Profile:
    first_active: str | None
    last_active: str | None
    seniority: Seniority
    top_skills: list[TopSkill]
    languages_by_lines: list[LanguageLines]


def _profile(raw: dict[str, Any]) -> Profile:
    return Profile(
        first_active=raw["firstActive"],
        last_active=raw["lastActive"],
        seniority=Seniority(**raw["seniority"]),
        top_skills=[TopSkill(**s) for s in raw["topSkills"]],
        languages_by_lines=[LanguageLines(**lang) for lang in raw["languagesByLines"]],
    )


@strawberry.type
class Portfolio:
    id: strawberry.ID
    name: str
    profile: Profile
    all_projects: strawberry.Private[list[Project]]

    @strawberry.field
    def projects(
        self, first: int | None = None, order_by: ProjectOrder = ProjectOrder.RANKING
    ) -> ProjectConnection:
        chosen = self.all_projects if first is None else self.all_projects[:first]
        return ProjectConnection(total_count=len(self.all_projects), nodes=chosen)


@strawberry.type
class PortfolioConnection:
    nodes: list[Portfolio]


def _project(raw: dict[str, Any]) -> Project:
    return Project(
        project_name=raw["projectName"],
        ranking_score=raw["rankingScore"],
        health_score=raw["healthScore"],
        ranking_components=[Component(**c) for c in raw["rankingComponents"]],
        skills=Page(
            nodes=[
                ProjectSkill(
                    skill=SkillRef(name=s["skill"]["name"]),
                    proficiency=s["proficiency"],
                    level=s["level"],
                    evidence=s["evidence"],
                )
                for s in raw["skills"]["nodes"]
            ]
        ),
        evidence=Page(
            nodes=[Evidence(type=e["type"], content=e["content"]) for e in raw["evidence"]["nodes"]]
        ),
        resume_items=Page(
            nodes=[ResumeItem(content=r["content"]) for r in raw["resumeItems"]["nodes"]]
        ),
        user_stats=Page(
            nodes=[
                UserStat(share_percent=u["sharePercent"], role=u["role"])
                for u in raw["userStats"]["nodes"]
            ]
        ),
    )


def portfolios(data: dict[str, Any]) -> list[Portfolio]:
    """Plain objects from the `data` of a dashboard answer."""
    return [
        Portfolio(
            id=strawberry.ID(p["id"]),
            name=p["name"],
            profile=_profile(p["profile"]),
            all_projects=[_project(x) for x in p["projects"]["nodes"]],
        )
        for p in data["portfolios"]["nodes"]
    ]


def app(data: dict[str, Any]) -> GraphQL[None, None]:
    everything = portfolios(data)

    @strawberry.type
    class Query:
        @strawberry.field
        def portfolios(self, first: int | None = None) -> PortfolioConnection:
            return PortfolioConnection(nodes=everything[:first])

    return GraphQL(strawberry.Schema(query=Query))


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("answer", type=Path, help="the JSON `data` of our dashboard answer")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(app(json.loads(args.answer.read_text())), host="127.0.0.1", port=args.port,
                log_level="info")  # fmt: skip


if __name__ == "__main__":
    main()
