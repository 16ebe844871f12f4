"""What the entity page shows under one rule (the part the switch re-renders): the status line,
the graph with the explanation marked, and the explanation in words.

* ``ofac``, ``eu``, ``uk``: ``cthub.ownership.analysis.exposure`` over the store; the path is
  the edges that block the entity, from the listed seeds down (``BlockedResult.explain``);
* ``ubo``: the beneficial owners at 25% (``analysis.ubo``), each with its chains per basis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pyarrow as pa
from fastapi import Request

from cthub.core.errors import NotFound
from cthub.core.i18n import N_, GetText, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of
from cthub.interfaces.web.ownership_graph import draw, href, sentence, share_text
from cthub.ownership.analysis import Exposure, exposure, graph, ubo
from cthub.ownership.compute import ChainEdge, OwnershipGraph

MODES = {"ofac": N_("OFAC"), "eu": N_("EU"), "uk": N_("UK"), "ubo": N_("UBO 25%")}
RULES = {
    "ofac": N_("OFAC: blocked when blocked persons own 50% or more, individually or in the "
               "aggregate, directly or indirectly; control alone does not block."),
    "eu": N_("EU: blocked when listed persons own more than 50% or control it; holdings of "
             "several listed persons add up."),
    "uk": N_("UK (OFSI): blocked when one designated person owns more than 50% or controls "
             "it; holdings of different persons add up only under a joint arrangement."),
    "ubo": N_("Beneficial owners (EU AMLR Art. 52): persons holding 25% or more, shares "
              "multiplied along each chain and added over chains, or controlling it."),
}  # fmt: skip
#: the regimes' titles (``Regime.title``), translated where shown
TITLES = (N_("OFAC 50 Percent Rule"), N_("EU ownership and control"),
          N_("UK ownership and control (OFSI)"))  # fmt: skip
UBO_THRESHOLD = 0.25
NO_SEEDS = N_("No stored entity is linked to an entry of an active sanctions list, so none is "
              "blocked: load a list (the UN list, for example) and look again.")  # fmt: skip


def listings(found: Exposure) -> dict[str, str]:
    """Seed entity id -> its list entry as shown, e.g. ``UN CDe.007``."""
    out: dict[str, str] = {}
    for r in found.seeds.to_pylist():
        out.setdefault(str(r["entity_id"]), f"{str(r['list']).upper()} {r['list_ref']}")
    return out


def _name_of(g: OwnershipGraph) -> Callable[[str], str]:
    def name_of(entity_id: str) -> str:
        i = g.node(entity_id)
        return (g.name(i) if i >= 0 else None) or entity_id

    return name_of


def view_context(request: Request, who: Caller, entity_id: str, mode: str) -> dict[str, Any]:
    """Template context of ``ownership/view.html`` for ``entity_id`` under ``mode``."""
    mode = mode if mode in MODES else "ofac"
    _ = gettext(language_of(request))
    base = {"mode": mode, "rule": RULES[mode], "page_href": href(entity_id),
            "view_href": "/ownership/view/" + quote(entity_id, safe=":/@-._~")}  # fmt: skip
    if mode == "ubo":
        return {**base, **_owners(request, who, entity_id, _)}
    return {**base, **_regime(request, who, entity_id, mode, _)}


def _summary(row: dict[str, Any] | None, listing: str, title: str, _: GetText) -> str:
    status = row["status"] if row else "not_blocked"
    reason = row["reason"] if row else None
    share = share_text(row["share_lo"], row["share_hi"]) if row else "0%"
    if reason == "listed":
        return _("Listed ({listing}): blocked under {regime}.").format(listing=listing,
                                                                      regime=title)  # fmt: skip
    if status == "blocked" and reason == "control":
        return _("Blocked under {regime}: a listed person controls it.").format(regime=title)
    if status == "blocked" and reason == "voting":
        votes = share_text(row["voting_lo"], row["voting_hi"]) if row else "?"
        return _("Blocked under {regime}: blocked persons hold {share} of its voting rights."
                 ).format(regime=title, share=votes)  # fmt: skip
    if status == "blocked":
        return _("Blocked under {regime}: blocked persons own {share} of it, directly or "
                 "indirectly.").format(regime=title, share=share)  # fmt: skip
    if status == "possibly_blocked":
        return _("Possibly blocked under {regime}: blocked persons own {share} of it, a range "
                 "that reaches the threshold at its top.").format(regime=title,
                                                                  share=share)  # fmt: skip
    if row and (row["share_hi"] or 0) > 0:
        return _("Not blocked under {regime}: blocked persons own {share} of it, below the "
                 "threshold.").format(regime=title, share=share)  # fmt: skip
    return _("Not blocked under {regime}: no blocked owner was found.").format(regime=title)


def _regime(request: Request, who: Caller, entity_id: str, mode: str, _: GetText) -> dict[str, Any]:
    found = exposure(hub_of(request), who.actor, mode)
    res, seeds = found.result, listings(found)
    g = res.graph
    i = g.node(entity_id)
    row = res.table.slice(i, 1).to_pylist()[0] if i >= 0 else None
    path = res.explain(entity_id, max_edges=60)
    status: pa.ChunkedArray = res.table.column("status")
    reason: pa.ChunkedArray = res.table.column("reason")

    def status_of(eid: str) -> str:
        j = g.node(eid)
        if j < 0:
            return ""
        return "listed" if reason[j].as_py() == "listed" else str(status[j].as_py())

    name_of = _name_of(g)
    names = {x: name_of(x) for e in path for x in (e.owner_id, e.asset_id)}
    notes = list(found.notes) + ([_(NO_SEEDS)] if not found.seeds.num_rows else [])
    state = status_of(entity_id) or "not_blocked"
    return {
        "state": state,
        "summary": _summary(row, seeds.get(entity_id, ""), _(res.regime.title), _),
        "drawing": draw(g, entity_id, path=path, statuses=status_of, listings=seeds, _=_),
        "words": [sentence(e, names, seeds, _) for e in path],
        "owners": [],
        "notes": notes,
        "name_of": name_of,
    }


def _chains(owner: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    chains = owner.get("chains")
    return list(chains.items()) if isinstance(chains, dict) else []


def _effective(bounds: list[float]) -> str:
    """An effective share; a dash for none."""
    return share_text(bounds[0], bounds[1]) if len(bounds) == 2 and bounds[1] > 0 else "\u2013"


def _owners(request: Request, who: Caller, entity_id: str, _: GetText) -> dict[str, Any]:
    hub = hub_of(request)
    g = graph(hub, who.actor)
    try:
        report = ubo(hub, who.actor, entity_id, threshold=UBO_THRESHOLD)
    except NotFound:
        report = {"owners": [], "in_cycle": False}
    owners = [o for o in report.get("owners") or [] if isinstance(o, dict)]  # type: ignore[attr-defined]
    path = [ChainEdge(**e) for o in owners for _b, cs in _chains(o) for c in cs for e in c["edges"]]
    status = {str(o["owner_id"]): str(o["status"]) for o in owners}
    name_of = _name_of(g)
    items = []
    for o in owners:
        chains = [{"basis": basis, "share": share_text(c["share"][0], c["share"][1]),
                   "words": [sentence(ChainEdge(**e), {x: name_of(x) for x in
                             (e["owner_id"], e["asset_id"])}, {}, _) for e in c["edges"]]}
                  for basis, cs in _chains(o) for c in cs]  # fmt: skip
        items.append({"id": o["owner_id"], "href": href(str(o["owner_id"])),
                      "name": o.get("name") or o["owner_id"], "status": o["status"],
                      "ownership": _effective(o["ownership"]), "voting": _effective(o["voting"]),
                      "control": o["control"], "basis": o["basis"], "chains": chains})  # fmt: skip
    n = sum(1 for o in owners if o["status"] == "ubo")
    lines = [_("Beneficial owners at 25% or more: {n}.").format(n=n)]
    if len(owners) > n:
        lines.append(_("Possibly, as some shares are known only as ranges: {n}.").format(
            n=len(owners) - n))  # fmt: skip
    if report.get("in_cycle"):
        lines.append(_("It is in or below an ownership cycle: the effective shares include "
                       "what goes round the cycle."))  # fmt: skip
    return {
        "state": "ubo" if n else "possibly_ubo" if owners else "not_ubo",
        "summary": " ".join(lines),
        "drawing": draw(
            g, entity_id, path=path, statuses=lambda x: status.get(x, ""), listings={}, _=_
        ),
        "words": [],
        "owners": items,
        "notes": [],
        "name_of": name_of,
    }


__all__ = ["MODES", "RULES", "TITLES", "listings", "view_context"]
