"""Project evaluations and lessons learned: tagged by area, linked to a project, searchable.

An evaluation belongs to the organisation that recorded it and is read under the same policy as
the rest of the register (own organisation, sharing rules, the coordinator reads all). Search
is real full-text search, built by migration 0004:

* SQLite: the FTS5 table ``coord_evaluations_fts`` (tokenizer ``trigram``, so Chinese text and
  any substring of three characters or more match), kept in step by triggers; ranked by
  ``bm25`` with the title weighted ten times the body, snippet from ``snippet()``.
* PostgreSQL: ``to_tsvector('simple', title || ' ' || body) @@ websearch_to_tsquery('simple',
  q)``, served by a GIN expression index, ranked by ``ts_rank`` (title weight A), snippet from
  ``ts_headline``.
* Substring fallback, on both: a term shorter than three characters (which trigrams cannot
  match) on SQLite, or CJK text on PostgreSQL (``simple`` does not segment Chinese). Terms are
  matched with ILIKE and ranked by occurrences, title ten times the body.

A snippet is a tuple of ``(text, highlighted)`` fragments, so each interface escapes and marks
it in its own format (``snippet_html`` for the web). The SQL of each strategy is in
``fulltext``; this module owns the records, the policy and the audit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, String, cast, select

from cthub.coordination import fulltext, taxonomy, validation
from cthub.coordination.fulltext import Fragment, fragments, query_terms, snippet_html
from cthub.coordination.models import Evaluation, Project
from cthub.coordination.service import Page, get_owned, paged, scoped, writer_org
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.i18n import N_
from cthub.core.policy import Actor

KINDS: dict[str, str] = {"evaluation": N_("Evaluation"), "lesson": N_("Lesson learned")}
S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class EvaluationView:
    id: int
    org_id: int
    project_id: int | None
    kind: str
    title: str
    body: str
    areas: tuple[str, ...]
    recipient: str | None
    published_on: dt.date | None
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class SearchHit:
    evaluation: EvaluationView
    score: float
    snippet: tuple[Fragment, ...]


@dataclass(frozen=True)
class SearchResults:
    """``method`` is ``fts5``, ``tsvector`` or ``substring`` (see the module docstring)."""

    query: str
    method: str
    hits: list[SearchHit]
    total: int
    limit: int
    offset: int


def evaluation_view(e: Evaluation) -> EvaluationView:
    return EvaluationView(
        e.id, e.org_id, e.project_id, e.kind, e.title, e.body, tuple(e.areas or ()),
        e.recipient, e.published_on, e.created_by, e.created_at,
    )  # fmt: skip


# -- records -----------------------------------------------------------------------------------


def _project_id(value: Any) -> int | None:
    raw = str(value if value is not None else "").strip()
    if not raw:
        return None
    if not raw.isdecimal() or int(raw) > validation.MAX_INT:
        raise InvalidInput(
            "The linked project must be a project number, not {value!r}.",
            field="project_id",
            value=raw,
        )
    return int(raw)


def _values(data: Mapping[str, Any]) -> dict[str, Any]:
    areas = validation.choices(data.get("areas"), "areas", taxonomy.AREA_KEYS)
    if not areas:
        raise InvalidInput("Choose at least one assistance area.", field="areas")
    recipient = data.get("recipient")
    return {
        "kind": validation.choice(data.get("kind") or "evaluation", "kind", KINDS),
        "title": validation.text(data, "title", limit=300),
        "body": validation.text(data, "body", limit=200_000),
        "areas": list(areas),
        "recipient": validation.recipient(recipient) if str(recipient or "").strip() else None,
        "published_on": validation.date(data.get("published_on"), "published_on"),
        "project_id": _project_id(data.get("project_id")),
    }


def _link(u: Unit, values: dict[str, Any]) -> None:
    """The linked project must be readable by the actor; it supplies a missing recipient."""
    if values["project_id"] is None:
        return
    project = u.s.get(Project, values["project_id"])
    orgs = u.visible_orgs("coordination.read")
    if project is None or (orgs is not None and project.org_id not in orgs):
        raise InvalidInput(
            "Linked project {value} does not exist or is not visible to you.",
            field="project_id",
            value=values["project_id"],
        )
    values["recipient"] = values["recipient"] or project.recipient


def create_evaluation(hub: Hub, actor: Actor, data: Mapping[str, Any]) -> EvaluationView:
    values = _values(data)
    with hub.unit(actor, "coordination.write") as u:
        _link(u, values)
        row = Evaluation(org_id=writer_org(u, data), created_by=actor.name, **values)
        u.s.add(row)
        u.s.flush()
        u.audit("evaluation", row.id, org_id=row.org_id, details={"kind": row.kind})
        return evaluation_view(row)


def update_evaluation(
    hub: Hub, actor: Actor, evaluation_id: int, data: Mapping[str, Any]
) -> EvaluationView:
    values = _values(data)
    with hub.unit(actor, "coordination.write") as u:
        row = get_owned(u, Evaluation, evaluation_id, "evaluation")
        _link(u, values)
        for key, value in values.items():
            setattr(row, key, value)
        u.audit("evaluation", row.id, org_id=row.org_id)
        return evaluation_view(row)


def delete_evaluation(hub: Hub, actor: Actor, evaluation_id: int) -> None:
    with hub.unit(actor, "coordination.write") as u:
        row = get_owned(u, Evaluation, evaluation_id, "evaluation")
        u.s.delete(row)
        u.audit("evaluation", evaluation_id, org_id=row.org_id, details={"deleted": True})


def get_evaluation(hub: Hub, actor: Actor, evaluation_id: int) -> EvaluationView:
    with hub.unit(actor, "coordination.read") as u:
        row = get_owned(u, Evaluation, evaluation_id, "evaluation")
        u.audit("evaluation", row.id, org_id=row.org_id)
        return evaluation_view(row)


def _filtered(
    stmt: S, area: str | None, recipient: str | None, kind: str | None, project_id: int | None
) -> S:
    if area:
        key = validation.choice(area, "area", taxonomy.AREA_KEYS)
        stmt = stmt.where(cast(Evaluation.areas, String).like(f'%"{key}"%'))
    if recipient:
        stmt = stmt.where(Evaluation.recipient == validation.recipient(recipient))
    if kind:
        stmt = stmt.where(Evaluation.kind == validation.choice(kind, "kind", KINDS))
    if project_id is not None:
        stmt = stmt.where(Evaluation.project_id == project_id)
    return stmt


def list_evaluations(
    hub: Hub, actor: Actor, *, area: str | None = None, recipient: str | None = None,
    kind: str | None = None, project_id: int | None = None, limit: int = 50, offset: int = 0,
) -> Page[EvaluationView]:  # fmt: skip
    """Visible evaluations, latest published first (undated last)."""
    with hub.unit(actor, "coordination.read") as u:
        stmt = _filtered(
            scoped(u, select(Evaluation), Evaluation.org_id), area, recipient, kind, project_id
        )
        order = (Evaluation.published_on.desc().nulls_last(), Evaluation.id.desc())
        rows, total = paged(u, stmt.order_by(*order), limit, offset)
        u.audit("evaluation", details={"listed": len(rows)})
        return Page([evaluation_view(e) for e in rows], total, limit, offset)


# -- search ------------------------------------------------------------------------------------


def search(
    hub: Hub, actor: Actor, q: str, *, area: str | None = None, recipient: str | None = None,
    kind: str | None = None, limit: int = 20, offset: int = 0,
) -> SearchResults:  # fmt: skip
    """Visible evaluations matching every term of ``q``, best first, with a snippet each."""
    q = q.replace("\x00", "")  # FTS5 reads NUL as the end of the query, PostgreSQL refuses it
    terms = fulltext.query_terms(q)
    if not terms:
        raise InvalidInput("Type a word or a phrase to search for.", field="q")
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    with hub.unit(actor, "coordination.read") as u:
        base = _filtered(
            scoped(u, select(Evaluation), Evaluation.org_id), area, recipient, kind, None
        )
        method = fulltext.method(u.s.get_bind().dialect.name, q, terms)
        if method == "fts5":
            rows, total = fulltext.fts5(u.s, base, terms, limit, offset)
        elif method == "tsvector":
            rows, total = fulltext.tsvector(u.s, base, q, limit, offset)
        else:
            rows, total = fulltext.substring(u.s, base, terms, limit, offset)
        hits = [SearchHit(evaluation_view(e), score, snip) for e, score, snip in rows]
        u.audit("evaluation", details={"search": method, "hits": total})
    return SearchResults(q.strip(), method, hits, total, limit, offset)


__all__ = [
    "KINDS",
    "EvaluationView",
    "Fragment",
    "SearchHit",
    "SearchResults",
    "create_evaluation",
    "delete_evaluation",
    "evaluation_view",
    "fragments",
    "get_evaluation",
    "list_evaluations",
    "query_terms",
    "search",
    "snippet_html",
    "update_evaluation",
]
