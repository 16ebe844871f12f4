"""Privacy-preserving watchlist matching with a partner: which entries both hold, nothing more.

The initiator turns its list into identifiers (name + birth date, passport or national ID with
its country, IBAN, wallet address: ``identifiers``), blinds them (``psi.PsiInitiator``) and sends
them to the partner, which answers from the list it chose to offer that partner
(``Partner.psi_list``: ``watchlist`` = its watched subjects; empty = it takes no part). Only the
initiator learns the common entries; the responder learns the size of the initiator's list. A
match is a lead, not a disclosure: the next step is a normal release or lawful request.
Both sides audit the session (counts and the session id, never identifiers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from cthub.core.errors import Forbidden, InvalidInput, Unavailable
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.exchange import identity, signing
from cthub.exchange.identifiers import identifier
from cthub.exchange.models import Partner
from cthub.exchange.nodeauth import NodeCaller
from cthub.exchange.psi import Blinded, PsiInitiator, PsiResponder, Reply
from cthub.exchange.scope import acting_org, partner_named
from cthub.screening import watched_subjects

PSI_LISTS = ("watchlist",)
CSV_COLUMNS = ("kind", "value")

Exchange = Callable[[Partner, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Item:
    label: str
    data: bytes


@dataclass(frozen=True)
class PsiResult:
    partner: str
    session: str
    sent: int
    their_count: int
    matches: list[str]


def subject_items(subjects: list[dict[str, str]]) -> list[Item]:
    """PSI items of watched subjects: name with birth date, and the document with its country."""
    items = []
    for s in subjects:
        label = str(s.get("id") or s.get("name"))
        if s.get("name"):
            items.append(Item(label, identifier("name", s["name"], birth_date=s.get("birth_date"))))
        if s.get("id_number"):
            items.append(
                Item(label, identifier("passport", s["id_number"], country=s.get("nationality")))
            )
    return items


def csv_items(path: Path) -> list[Item]:
    """Items of a CSV ``kind,value[,birth_date,country,label]``; a bad row names its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "Cannot read {file}: {error}.", file=str(path), error=str(exc)[:200]
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            "{file} lacks the column {column}.",
            hint="The columns are kind,value[,birth_date,country,label].",
            file=path.name,
            column=missing[0],
        )
    items = []
    for line, row in enumerate(reader, start=2):
        try:
            data = identifier(
                row["kind"] or "",
                row["value"] or "",
                birth_date=row.get("birth_date") or None,
                country=row.get("country") or None,
            )
        except InvalidInput as exc:
            raise InvalidInput(
                "{file} line {line}: {problem}", file=path.name, line=line, problem=exc.render()
            ) from None
        items.append(Item(row.get("label") or row["value"], data))
    return items


def list_items(hub: Hub, actor: Actor, org_id: int, spec: str) -> list[Item]:
    """``watchlist`` (the organisation's watched subjects) or a CSV file of identifiers."""
    if spec == "watchlist":
        reader = actor if not actor.is_system else Actor.system()
        return subject_items(watched_subjects(hub, reader, org_id=org_id))
    path = Path(spec)
    if not path.is_file():
        raise InvalidInput(
            "Unknown list {list}.",
            hint="Use `watchlist` or the path of a CSV kind,value file.",
            list=spec[:200],
        )
    return csv_items(path)


def _remote(hub: Hub, org_id: int) -> Exchange:
    def send(p: Partner, body: dict[str, Any]) -> dict[str, Any]:
        auth = signing.HttpxSigner(identity.org_key(hub.settings, org_id))
        try:
            resp = httpx.post(
                f"{p.url}/api/exchange/node/{p.key_id}/psi", json=body, auth=auth, timeout=300
            )
        except httpx.HTTPError as exc:
            raise Unavailable(
                "Partner {name} did not answer: {error}.", name=p.name, error=str(exc)[:200]
            ) from None
        if resp.status_code != 200:
            raise Unavailable(
                "Partner {name} refused the matching ({status}): {text}",
                name=p.name,
                status=resp.status_code,
                text=resp.text[:300],
            )
        data: dict[str, Any] = resp.json()
        return data

    return send


def answer(hub: Hub, org_id: int, partner: Partner, body: dict[str, Any], actor: Actor) -> Reply:
    """The responder's side: match the list offered to ``partner`` against its blinded items."""
    if partner.psi_list not in PSI_LISTS:
        raise Forbidden(
            "This organisation offers no list for private matching to {name}.", name=partner.name
        )
    blinded = Blinded.from_json(body)
    items = list_items(hub, Actor.system("psi"), org_id, partner.psi_list)
    reply = PsiResponder([i.data for i in items]).respond(blinded)
    with hub.unit(actor, "exchange.node") as u:
        u.audit(
            "exchange_psi",
            partner.id,
            org_id=org_id,
            details={
                "session": blinded.session,
                "their_count": blinded.count,
                "offered": len(items),
                "list": partner.psi_list,
            },
        )
    return reply


def answer_node(hub: Hub, caller: NodeCaller, body: dict[str, Any]) -> dict[str, Any]:
    with hub.db.session(readonly=True) as s:
        partner = s.get(Partner, caller.partner_id)
        if partner is None:  # pragma: no cover - authenticate just read it
            raise Forbidden("The partner is no longer registered.")
        s.expunge(partner)
    return answer(hub, caller.org_id, partner, body, caller.actor).to_json()


def _local(hub: Hub, org_id: int) -> Exchange:
    def send(p: Partner, body: dict[str, Any]) -> dict[str, Any]:
        with hub.db.session(readonly=True) as s:
            us = s.scalars(
                select(Partner).where(
                    Partner.org_id == p.local_org_id, Partner.local_org_id == org_id
                )
            ).first()
            if us is None:
                raise Forbidden(
                    "{name} has not registered this organisation as a partner.", name=p.name
                )
            s.expunge(us)
        peer = int(us.org_id)
        actor = Actor(name=f"partner-org:{org_id}", role="partner", org_id=peer)
        return answer(hub, peer, us, body, actor).to_json()

    return send


def match(
    hub: Hub,
    actor: Actor,
    partner: str,
    list_spec: str,
    *,
    org: str | None = None,
    exchange: Exchange | None = None,
) -> PsiResult:
    """Run one PSI session with ``partner`` over ``list_spec``; returns the common entries."""
    with hub.unit(actor, "exchange.psi") as u:
        owner = acting_org(u, org)
        p = partner_named(u.s, owner.id, partner)
        u.s.expunge(p)
        org_id = owner.id
    items = list_items(hub, actor, org_id, list_spec)
    if not items:
        raise InvalidInput("The list {list} is empty.", list=list_spec[:200])
    initiator = PsiInitiator([i.data for i in items])
    blinded = initiator.blind()
    send = exchange or (_local(hub, org_id) if p.local_org_id else _remote(hub, org_id))
    reply = Reply.from_json(send(p, blinded.to_json()))
    common = initiator.finish(reply)
    labels = sorted({items[i].label for i in common})
    with hub.unit(actor, "exchange.psi") as u:
        u.audit(
            "exchange_psi",
            p.id,
            org_id=org_id,
            details={
                "session": blinded.session,
                "sent": len(items),
                "their_count": len(reply.own) // 32,
                "matches": len(labels),
            },
        )
    return PsiResult(p.name, blinded.session, len(items), len(reply.own) // 32, labels)


__all__ = ["PSI_LISTS", "PsiResult", "answer", "answer_node", "csv_items", "match", "subject_items"]
