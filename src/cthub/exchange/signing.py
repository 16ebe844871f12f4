"""Signed HTTP requests between cthub nodes (Ed25519, a fixed profile of RFC 9421).

A node never authenticates to a partner with a shared password: every request carries

- ``X-Cthub-Key``: the sender's ``key_id`` (16 hex characters),
- ``X-Cthub-Date``: when it was signed, RFC 3339 UTC to the second,
- ``X-Cthub-Nonce``: 128 random bits as 32 hex characters,
- ``Content-Digest``: ``sha-256=:<base64>:`` of the body (RFC 9530),
- ``X-Cthub-Signature``: base64 Ed25519 signature over the signature base::

    cthub-sig-v1\\nMETHOD\\n/path?query\\nhost\\ndate\\nnonce\\ncontent-digest

The path and query are taken exactly as sent (percent-encoding kept, never re-normalised) and
the host is the ``Host`` header in lower case. RFC 9421's negotiable component lists are left
out on purpose: one fixed base means nothing to negotiate and nothing to downgrade.

``verify_request`` is pure: the caller supplies the key lookup (partner table) and the replay
store. A nonce is remembered only after the signature verifies, so unauthenticated junk cannot
fill the store. ``HttpxSigner`` and ``RequestsSigner`` sign outgoing requests for httpx (and
FastAPI's TestClient) and for requests (taxii2-client's ``auth=``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Callable, Generator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
import requests.auth
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from cthub.core.errors import Unauthenticated
from cthub.exchange.keys import (
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    public_key_text,
    save_private_key,
)

VERSION = "cthub-sig-v1"
KEY_HEADER = "X-Cthub-Key"
DATE_HEADER = "X-Cthub-Date"
NONCE_HEADER = "X-Cthub-Nonce"
DIGEST_HEADER = "Content-Digest"
SIGNATURE_HEADER = "X-Cthub-Signature"
SIGNED_HEADERS = (KEY_HEADER, DATE_HEADER, NONCE_HEADER, DIGEST_HEADER, SIGNATURE_HEADER)

_KEY_ID = re.compile(r"[0-9a-f]{16}")
_NONCE = re.compile(r"[0-9a-f]{32}")
_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")
_DEFAULT_PORTS = {"http": 80, "https": 443}

LookupKey = Callable[[str], VerifyKey | None]
RememberNonce = Callable[[str, str, datetime], bool]


class SignatureRefused(Unauthenticated):
    """A signed request was refused; ``reason`` is a stable code saying why.

    Reasons: ``missing_header``, ``malformed_header``, ``date_skew``, ``unknown_key``,
    ``bad_digest``, ``bad_signature``, ``replayed_nonce``. The HTTP edge answers 401.
    """

    code = "signature_refused"

    def __init__(self, message: str, hint: str | None = None, *, reason: str, **params: Any):
        self.reason = reason
        super().__init__(message, hint, **params)

    def to_dict(self, gettext: Any = None) -> dict[str, Any]:
        return {**super().to_dict(gettext), "reason": self.reason}


def content_digest(body: bytes) -> str:
    """The RFC 9530 ``Content-Digest`` value for ``body``: ``sha-256=:<base64>:``."""
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def signature_base(
    method: str, path_with_query: str, host: str, date: str, nonce: str, digest: str
) -> bytes:
    """The exact bytes that are signed (see the module docstring)."""
    parts = (VERSION, method.upper(), path_with_query, host.lower(), date, nonce, digest)
    return "\n".join(parts).encode("utf-8")


def format_date(moment: datetime) -> str:
    """RFC 3339 UTC to the second, e.g. ``2025-01-31T12:00:00Z``."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already (never local time)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def sign_parts(
    key: SigningKey,
    method: str,
    path_with_query: str,
    host: str,
    body: bytes,
    *,
    now: datetime | None = None,
) -> dict[str, str]:
    """The five headers that authenticate one request, given its parts exactly as sent."""
    date = format_date(now or datetime.now(UTC))
    nonce = secrets.token_hex(16)
    digest = content_digest(body)
    base = signature_base(method, path_with_query, host, date, nonce, digest)
    signature = key.sign(base).signature
    return {
        KEY_HEADER: key_id(key.verify_key),
        DATE_HEADER: date,
        NONCE_HEADER: nonce,
        DIGEST_HEADER: digest,
        SIGNATURE_HEADER: base64.b64encode(signature).decode("ascii"),
    }


def request_target(url: str) -> tuple[str, str]:
    """``(path_with_query, host)`` as an HTTP client sends them for ``url``.

    The path keeps its percent-encoding; an empty path is ``/`` and an empty query is dropped
    (as requests and urllib3 do). The host drops user info and the scheme's default port.
    """
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{parts.port}"
    return path, host


def sign_request(
    key: SigningKey, method: str, url: str, body: bytes, *, now: datetime | None = None
) -> dict[str, str]:
    """Headers to add to a request for ``url`` (already percent-encoded, as it will be sent)."""
    path, host = request_target(url)
    return sign_parts(key, method, path, host, body, now=now)


def verify_request(
    method: str,
    path_with_query: str,
    host: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    lookup_key: LookupKey,
    remember_nonce: RememberNonce,
    now: datetime | None = None,
    max_skew_s: int = 300,
) -> str:
    """Check a signed request and return the sender's key id, or raise ``SignatureRefused``.

    Checks run cheapest first: headers present and well formed, date within ``max_skew_s``
    of ``now`` either way, key known to ``lookup_key``, body matching its digest, signature
    valid; only then is the nonce offered to ``remember_nonce``, which returns False when
    it has seen that nonce for that key before (a replay).
    """
    fields = _signed_fields(headers)
    sent_at = _check_date(fields[DATE_HEADER], _utc(now or datetime.now(UTC)), max_skew_s)
    sender = fields[KEY_HEADER]
    verify_key = lookup_key(sender)
    if verify_key is None:
        raise SignatureRefused(
            "The request is signed with key {key_id}, which is not a known partner key.",
            hint="Register the partner's public key before accepting its requests.",
            reason="unknown_key",
            key_id=sender,
        )
    if fields[DIGEST_HEADER] != content_digest(body):
        raise SignatureRefused(
            "The request body does not match its Content-Digest.",
            hint="The body was changed after signing; sign the exact bytes that are sent.",
            reason="bad_digest",
        )
    base = signature_base(
        method,
        path_with_query,
        host,
        fields[DATE_HEADER],
        fields[NONCE_HEADER],
        fields[DIGEST_HEADER],
    )
    try:
        verify_key.verify(base, _decode_signature(fields[SIGNATURE_HEADER]))
    except BadSignatureError:
        raise SignatureRefused(
            "The request signature does not verify for key {key_id}.",
            hint="The method, path, query, host, date or nonce differs from what was signed.",
            reason="bad_signature",
            key_id=sender,
        ) from None
    if not remember_nonce(sender, fields[NONCE_HEADER], sent_at):
        raise SignatureRefused(
            "The request nonce {nonce} was already used: this is a replay.",
            hint="Sign every request afresh; never resend the headers of an earlier one.",
            reason="replayed_nonce",
            nonce=fields[NONCE_HEADER],
        )
    return sender


def _signed_fields(headers: Mapping[str, str]) -> dict[str, str]:
    """The five signature headers, looked up case-insensitively and checked for shape."""
    lowered = {name.lower(): value for name, value in headers.items()}
    fields: dict[str, str] = {}
    for name in SIGNED_HEADERS:
        value = lowered.get(name.lower())
        if value is None or not value.strip():
            raise SignatureRefused(
                "The request lacks the {header} header.",
                hint="Sign requests with cthub's request signer.",
                reason="missing_header",
                header=name,
            )
        fields[name] = value.strip()
    shapes = ((KEY_HEADER, _KEY_ID), (NONCE_HEADER, _NONCE), (DATE_HEADER, _DATE))
    for name, shape in shapes:
        if not shape.fullmatch(fields[name]):
            raise _malformed(name)
    return fields


def _malformed(header: str) -> SignatureRefused:
    return SignatureRefused(
        "The {header} header is malformed.",
        hint="Sign requests with cthub's request signer.",
        reason="malformed_header",
        header=header,
    )


def _check_date(text: str, now: datetime, max_skew_s: int) -> datetime:
    try:
        sent_at = datetime.fromisoformat(text)
    except ValueError:  # shaped right but not a real moment, e.g. month 13
        raise _malformed(DATE_HEADER) from None
    skew = (sent_at - now).total_seconds()
    if skew > max_skew_s:
        raise SignatureRefused(
            "The request is dated {seconds} seconds in the future; at most {limit} are allowed.",
            hint="Check the sender's clock (NTP).",
            reason="date_skew",
            seconds=round(skew),
            limit=max_skew_s,
        )
    if -skew > max_skew_s:
        raise SignatureRefused(
            "The request is dated {seconds} seconds in the past; at most {limit} are allowed.",
            hint="Check the sender's clock (NTP), or whether the request was held back.",
            reason="date_skew",
            seconds=round(-skew),
            limit=max_skew_s,
        )
    return sent_at


def _decode_signature(text: str) -> bytes:
    try:
        signature = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if len(signature) != 64:
        raise _malformed(SIGNATURE_HEADER)
    return signature


class HttpxSigner(httpx.Auth):
    """httpx auth that signs every request, body included (also for FastAPI's TestClient).

    It signs the raw path and the ``Host`` header httpx will send, so what is verified is
    exactly what went on the wire. Works with sync and async clients.
    """

    requires_request_body = True

    def __init__(self, key: SigningKey) -> None:
        self.key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        path = request.url.raw_path.decode("ascii")
        host = request.headers.get("host") or request.url.netloc.decode("ascii")
        request.headers.update(sign_parts(self.key, request.method, path, host, request.content))
        yield request


class RequestsSigner(requests.auth.AuthBase):
    """requests auth (``auth=RequestsSigner(key)``) that signs every prepared request.

    A ``str`` body is encoded as UTF-8 (as urllib3 2 sends it) and replaced by those bytes, so
    the signed and sent bytes agree. Streaming bodies (files, generators) cannot be signed.
    """

    def __init__(self, key: SigningKey) -> None:
        self.key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
            request.body = body
            request.headers["Content-Length"] = str(len(body))
        elif not isinstance(body, bytes):
            raise TypeError("RequestsSigner needs the whole body as bytes, not a stream")
        host_header = request.headers.get("Host")
        if isinstance(host_header, bytes):
            host_header = host_header.decode("ascii")
        host = host_header or request_target(request.url or "")[1]
        path = request.path_url  # exactly what requests puts on the request line
        request.headers.update(sign_parts(self.key, request.method or "GET", path, host, body))
        return request


__all__ = [
    "DATE_HEADER",
    "DIGEST_HEADER",
    "KEY_HEADER",
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "HttpxSigner",
    "LookupKey",
    "RememberNonce",
    "RequestsSigner",
    "SignatureRefused",
    "content_digest",
    "generate_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "public_key_text",
    "request_target",
    "save_private_key",
    "sign_parts",
    "sign_request",
    "signature_base",
    "verify_request",
]
