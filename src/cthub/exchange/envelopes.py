"""What travels between two cthub nodes: package payloads, inbox envelopes, signed acknowledgements.

A *package payload* is one package as a partner receives it: its release rule (``tlp``, ``pap``,
``purposes``, ``legal_basis``, ``expires_at``), its ``version`` and its STIX objects. The pull
answer and the ``packages`` push envelope carry a list of them. The stored object bodies are
already JSON, so a page is assembled with ``orjson.Fragment`` around them and never parsed and
re-serialised on the sending side (10^5 objects must move in seconds).

The inbox takes one JSON envelope per request, ``{"type": ...}`` with ``type`` one of
``ENVELOPES``. ``parse_payload`` checks a received payload's shape and returns ``None`` with a
reason when it is malformed, so one bad package is refused and reported, not the whole page.

An *acknowledgement* answers a notice: canonical JSON signed with the receiving organisation's
exchange key, so the originator can show later that the recipient applied the correction or
erasure (GDPR Art. 19, Directive 2016/680 Art. 16(6)).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey

from cthub.core.errors import CthubError
from cthub.exchange import signing
from cthub.exchange.models import Package
from cthub.exchange.tlp import Tlp, parse_tlp

ENVELOPES = ("packages", "notice", "ack", "onward-request", "onward-decision")
PURPOSE_HEADER = "X-Cthub-Purpose"


@dataclass(frozen=True)
class Payload:
    """A package as received from a partner, checked for shape."""

    remote_id: str
    title: str
    kind: str
    tlp: Tlp
    pap: str
    purposes: list[str]
    legal_basis: str
    expires_at: dt.datetime | None
    version: int
    sha256: str
    objects: list[dict[str, Any]]


def payload(package: Package, bodies: list[bytes]) -> dict[str, Any]:
    """One package for the wire; ``bodies`` are its stored objects, embedded as they are."""
    return {
        "id": package.id, "title": package.title, "kind": package.kind, "tlp": package.tlp,
        "pap": package.pap, "purposes": list(package.purposes or []),
        "legal_basis": package.legal_basis,
        "expires_at": package.expires_at.isoformat() if package.expires_at else None,
        "version": package.version, "sha256": package.sha256, "seq": package.seq,
        "objects": [orjson.Fragment(b) for b in bodies],
    }  # fmt: skip


def dumps(data: Any) -> bytes:
    return orjson.dumps(data)


def _expiry(text: Any) -> dt.datetime | None:
    if text is None:
        return None
    moment = dt.datetime.fromisoformat(str(text))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse_payload(raw: Any) -> tuple[Payload | None, str]:
    """``(payload, "")`` for a well-formed package, else ``(None, why)``."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        return None, "The package has no id."
    objects = raw.get("objects")
    version = raw.get("version")
    purposes = raw.get("purposes") or []
    if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
        return None, "The package objects are not a list of JSON objects."
    if not isinstance(version, int) or version < 1:
        return None, "The package version is not a positive integer."
    if not isinstance(purposes, list) or not all(isinstance(p, str) for p in purposes):
        return None, "The package purposes are not a list of names."
    try:
        tlp = parse_tlp(str(raw.get("tlp", "")))
        expires = _expiry(raw.get("expires_at"))
    except (ValueError, TypeError, CthubError) as exc:
        return None, str(exc)[:200]
    return Payload(
        remote_id=raw["id"][:36], title=str(raw.get("title", ""))[:300],
        kind=str(raw.get("kind", "stix"))[:20], tlp=tlp, pap=str(raw.get("pap", "PAP:AMBER"))[:20],
        purposes=sorted(set(purposes)), legal_basis=str(raw.get("legal_basis", ""))[:4000],
        expires_at=expires, version=version, sha256=str(raw.get("sha256", ""))[:64],
        objects=objects,
    ), ""  # fmt: skip


def canonical(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def sign_ack(key: SigningKey, body: dict[str, Any]) -> dict[str, Any]:
    """``{"body", "key_id", "signature"}``: the ack and its Ed25519 signature (base64)."""
    signature = key.sign(canonical(body)).signature
    return {"body": body, "key_id": signing.key_id(key.verify_key),
            "signature": base64.b64encode(signature).decode("ascii")}  # fmt: skip


def verify_ack(signed: Any, public_key: str, key_id: str | None) -> dict[str, Any] | None:
    """The ack body when ``signed`` verifies under the partner's key, else ``None``."""
    if not isinstance(signed, dict) or not isinstance(signed.get("body"), dict):
        return None
    if key_id is not None and signed.get("key_id") != key_id:
        return None
    try:
        sig = base64.b64decode(str(signed.get("signature", "")), validate=True)
        verify_key = signing.load_public_key(public_key.encode(), "partner key")
        verify_key.verify(canonical(signed["body"]), sig)
    except (BadSignatureError, ValueError, TypeError):
        return None
    body: dict[str, Any] = signed["body"]
    return body


__all__ = [
    "ENVELOPES",
    "PURPOSE_HEADER",
    "Payload",
    "canonical",
    "dumps",
    "parse_payload",
    "payload",
    "sign_ack",
    "verify_ack",
]
