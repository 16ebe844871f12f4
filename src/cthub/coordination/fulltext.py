"""Full-text search over ``coord_evaluations``, one strategy per backend (see ``knowledge``).

Each strategy takes a session and a ``select(Evaluation)`` already limited to what the actor may
read, and returns one page of ``(evaluation, score, snippet)`` (higher score is better) plus the
number of matches. The SQL structures they query are created by migration 0004: the FTS5 table
``coord_evaluations_fts`` on SQLite, the GIN index ``ix_coord_evaluations_fts`` on PostgreSQL,
whose expression ``_PG_DOC`` repeats word for word so that the planner can use it.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import ColumnClause, Float, Integer, String, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from cthub.coordination.models import Evaluation

SUBSTRING_CAP = 1000  # candidates the fallback ranks in Python
Fragment = tuple[str, bool]
Hit = tuple[Evaluation, float, tuple[Fragment, ...]]
_START, _STOP = "\x02", "\x03"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TERMS = re.compile(r'"([^"]+)"|(\S+)')
_PG_CONFIG: ColumnClause[Any] = literal_column("'simple'::regconfig")
_PG_DOC: ColumnClause[Any] = literal_column(
    "to_tsvector('simple'::regconfig, coord_evaluations.title || ' ' || coord_evaluations.body)"
)
_PG_WEIGHTED: ColumnClause[Any] = literal_column(
    "setweight(to_tsvector('simple'::regconfig, coord_evaluations.title), 'A') "
    "|| to_tsvector('simple'::regconfig, coord_evaluations.body)"
)
_PG_HEADLINE = f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
_FTS5 = (
    "SELECT rowid AS id, bm25(coord_evaluations_fts, 10.0, 1.0) AS rank, "
    "snippet(coord_evaluations_fts, -1, char(2), char(3), '…', 40) AS snip "
    "FROM coord_evaluations_fts WHERE coord_evaluations_fts MATCH :match"
)


def query_terms(q: str) -> list[str]:
    """Words and "quoted phrases" of a query, in order, without duplicates."""
    found = ((m.group(1) or m.group(2)).strip().strip('"').strip() for m in _TERMS.finditer(q))
    return list(dict.fromkeys(t for t in found if t))


def method(dialect: str, q: str, terms: list[str]) -> str:
    """``fts5`` unless a term is too short for trigrams; ``tsvector`` unless ``q`` has CJK."""
    if dialect == "sqlite" and all(len(t) >= 3 for t in terms):
        return "fts5"
    if dialect == "postgresql" and not _CJK.search(q):
        return "tsvector"
    return "substring"


def _count(s: Session, stmt: Any) -> int:
    return s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def fts5(s: Session, base: Any, terms: list[str], limit: int, offset: int) -> tuple[list[Hit], int]:
    """Every term as an FTS5 phrase (quotes doubled, so no query syntax leaks in), by bm25."""
    match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    fts = (
        text(_FTS5)
        .bindparams(match=match)
        .columns(id=Integer, rank=Float, snip=String)
        .subquery("fts")
    )
    stmt = base.add_columns(fts.c.rank, fts.c.snip).join(fts, fts.c.id == Evaluation.id)
    rows = s.execute(stmt.order_by(fts.c.rank, Evaluation.id).limit(limit).offset(offset))
    return [(e, -float(rank), fragments(snip)) for e, rank, snip in rows], _count(s, stmt)


def tsvector(s: Session, base: Any, q: str, limit: int, offset: int) -> tuple[list[Hit], int]:
    """``websearch_to_tsquery`` syntax ("phrases", or, -word), ranked by ``ts_rank``."""
    query = func.websearch_to_tsquery(_PG_CONFIG, q)
    rank = func.ts_rank(_PG_WEIGHTED, query)
    headline = func.ts_headline(_PG_CONFIG, Evaluation.body, query, _PG_HEADLINE)
    stmt = base.where(_PG_DOC.op("@@")(query))
    page = stmt.add_columns(rank, headline).order_by(rank.desc(), Evaluation.id)
    rows = s.execute(page.limit(limit).offset(offset))
    return [(e, float(r), fragments(h)) for e, r, h in rows], _count(s, stmt)


def substring(
    s: Session, base: Any, terms: list[str], limit: int, offset: int
) -> tuple[list[Hit], int]:
    """Every term as an ILIKE substring; ranked by occurrences, a title's count ten times."""
    stmt = base
    for term in terms:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"
        title, body = (c.ilike(pattern, escape="\\") for c in (Evaluation.title, Evaluation.body))
        stmt = stmt.where(or_(title, body))
    rows = list(s.scalars(stmt.order_by(Evaluation.id.desc()).limit(SUBSTRING_CAP)))
    longest_first = sorted(terms, key=len, reverse=True)
    finder = re.compile("|".join(re.escape(t) for t in longest_first), re.IGNORECASE)
    scored = [(10 * len(finder.findall(e.title)) + len(finder.findall(e.body)), e) for e in rows]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].id))
    page = scored[offset : offset + limit]
    return [(e, float(n), _window(e.body, finder)) for n, e in page], len(scored)


def _window(body: str, finder: re.Pattern[str]) -> tuple[Fragment, ...]:
    """The body around its first match, every match in it highlighted."""
    first = finder.search(body)
    start = max(0, first.start() - 60) if first else 0
    end = min(len(body), (first.end() if first else 0) + 140)
    marked = finder.sub(lambda m: _START + m.group(0) + _STOP, body[start:end])
    return fragments(("…" if start else "") + marked + ("…" if end < len(body) else ""))


def fragments(marked: str | None) -> tuple[Fragment, ...]:
    """Text with \\x02…\\x03 highlight markers -> ``(text, highlighted)`` fragments."""
    pieces = re.split(f"[{_START}{_STOP}]", marked or "")
    return tuple((piece, n % 2 == 1) for n, piece in enumerate(pieces) if piece)


def snippet_html(snippet: tuple[Fragment, ...]) -> str:
    """A snippet as escaped HTML with ``<mark>`` around the matches."""
    return "".join(
        f"<mark>{html.escape(t)}</mark>" if hit else html.escape(t) for t, hit in snippet
    )


__all__ = [
    "SUBSTRING_CAP",
    "Fragment",
    "Hit",
    "fragments",
    "fts5",
    "method",
    "query_terms",
    "snippet_html",
    "substring",
    "tsvector",
]
