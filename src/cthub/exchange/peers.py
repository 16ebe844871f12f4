"""A partner node as this organisation talks to it: signed HTTP to its node routes.

Every request is signed with the organisation's exchange key (``signing.HttpxSigner``) and
addressed to the partner organisation's key id in the path, which is ``Partner.key_id``: the
key a partner signs with also names it on its own node. Tests and benchmarks pass their own
``httpx.Client`` (a FastAPI ``TestClient`` is one); otherwise one is made for ``Partner.url``.
A partner that cannot be reached or answers with an error is ``Unavailable`` naming it, with
the partner's own message when it sent one.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import orjson
from sqlalchemy.orm import Session

from cthub.core.config import Settings
from cthub.core.errors import InvalidInput, NotFound, Unavailable
from cthub.exchange import identity
from cthub.exchange.envelopes import PURPOSE_HEADER, dumps
from cthub.exchange.models import Partner
from cthub.exchange.scope import partner_named
from cthub.exchange.signing import HttpxSigner

TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Peer:
    """What a sync needs of a partner record, read once (no session kept open over HTTP)."""

    partner_id: int
    org_id: int
    name: str
    url: str
    key_id: str
    public_key: str
    default_purpose: str


def peer_named(session: Session, org_id: int, name: str) -> Peer:
    """The remote partner ``name`` of ``org_id``; a local partner has no node to talk to."""
    p = partner_named(session, org_id, name)
    if p.local_org_id is not None or not p.url or not p.key_id:
        raise InvalidInput(
            "Partner {name} is on this node; there is nothing to sync with it.",
            hint="Sync with partners on other nodes (registered with --url and --public-key).",
            name=name[:100],
        )
    return Peer(p.id, org_id, p.name, p.url, p.key_id, p.public_key, p.default_purpose)


def partner_row(session: Session, partner_id: int) -> Partner:
    """The partner row a sync or a verified caller refers to (gone only if deleted meanwhile)."""
    found = session.get(Partner, partner_id)
    if found is None:
        raise NotFound("The partner was removed while the exchange ran.")
    return found


class Link:
    """Signed requests from ``peer.org_id`` to the partner's node."""

    def __init__(self, settings: Settings, peer: Peer, client: httpx.Client | None = None) -> None:
        self.peer = peer
        self._owned = client is None
        self.client = client or httpx.Client(base_url=peer.url, timeout=TIMEOUT_S)
        self.auth = HttpxSigner(identity.org_key(settings, peer.org_id))
        self.base = f"/api/exchange/node/{peer.key_id}"

    def __enter__(self) -> Link:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self.client.close()

    def get(self, route: str, params: dict[str, Any], purpose: str | None = None) -> Any:
        headers = {PURPOSE_HEADER: purpose} if purpose else {}
        return self._send("GET", route, params=params, headers=headers)

    def post(self, envelope: dict[str, Any]) -> Any:
        """Deliver one envelope to the partner's inbox; returns its JSON answer."""
        return self._send("POST", "/inbox", content=dumps(envelope),
                          headers={"Content-Type": "application/json"})  # fmt: skip

    def _send(self, method: str, route: str, **kwargs: Any) -> Any:
        try:
            resp = self.client.request(method, self.base + route, auth=self.auth, **kwargs)
        except httpx.HTTPError as exc:
            raise Unavailable(
                "Partner {name} cannot be reached: {error}.",
                hint="Check its URL and that its node is running; sync again later.",
                name=self.peer.name, error=str(exc)[:300] or type(exc).__name__,
            ) from exc  # fmt: skip
        if resp.status_code >= 400:
            try:
                message = str(orjson.loads(resp.content).get("message", ""))
            except (orjson.JSONDecodeError, AttributeError):
                message = resp.text[:300]
            raise Unavailable(
                "Partner {name} answered {status}: {said}",
                hint="The partner's node refused the request; its log records why.",
                name=self.peer.name, status=resp.status_code, said=message[:500],
            )  # fmt: skip
        return orjson.loads(resp.content)


__all__ = ["TIMEOUT_S", "Link", "Peer", "partner_row", "peer_named"]
