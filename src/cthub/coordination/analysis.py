"""Analytics as service calls: overlap review, gaps, priorities, concentration, recommendations.

The computations are pure functions over ``Register`` records (``overlaps``, ``gaps``,
``priority``, ``concentration``, ``recommend``); this module loads the register the actor may
see, runs them, and keeps what people decide. Flagged overlap pairs are stored with their
score and reasons; a coordinator confirms or dismisses each, with a note, and a pair that is
flagged again keeps its decision. Priority weights and per-recipient adjustments are edited
by the coordinator and every change is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.coordination import concentration, gaps, overlaps, priority, recommend, treaties
from cthub.coordination.models import OverlapReview, PriorityAdjustment, PrioritySetting
from cthub.coordination.overlap_reasons import reasons_from_data, reasons_to_data, render_all
from cthub.coordination.records import Register
from cthub.coordination.service import register_in
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor

OVERLAP_STATES = ("flagged", "confirmed", "dismissed")
DEFAULT_MIN_SCORE = 0.5


@dataclass(frozen=True)
class OverlapView:
    id: int
    project_a: int
    project_b: int
    title_a: str
    title_b: str
    donor_a: str
    donor_b: str
    recipient: str
    score: float
    reasons: str
    state: str
    note: str
    decided_by: str | None
    decided_at: dt.datetime | None
    reason_items: tuple[overlaps.Reason, ...] = ()

    def reasons_in(self, gettext: Callable[[str], str] | None = None) -> str:
        """The reasons in the reader's language (the stored English text for old rows)."""
        return render_all(self.reason_items, self.reasons, gettext)


@dataclass(frozen=True)
class FlagResult:
    pairs: int
    new: int
    kept_decisions: int
    seconds: float


def detect(hub: Hub, actor: Actor, *, min_score: float = DEFAULT_MIN_SCORE) -> FlagResult:
    """Score every project pair of the visible register and store the flagged ones."""
    started = dt.datetime.now(dt.UTC)
    with hub.unit(actor, "coordination.read") as u:
        found = overlaps.detect_overlaps(register_in(u).projects, min_score=min_score)
        existing = {(r.project_a, r.project_b): r for r in u.s.scalars(select(OverlapReview))}
        new = kept = 0
        for pair in found:
            row = existing.get((pair.project_a, pair.project_b))
            text, data = overlaps.reasons_text(pair), reasons_to_data(pair.reasons)
            if row is None:
                u.s.add(OverlapReview(project_a=pair.project_a, project_b=pair.project_b,
                                      score=pair.score, reasons=text,
                                      reasons_data=data))  # fmt: skip
                new += 1
            else:
                row.score, row.reasons, row.reasons_data = pair.score, text, data
                kept += row.state != "flagged"
        seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
        u.audit("overlaps", details={"pairs": len(found), "new": new, "min_score": min_score})
        return FlagResult(len(found), new, kept, round(seconds, 3))


def list_overlaps(
    hub: Hub, actor: Actor, *, state: str | None = None, min_score: float = 0.0,
    recipient: str | None = None,
) -> list[OverlapView]:  # fmt: skip
    """Stored pairs whose two projects the actor may both see, best first."""
    if state is not None and state not in OVERLAP_STATES:
        raise InvalidInput("Unknown overlap state {value!r}.", field="state", value=state)
    with hub.unit(actor, "coordination.read") as u:
        visible = {p.id: p for p in register_in(u, recipient).projects}
        stmt = select(OverlapReview).where(OverlapReview.score >= min_score)
        if state:
            stmt = stmt.where(OverlapReview.state == state)
        views = []
        for row in u.s.scalars(stmt.order_by(OverlapReview.score.desc(), OverlapReview.id)):
            a, b = visible.get(row.project_a), visible.get(row.project_b)
            if a is not None and b is not None:
                views.append(OverlapView(
                    row.id, a.id, b.id, a.title, b.title, a.donor, b.donor, a.recipient,
                    row.score, row.reasons, row.state, row.note, row.decided_by, row.decided_at,
                    reasons_from_data(row.reasons_data),
                ))  # fmt: skip
        u.audit("overlaps", details={"listed": len(views)})
        return views


def decide_overlap(hub: Hub, actor: Actor, review_id: int, decision: str, note: str) -> None:
    """The coordinator confirms (a real duplication to resolve) or dismisses a flagged pair."""
    if decision not in ("confirmed", "dismissed"):
        raise InvalidInput(
            "Decide an overlap as confirmed or dismissed, not {value!r}.",
            field="decision", value=decision,
        )  # fmt: skip
    note = note.replace("\x00", "")  # PostgreSQL text holds no NUL
    if not note.strip():
        raise InvalidInput("Give the reason for the decision.", field="note")
    with hub.unit(actor, "coordination.review") as u:
        row = u.s.get(OverlapReview, review_id)
        if row is None:
            raise NotFound("No overlap with id {id}.", id=review_id)
        row.state, row.note = decision, note.strip()
        row.decided_by, row.decided_at = actor.name, utcnow()
        u.audit(
            "overlap",
            row.id,
            details={"decision": decision, "pair": [row.project_a, row.project_b]},
        )


def gap_cells(hub: Hub, actor: Actor) -> list[gaps.GapCell]:
    with hub.unit(actor, "coordination.read") as u:
        cells = gaps.compute_gaps(register_in(u))
        u.audit("gaps", details={"cells": len(cells)})
        return cells


def _weights(session: Session) -> dict[str, float]:
    rows = session.scalars(select(PrioritySetting))
    return {**priority.DEFAULT_WEIGHTS, **{r.component: r.weight for r in rows}}


def priorities(hub: Hub, actor: Actor) -> list[priority.PriorityScore]:
    """Each recipient's score from the stored weights, treaty shortfall and adjustments."""
    shortfall = treaties.treaty_shortfall(hub, actor)
    with hub.unit(actor, "coordination.read") as u:
        adjustments = {a.recipient: a.adjustment for a in u.s.scalars(select(PriorityAdjustment))}
        scores = priority.priority_scores(
            register_in(u), weights=_weights(u.s), treaty_shortfall=shortfall,
            adjustments=adjustments,
        )  # fmt: skip
        u.audit("priorities", details={"recipients": len(scores)})
        return scores


def set_weights(hub: Hub, actor: Actor, weights: Mapping[str, float]) -> dict[str, float]:
    """Change components' weights; unknown or negative ones are refused by ``priority``."""
    with hub.unit(actor, "coordination.review") as u:
        merged = {**_weights(u.s), **{k: float(v) for k, v in weights.items()}}
        priority.priority_scores(Register(), weights=merged)  # refuses unknown or negative
        for component, weight in merged.items():
            row = u.s.get(PrioritySetting, component)
            if row is None:
                u.s.add(PrioritySetting(component=component, weight=weight, set_by=actor.name))
            else:
                row.weight, row.set_by, row.set_at = weight, actor.name, utcnow()
        u.audit("priority_weights", details={"weights": merged})
        return merged


def adjust_priority(hub: Hub, actor: Actor, recipient: str, adjustment: float, reason: str) -> None:
    reason = reason.replace("\x00", "")  # PostgreSQL text holds no NUL
    if not reason.strip():
        raise InvalidInput("Give the reason for the adjustment.", field="reason")
    if not -1.0 <= adjustment <= 1.0:
        raise InvalidInput(
            "An adjustment must lie between -1 and 1, not {value}.",
            field="adjustment", value=adjustment,
        )  # fmt: skip
    with hub.unit(actor, "coordination.review") as u:
        row = u.s.get(PriorityAdjustment, recipient)
        if row is None:
            row = PriorityAdjustment(recipient=recipient, set_by=actor.name)
            u.s.add(row)
        row.adjustment, row.reason = adjustment, reason.strip()
        row.set_by, row.set_at = actor.name, utcnow()
        u.audit("priority", recipient, details={"adjustment": adjustment, "reason": reason})


def donor_concentration(hub: Hub, actor: Actor, by: str) -> dict[str, object]:
    if by not in ("recipient", "area"):
        raise InvalidInput("Group concentration by recipient or area, not {value!r}.",
                           field="by", value=by)  # fmt: skip
    with hub.unit(actor, "coordination.read") as u:
        result: dict[str, object] = dict(concentration.herfindahl(register_in(u).projects, by=by))
        u.audit("concentration", details={"by": by})
        return result


def donor_suggestions(
    hub: Hub, actor: Actor, need_id: int, top: int = 5
) -> list[recommend.DonorSuggestion]:
    with hub.unit(actor, "coordination.read") as u:
        register = register_in(u)
        need = next((n for n in register.needs if n.id == need_id), None)
        if need is None:
            raise NotFound("No need with id {id}.", id=need_id)
        suggestions = recommend.rank_donors(register, need, top=top)
        u.audit("need", need_id, details={"suggestions": len(suggestions)})
        return suggestions


def need_matches(hub: Hub, actor: Actor) -> list[recommend.NeedMatch]:
    with hub.unit(actor, "coordination.read") as u:
        matches = recommend.match_needs(register_in(u))
        u.audit("needs", details={"matches": len(matches)})
        return matches


__all__ = [
    "DEFAULT_MIN_SCORE",
    "OVERLAP_STATES",
    "FlagResult",
    "OverlapView",
    "adjust_priority",
    "decide_overlap",
    "detect",
    "donor_concentration",
    "donor_suggestions",
    "gap_cells",
    "list_overlaps",
    "need_matches",
    "priorities",
    "set_weights",
]
