"""Verifying disclosure logs: one's own (integrity), a partner's (what it disclosed about us),
or downloaded evidence on its own (the verifier a partner runs without a cthub database).

``verify_own`` re-derives the organisation's log from the stored leaves: a leaf whose text no
longer hashes to its stored hash was edited, a gap in the indices is a removal, a leaf whose
embedded index differs from its position was moved, and every tree head the organisation ever
signed must still verify and match the root recomputed at its size.

``verify_partner`` fetches the partner's newest signed head, the entries it disclosed to us or
about our data and their inclusion proofs, plus a consistency proof from the last head we
accepted, and checks them with ``logcheck``. Heads seen are kept (``exchange_seen_heads``), so a
log that later shows another history is reported as a fork; a fork is audited as an alert.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson
from nacl.signing import VerifyKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.errors import InvalidInput, NotFound, Unavailable
from cthub.core.hub import Hub
from cthub.core.i18n import N_
from cthub.core.policy import Actor
from cthub.exchange import disclosure, identity, signing
from cthub.exchange.logcheck import DisclosureRecord, LogReport, LogState, Problem, check_log
from cthub.exchange.merkle import MerkleTree, leaf_hash
from cthub.exchange.models import Disclosure, Partner, SeenHead, TreeHeadRow
from cthub.exchange.scope import acting_org, partner_named
from cthub.exchange.treehead import TreeHead, verify_tree_head

EDITED = N_("Entry {index} does not hash to the value stored with it: it was edited.")
GAP = N_("Entries {start} to {end} are missing from the log: they were removed.")
MOVED = N_("The entry stored at {index} was written as entry {other}: entries moved.")
HEAD_SIGNATURE = N_("The stored tree head of size {size} does not verify with the key.")
HEAD_ROOT = N_("The log no longer has the root its head of size {size} signed.")
HEAD_BEYOND = N_("A head of size {size} was signed, but only {count} entries remain.")

Fetch = Callable[[Partner, int | None], dict[str, Any]]


def _check_leaves(rows: list[tuple[int, str, str]]) -> tuple[list[bytes], list[Problem]]:
    hashes: list[bytes] = []
    problems: list[Problem] = []
    for position, (idx, leaf, stored) in enumerate(rows):
        if idx != position and not any(p.kind == "shrunk" for p in problems):
            problems.append(Problem("shrunk", GAP, {"start": position, "end": idx - 1}))
        computed = leaf_hash(leaf.encode())
        if computed.hex() != stored:
            problems.append(Problem("not-included", EDITED, {"index": idx}, index=idx))
        written = orjson.loads(leaf).get("idx")
        if written != idx:
            problems.append(
                Problem("reordered", MOVED, {"index": idx, "other": int(written)}, index=idx)
            )
        hashes.append(computed)
    return hashes, problems


def _check_heads(heads: list[TreeHeadRow], tree: MerkleTree, key: VerifyKey) -> list[Problem]:
    problems: list[Problem] = []
    for row in heads:
        head = disclosure.head_of(row)
        if not verify_tree_head(head, key):
            problems.append(
                Problem("bad-signature", HEAD_SIGNATURE, {"size": row.size}, size=row.size)
            )
        elif head.size > tree.size:
            problems.append(
                Problem(
                    "shrunk", HEAD_BEYOND, {"size": head.size, "count": tree.size}, size=head.size
                )
            )
        elif tree.root(head.size) != head.root:
            problems.append(Problem("fork", HEAD_ROOT, {"size": head.size}, size=head.size))
    return problems


def verify_own(hub: Hub, actor: Actor, *, org: str | None = None) -> LogReport:
    """Re-derive the organisation's whole log and check every head it signed."""
    with hub.unit(actor, "exchange.verify") as u:
        owner = acting_org(u, org)
        rows = [
            (int(i), leaf, h)
            for i, leaf, h in u.s.execute(
                select(Disclosure.idx, Disclosure.leaf, Disclosure.leaf_hash)
                .where(Disclosure.org_id == owner.id)
                .order_by(Disclosure.idx)
            )
        ]
        hashes, problems = _check_leaves(rows)
        heads = list(
            u.s.scalars(
                select(TreeHeadRow).where(TreeHeadRow.org_id == owner.id).order_by(TreeHeadRow.size)
            )
        )
        key = identity.org_key(hub.settings, owner.id).verify_key
        problems += _check_heads(heads, MerkleTree(hashes), key)
        report = LogReport(not problems, len(heads), len(rows), problems)
        u.audit("exchange_log", owner.id, org_id=owner.id, details=report.to_json())
        return report


def evidence_report(
    view: dict[str, Any], key: VerifyKey, state: LogState | None = None
) -> LogReport:
    """Check one downloaded log view (what ``partner_view`` serves) against a public key."""
    if not isinstance(view, dict) or "entries" not in view:
        raise InvalidInput(
            "This is not disclosure-log evidence.",
            hint="Pass the JSON served by the partner's log endpoint.",
        )
    if view.get("head") is None:
        return LogReport(True, 0, 0, [])
    head = TreeHead.from_json(view["head"])
    records = []
    for n, entry in enumerate(view["entries"]):
        try:
            records.append(
                DisclosureRecord(
                    str(entry["leaf"]).encode(),
                    int(entry["index"]),
                    [bytes.fromhex(h) for h in entry["proof"]],
                )
            )
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("Entry {n} of the evidence is malformed.", n=n) from None
    proof = [bytes.fromhex(h) for h in view.get("consistency") or []]
    return check_log([head], [], records, key, state=state, proof_from_state=proof)


def _state(session: Session, partner_id: int, key_id: str) -> LogState:
    state = LogState()
    for row in session.scalars(
        select(SeenHead)
        .where(SeenHead.partner_id == partner_id, SeenHead.verdict == "ok")
        .order_by(SeenHead.id)
    ):
        state.accept(
            TreeHead(
                size=row.size,
                root=bytes.fromhex(row.root),
                timestamp=row.timestamp,
                signature=bytes.fromhex(row.signature),
                key_id=key_id,
            )
        )
    return state


def _remote_fetch(hub: Hub, org_id: int) -> Fetch:
    def fetch(p: Partner, since: int | None) -> dict[str, Any]:
        url = f"{p.url}/api/exchange/node/{p.key_id}/log"
        auth = signing.HttpxSigner(identity.org_key(hub.settings, org_id))
        try:
            resp = httpx.get(url, params={"since": since} if since else None, auth=auth, timeout=30)
        except httpx.HTTPError as exc:
            raise Unavailable(
                "Partner {name} did not answer: {error}.", name=p.name, error=str(exc)[:200]
            ) from None
        if resp.status_code != 200:
            raise Unavailable(
                "Partner {name} refused the log request ({status}).",
                name=p.name,
                status=resp.status_code,
            )
        data: dict[str, Any] = resp.json()
        return data

    return fetch


def _local_view(hub: Hub, session: Session, org_id: int, p: Partner, since: int | None) -> Any:
    """A partner organisation on this node: read its log directly, as its partner ``us``."""
    if p.local_org_id is None:  # pragma: no cover - callers check
        raise NotFound("{name} is not on this node.", name=p.name)
    us = session.scalars(
        select(Partner).where(Partner.org_id == p.local_org_id, Partner.local_org_id == org_id)
    ).first()
    if us is None:
        raise NotFound("{name} has not registered this organisation as its partner.", name=p.name)
    return disclosure.partner_view(hub.db, session, p.local_org_id, us.id, since=since)


def verify_partner(
    hub: Hub, actor: Actor, partner: str, *, org: str | None = None, fetch: Fetch | None = None
) -> LogReport:
    """Fetch and check what ``partner``'s log says it disclosed to us or about our data."""
    with hub.unit(actor, "exchange.verify") as u:
        owner = acting_org(u, org)
        p = partner_named(u.s, owner.id, partner)
        if p.local_org_id is not None:
            key = identity.org_key(hub.settings, p.local_org_id).verify_key
        else:
            key = signing.load_public_key(p.public_key.encode(), f"partner {p.name}")
        state = _state(u.s, p.id, signing.key_id(key))
        since = state.latest.size if state.latest else None
        if p.local_org_id is not None:
            view = _local_view(hub, u.s, owner.id, p, since)
        else:
            view = (fetch or _remote_fetch(hub, owner.id))(p, since)
        report = evidence_report(view, key, state)
        if view.get("head") is not None:
            head = TreeHead.from_json(view["head"])
            forked = any(x.kind == "fork" for x in report.problems)
            u.s.add(
                SeenHead(
                    partner_id=p.id,
                    size=head.size,
                    root=head.root.hex(),
                    timestamp=head.timestamp,
                    signature=head.signature.hex(),
                    verdict="ok" if report.ok else ("fork" if forked else "problem"),
                    problems=[x.to_json() for x in report.problems],
                )
            )
        u.audit(
            "exchange_log",
            p.id,
            org_id=owner.id,
            details={
                "partner": p.name,
                **report.to_json(),
                "alert": "fork" if any(x.kind == "fork" for x in report.problems) else None,
            },
        )
        return report


__all__ = ["evidence_report", "verify_own", "verify_partner"]
