"""Full-text search over the owner's projects, skills, evidence and resume items, ranked, with
highlights; one query on either database (migration 0006 made the indexes).

- SQLite: FTS5 tables with external content (fts_projects over repo_stats, ...), ranked by
  bm25() (columns weighted: a name counts more than a summary), highlighted by snippet().
- PostgreSQL: GIN indexes on weighted tsvector expressions (`_pg_vector`, the very expressions of
  the migration, so the planner uses them), ranked by ts_rank, highlighted by ts_headline.

What is searched for: the words of the query, every one required; a "quoted phrase" must
appear as written. The words are passed to FTS5 as quoted strings and to PostgreSQL through
phraseto_tsquery, never as query syntax, so a user's quote, parenthesis, colon, NEAR, OR or
"*" cannot raise a syntax error or change the query's meaning. Both stem English words
(FTS5's porter tokenizer, the "english" configuration).

Owners: each kind's rows are joined to their project (a skill: to a project showing it) and
filtered on its owner and on not being deleted, in SQL, before ranking. Pages are cut by
offset after the ranked order (score, then kind and id): a ranked list has no stable key.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

MAX_TERMS = 16
START, STOP = "\x02", "\x03"  # around each match in a highlight; removed from the text first


class HitKind(enum.Enum):
    PROJECT = "PROJECT"
    SKILL = "SKILL"
    EVIDENCE = "EVIDENCE"
    RESUME_ITEM = "RESUME_ITEM"


@dataclass(frozen=True, slots=True)
class Hit:
    kind: HitKind
    row_id: int
    score: float  # higher is better; comparable within one search only
    snippet: str  # matches between START and STOP


@dataclass(frozen=True, slots=True)
class Hits:
    hits: list[Hit]
    total: int


def terms_of(query: str) -> list[str]:
    """The words and "quoted phrases" of a query, as plain text (no operators)."""
    found = [phrase or word for phrase, word in re.findall(r'"([^"]*)"|([^\s"]+)', query)]
    return [term for term in (t.strip() for t in found) if term][:MAX_TERMS]


# The alias of each kind's own table in its query; `r` is always the project.
_ALIAS = {HitKind.PROJECT: "r", HitKind.SKILL: "s", HitKind.EVIDENCE: "e", HitKind.RESUME_ITEM: "i"}

# --- SQLite (FTS5) -------------------------------------------------------------------------

# kind: (FTS table, content table alias and join to its project, bm25 column weights)
_FTS5 = {
    HitKind.PROJECT: ("fts_projects", "repo_stats r ON r.id = fts_projects.rowid", "10, 5, 1"),
    HitKind.SKILL: ("fts_skills", "skills s ON s.id = fts_skills.rowid", "10, 1"),
    HitKind.EVIDENCE: (
        "fts_evidence",
        "project_evidence e ON e.id = fts_evidence.rowid "
        "JOIN repo_stats r ON r.id = e.repo_stat_id",
        "1",
    ),
    HitKind.RESUME_ITEM: (
        "fts_resume",
        "resume_items i ON i.id = fts_resume.rowid JOIN repo_stats r ON r.id = i.repo_stat_id",
        "5, 1",
    ),
}


def fts5_query(terms: Sequence[str]) -> str:
    """An FTS5 query of quoted strings, all required (a string's own quotes doubled)."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _sqlite_member(kind: HitKind, portfolio: bool) -> str:
    table, join, weights = _FTS5[kind]
    return (
        f"SELECT '{kind.value}' AS kind, {_ALIAS[kind]}.id AS row_id, "
        f"-bm25({table}, {weights}) AS score, "
        f"snippet({table}, -1, :start, :stop, ' … ', 24) AS snippet "
        f"FROM {table} JOIN {join} WHERE {table} MATCH :match AND {_owned(kind, portfolio)}"
    )


# --- PostgreSQL (tsvector) -----------------------------------------------------------------

# kind: (table and alias, weighted columns); the vector is the migration's index expression.
_PG = {
    HitKind.PROJECT: (
        "repo_stats r",
        (("project_name", "A"), ("primary_language", "B"), ("summary", "C")),
    ),
    HitKind.SKILL: ("skills s", (("name", "A"), ("category", "C"))),
    HitKind.EVIDENCE: (
        "project_evidence e JOIN repo_stats r ON r.id = e.repo_stat_id",
        (("content", "B"),),
    ),
    HitKind.RESUME_ITEM: (
        "resume_items i JOIN repo_stats r ON r.id = i.repo_stat_id",
        (("title", "A"), ("content", "B")),
    ),
}
_HEADLINE = (
    f'StartSel="{START}", StopSel="{STOP}", MaxWords=24, MinWords=8, MaxFragments=2, '
    'FragmentDelimiter=" … "'
)


def _pg_vector(kind: HitKind) -> str:
    alias = _ALIAS[kind]
    return " || ".join(
        f"setweight(to_tsvector('english', coalesce({alias}.{c}, '')), '{w}')"
        for c, w in _PG[kind][1]
    )


def _pg_query(count: int) -> str:
    return " && ".join(f"phraseto_tsquery('english', :term{n})" for n in range(count))


def pg_match(kind: HitKind, terms: int) -> str:
    """The condition that a row of `kind` (its table's alias) matches :term0, :term1 ..."""
    return f"({_pg_vector(kind)}) @@ ({_pg_query(terms)})"


def _pg_member(kind: HitKind, portfolio: bool, terms: int) -> str:
    table, columns = _PG[kind]
    alias = _ALIAS[kind]
    document = " || ' ' || ".join(f"coalesce({alias}.{c}, '')" for c, _ in columns)
    vector, query = _pg_vector(kind), _pg_query(terms)
    return (
        f"SELECT '{kind.value}' AS kind, {alias}.id AS row_id, "
        f"ts_rank({vector}, {query}) AS score, "
        f"ts_headline('english', translate({document}, :start || :stop, ''), {query}, "
        f":headline) AS snippet "
        f"FROM {table} WHERE {pg_match(kind, terms)} AND {_owned(kind, portfolio)}"
    )


# --- both ----------------------------------------------------------------------------------


def _owned(kind: HitKind, portfolio: bool) -> str:
    """The owner (and portfolio) condition of a kind's rows; `r` is their project."""
    in_portfolio = " AND r.portfolio_id = :portfolio" if portfolio else ""
    live = f"r.owner_id = :owner AND r.deleted_at IS NULL{in_portfolio}"
    if kind is HitKind.SKILL:
        return (
            "EXISTS (SELECT 1 FROM project_skills ps JOIN repo_stats r ON r.id = ps.repo_stat_id "
            f"WHERE ps.skill_id = s.id AND {live})"
        )
    return live


def statement(
    dialect: str, terms: Sequence[str], kinds: Sequence[HitKind], *, scoped: bool
) -> tuple[TextClause, dict[str, object]]:
    """The ranked query over `kinds` and its parameters but :owner, :portfolio (when
    `scoped`), :limit and :offset."""
    params: dict[str, object] = {"start": START, "stop": STOP}
    if dialect == "postgresql":
        members = [_pg_member(kind, scoped, len(terms)) for kind in kinds]
        params |= {f"term{n}": term for n, term in enumerate(terms)} | {"headline": _HEADLINE}
    else:
        members = [_sqlite_member(kind, scoped) for kind in kinds]
        params["match"] = fts5_query(terms)
    sql = text(
        "SELECT kind, row_id, score, snippet, count(*) OVER () AS total FROM ("
        + " UNION ALL ".join(members)
        + ") AS hits ORDER BY score DESC, kind, row_id LIMIT :limit OFFSET :offset"
    )
    return sql, params


async def search(
    session: AsyncSession,
    terms: Sequence[str],
    kinds: Sequence[HitKind],
    *,
    owner_id: int,
    portfolio_id: str | None,
    offset: int,
    limit: int,
) -> Hits:
    """One page of the owner's rows of `kinds` matching every term, best first."""
    if not terms or not kinds:
        return Hits([], 0)
    dialect = session.get_bind().dialect.name
    sql, params = statement(dialect, terms, kinds, scoped=portfolio_id is not None)
    params |= {"owner": owner_id, "portfolio": portfolio_id, "limit": limit, "offset": offset}
    rows = (await session.execute(sql, params)).all()
    total = rows[0].total if rows else await _count(session, sql, params, offset)
    return Hits([Hit(HitKind(r.kind), r.row_id, float(r.score), r.snippet) for r in rows], total)


async def _count(
    session: AsyncSession, sql: TextClause, params: dict[str, object], offset: int
) -> int:
    """The number of hits when the page asked for is past the end (or empty)."""
    if offset == 0:
        return 0
    again = await session.execute(sql, params | {"offset": 0, "limit": 1})
    first = again.first()
    return 0 if first is None else int(first.total)


def segments(snippet: str) -> list[tuple[str, bool]]:
    """A highlight as (text, matched) pieces, the markers gone."""
    pieces: list[tuple[str, bool]] = []
    for n, part in enumerate(re.split(f"[{START}{STOP}]", snippet)):
        if part:
            pieces.append((part, n % 2 == 1))
    return pieces
