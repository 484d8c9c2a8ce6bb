"""Analysis: mining records in, skills, evidence, health, ranking, resume items and a developer
profile out. Pure and deterministic: no I/O, no clock (`now` is an argument), frozen results.

`analyze_portfolio` is the entry point; `to_jsonable` and `render_text` present its result.
Each formula is documented in its module: proficiency.py, health.py, ranking.py, profile.py.
"""

from __future__ import annotations

from mining.analyze.evidence import Evidence, EvidenceSource, EvidenceType
from mining.analyze.health import HealthComponent, HealthScore
from mining.analyze.portfolio import PortfolioAnalysis, ProjectAnalysis, analyze_portfolio
from mining.analyze.prefs import REPRESENTATION_PREFS_SCHEMA, RepresentationPrefs
from mining.analyze.present import render_text, to_jsonable
from mining.analyze.profile import DeveloperProfile
from mining.analyze.ranking import RankComponent, RankedProject
from mining.analyze.resume import ResumeCategory, ResumeItem
from mining.analyze.skills import ProjectSkill, UserProjectSkill
from mining.analyze.weights import DEFAULT_WEIGHTS, Factor, InvalidWeightsError

__all__ = [
    "DEFAULT_WEIGHTS",
    "REPRESENTATION_PREFS_SCHEMA",
    "DeveloperProfile",
    "Evidence",
    "EvidenceSource",
    "EvidenceType",
    "Factor",
    "HealthComponent",
    "HealthScore",
    "InvalidWeightsError",
    "PortfolioAnalysis",
    "ProjectAnalysis",
    "ProjectSkill",
    "RankComponent",
    "RankedProject",
    "RepresentationPrefs",
    "ResumeCategory",
    "ResumeItem",
    "UserProjectSkill",
    "analyze_portfolio",
    "render_text",
    "to_jsonable",
]
