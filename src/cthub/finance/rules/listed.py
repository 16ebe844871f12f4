"""Counterparty names screened against the sanctions lists, as the ``listed`` table rules join.

``listed_names`` screens each distinct name through ``cthub.screening`` (the cached matcher of
the active list versions, so a second run over the same lists builds nothing) and returns one
row per hit: the name exactly as the transactions spell it, the list, the entry's reference
and the match score. ``screening.screen`` checks the actor's permission and writes the one
audit event (counts only, never the names).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.finance.rules.executor import LISTED
from cthub.screening import Query, cached_screener, screen


def listed_names(
    hub: Hub,
    actor: Actor,
    names: Iterable[str],
    *,
    lists: Iterable[str] | None = None,
    threshold: float = 0.7,
    top: int = 3,
) -> pa.Table:
    """``LISTED`` rows for the names among ``names`` that match a list entry.

    Blank names are skipped and repeats screened once; ``lists`` limits the lists (all active
    ones when None); ``threshold`` and ``top`` are the screening limits per name.
    """
    distinct = sorted({n for n in names if n and n.strip()})
    screener = cached_screener(hub, actor, lists)
    queries = ((str(i), Query(name=name)) for i, name in enumerate(distinct))
    rows = [
        {
            "name": distinct[int(qid)],
            "list_name": hit.entry.list,
            "list_ref": hit.entry.ref,
            "score": float(hit.score),
            "kind": "name",
        }
        for qid, hit in screen(hub, actor, screener, queries, threshold=threshold, top=top)
    ]
    return pa.Table.from_pylist(rows, schema=LISTED)


def listed_wallets(
    hub: Hub, actor: Actor, wallets: Iterable[str], *, lists: Iterable[str] | None = None
) -> pa.Table:
    """``LISTED`` rows of kind ``wallet`` for the addresses among ``wallets`` that a list
    attributes to a listed holder, each spelled exactly as the transactions spell it.

    ``cthub.ownership.addresses.screen_wallets`` compares them by format (and writes the one
    audit event, counts only); no address listed in the active lists means no rows.
    """
    from cthub.ownership.addresses import screen_wallets

    hits = screen_wallets(hub, actor, list(wallets), lists=list(lists) if lists else None)
    seen: set[tuple[str, str, str]] = set()
    rows = []
    for hit in hits:
        key = (hit.address, hit.listed.list, hit.listed.list_ref)
        if key not in seen:
            seen.add(key)
            rows.append({"name": hit.address, "list_name": hit.listed.list,
                         "list_ref": hit.listed.list_ref, "score": 1.0,
                         "kind": "wallet"})  # fmt: skip
    return pa.Table.from_pylist(rows, schema=LISTED)


__all__ = ["listed_names", "listed_wallets"]
