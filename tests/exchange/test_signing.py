"""Signed requests: round trip, every tamper refused for the right reason, and the adapters.

Fixture strategy: no database; a ``Partners`` object stands in for the partner table (key
lookup) and the replay store, so each test states exactly which keys are known.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
import requests
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey, VerifyKey

from cthub.core.errors import Unauthenticated
from cthub.exchange.signing import (
    DATE_HEADER,
    DIGEST_HEADER,
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    HttpxSigner,
    RequestsSigner,
    SignatureRefused,
    content_digest,
    generate_key,
    key_id,
    request_target,
    sign_request,
    verify_request,
)

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
URL = "https://partner.example.org/taxii2/api1/collections/abc/objects/?added_after=2025-01-01"
BODY = b'{"objects": []}'


@dataclass
class Partners:
    """The partner table and replay store a real node would keep in its database."""

    keys: dict[str, VerifyKey] = field(default_factory=dict)
    seen: set[tuple[str, str]] = field(default_factory=set)

    def trust(self, key: SigningKey) -> None:
        self.keys[key_id(key.verify_key)] = key.verify_key

    def remember(self, sender: str, nonce: str, date: datetime) -> bool:
        assert date.tzinfo is not None
        if (sender, nonce) in self.seen:
            return False
        self.seen.add((sender, nonce))
        return True

    def verify(
        self,
        method: str,
        path: str,
        host: str,
        headers: Mapping[str, str],
        body: bytes,
        now: datetime = NOW,
    ) -> str:
        return verify_request(
            method,
            path,
            host,
            headers,
            body,
            lookup_key=self.keys.get,
            remember_nonce=self.remember,
            now=now,
        )


@pytest.fixture
def key() -> SigningKey:
    return generate_key()


@pytest.fixture
def partners(key: SigningKey) -> Partners:
    known = Partners()
    known.trust(key)
    return known


PATH, HOST = request_target(URL)


def _refusal(partners: Partners, **changes: Any) -> str:
    """Verify a request signed over the defaults but with ``changes`` on the receiving side."""
    request: dict[str, Any] = {"method": "POST", "path": PATH, "host": HOST, "body": BODY}
    headers = changes.pop("headers")
    request.update(changes)
    with pytest.raises(SignatureRefused) as refused:
        partners.verify(
            request["method"], request["path"], request["host"], headers, request["body"]
        )
    return refused.value.reason


def test_round_trip(key: SigningKey, partners: Partners) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    assert set(headers) == {KEY_HEADER, DATE_HEADER, NONCE_HEADER, DIGEST_HEADER, SIGNATURE_HEADER}
    assert headers[DATE_HEADER] == "2025-03-01T12:00:00Z"
    assert headers[DIGEST_HEADER] == content_digest(BODY)
    assert content_digest(b"") == "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"
    assert len(headers[NONCE_HEADER]) == 32
    assert partners.verify("POST", PATH, HOST, headers, BODY) == key_id(key.verify_key)


def test_request_target_keeps_encoding_and_drops_default_port() -> None:
    assert request_target("https://Partner.example.org:443/a%2Fb?q=%20x") == (
        "/a%2Fb?q=%20x",
        "partner.example.org",
    )
    assert request_target("http://user:pw@[::1]:8080") == ("/", "[::1]:8080")
    assert request_target("http://h.example/p?") == ("/p", "h.example")


def test_header_names_are_case_insensitive(key: SigningKey, partners: Partners) -> None:
    headers = {k.lower(): v for k, v in sign_request(key, "POST", URL, BODY, now=NOW).items()}
    assert partners.verify("post", PATH, HOST.upper(), headers, BODY) == key_id(key.verify_key)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"method": "PUT"}, "bad_signature"),
        ({"path": "/taxii2/api1/collections/abd/objects/?added_after=2025-01-01"}, "bad_signature"),
        ({"path": "/taxii2/api1/collections/abc/objects/?added_after=2024-01-01"}, "bad_signature"),
        ({"path": "/taxii2/api1/collections/abc/objects/"}, "bad_signature"),
        ({"host": "evil.example.org"}, "bad_signature"),
        ({"body": b'{"objects": [1]}'}, "bad_digest"),
        ({"body": b""}, "bad_digest"),
    ],
)
def test_tampered_request_is_refused(
    key: SigningKey, partners: Partners, changes: dict[str, Any], reason: str
) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    assert _refusal(partners, headers=headers, **changes) == reason


def _flip_signature_byte(value: str) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[17] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    ("header", "tamper", "reason"),
    [
        (DATE_HEADER, lambda v: "2025-03-01T12:00:01Z", "bad_signature"),
        (NONCE_HEADER, lambda v: ("0" if v[0] != "0" else "1") + v[1:], "bad_signature"),
        (KEY_HEADER, lambda v: "0123456789abcdef", "unknown_key"),
        (SIGNATURE_HEADER, _flip_signature_byte, "bad_signature"),
        (DIGEST_HEADER, lambda v: content_digest(b"other"), "bad_digest"),
    ],
)
def test_tampered_header_is_refused(
    key: SigningKey, partners: Partners, header: str, tamper: Any, reason: str
) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    headers[header] = tamper(headers[header])
    assert _refusal(partners, headers=headers) == reason


def test_recomputed_digest_for_a_new_body_still_fails_the_signature(
    key: SigningKey, partners: Partners
) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    headers[DIGEST_HEADER] = content_digest(b"forged")
    assert _refusal(partners, headers=headers, body=b"forged") == "bad_signature"


def test_key_id_of_another_known_partner_fails_the_signature(
    key: SigningKey, partners: Partners
) -> None:
    other = generate_key()
    partners.trust(other)
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    headers[KEY_HEADER] = key_id(other.verify_key)
    assert _refusal(partners, headers=headers) == "bad_signature"


def test_unknown_key_is_named(key: SigningKey) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    with pytest.raises(SignatureRefused) as refused:
        Partners().verify("POST", PATH, HOST, headers, BODY)
    assert key_id(key.verify_key) in str(refused.value)


@pytest.mark.parametrize(
    "header", [KEY_HEADER, DATE_HEADER, NONCE_HEADER, DIGEST_HEADER, SIGNATURE_HEADER]
)
def test_missing_header_is_named(key: SigningKey, partners: Partners, header: str) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    del headers[header]
    with pytest.raises(SignatureRefused) as refused:
        partners.verify("POST", PATH, HOST, headers, BODY)
    assert refused.value.reason == "missing_header"
    assert header in str(refused.value)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        (KEY_HEADER, "not-a-key-id"),
        (NONCE_HEADER, "1234"),
        (DATE_HEADER, "yesterday"),
        (DATE_HEADER, "2025-13-01T12:00:00Z"),
        (DATE_HEADER, "2025-03-01T12:00:00+01:00"),
        (SIGNATURE_HEADER, "!!!"),
        (SIGNATURE_HEADER, base64.b64encode(b"short").decode()),
    ],
)
def test_malformed_header_is_named(
    key: SigningKey, partners: Partners, header: str, value: str
) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    headers[header] = value
    with pytest.raises(SignatureRefused) as refused:
        partners.verify("POST", PATH, HOST, headers, BODY)
    assert refused.value.reason == "malformed_header"
    assert header in str(refused.value)


def test_replay_is_refused(key: SigningKey, partners: Partners) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    partners.verify("POST", PATH, HOST, headers, BODY)
    with pytest.raises(SignatureRefused) as refused:
        partners.verify("POST", PATH, HOST, headers, BODY)
    assert refused.value.reason == "replayed_nonce"
    assert headers[NONCE_HEADER] in str(refused.value)


def test_nonce_is_remembered_only_after_the_signature_verifies(
    key: SigningKey, partners: Partners
) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    _refusal(partners, headers=headers, method="DELETE")
    assert partners.seen == set()
    partners.verify("POST", PATH, HOST, headers, BODY)


@pytest.mark.parametrize(("offset_s", "word"), [(301, "future"), (-301, "past"), (-3600, "past")])
def test_date_outside_the_window_is_refused_with_the_skew(
    key: SigningKey, partners: Partners, offset_s: int, word: str
) -> None:
    headers = sign_request(key, "GET", URL, b"", now=NOW + timedelta(seconds=offset_s))
    with pytest.raises(SignatureRefused) as refused:
        partners.verify("GET", PATH, HOST, headers, b"")
    assert refused.value.reason == "date_skew"
    assert f"{abs(offset_s)} seconds in the {word}" in str(refused.value)
    assert "300" in str(refused.value)


@pytest.mark.parametrize("offset_s", [300, -300, 0])
def test_date_at_the_edge_of_the_window_is_accepted(
    key: SigningKey, partners: Partners, offset_s: int
) -> None:
    headers = sign_request(key, "GET", URL, b"", now=NOW + timedelta(seconds=offset_s))
    assert partners.verify("GET", PATH, HOST, headers, b"") == key_id(key.verify_key)


def test_refusal_is_a_401_with_its_reason(key: SigningKey, partners: Partners) -> None:
    headers = sign_request(key, "POST", URL, BODY, now=NOW)
    with pytest.raises(Unauthenticated) as refused:
        partners.verify("POST", PATH, HOST, headers, b"changed")
    assert refused.value.http_status == 401
    assert refused.value.to_dict()["reason"] == "bad_digest"


paths = st.text(alphabet=st.sampled_from("abcxyz019-._~%/=&?+"), min_size=0, max_size=60).map(
    lambda s: "/" + s
)


@settings(max_examples=60, deadline=None)
@given(body=st.binary(min_size=1, max_size=2048), path=paths, data=st.data())
def test_any_single_byte_change_of_the_body_fails(body: bytes, path: str, data: Any) -> None:
    key = SigningKey(b"\x07" * 32)
    partners = Partners()
    partners.trust(key)
    headers = sign_request(key, "PUT", "https://node.example" + path, body, now=NOW)
    sent_path, host = request_target("https://node.example" + path)
    assert partners.verify("PUT", sent_path, host, headers, body) == key_id(key.verify_key)
    index = data.draw(st.integers(0, len(body) - 1))
    change = data.draw(st.integers(1, 255))
    tampered = bytearray(body)
    tampered[index] ^= change
    with pytest.raises(SignatureRefused) as refused:
        Partners(keys=partners.keys).verify("PUT", sent_path, host, headers, bytes(tampered))
    assert refused.value.reason == "bad_digest"


# --- client adapters -------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    host: str
    headers: dict[str, str]
    body: bytes


class _Recorder(BaseHTTPRequestHandler):
    seen: list[Seen]

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        headers = dict(self.headers.items())
        self.seen.append(Seen(self.command, self.path, headers["Host"], headers, body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = _record

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[Seen]]]:
    seen: list[Seen] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_requests_signer_sends_headers_that_verify(
    key: SigningKey, partners: Partners, recorder: tuple[str, list[Seen]]
) -> None:
    base, seen = recorder
    auth = RequestsSigner(key)
    with requests.Session() as session:
        session.get(f"{base}/taxii2/?match[type]=indicator&q=a b", auth=auth, timeout=5)
        session.post(f"{base}/objects/", json={"name": "Ünïcode"}, auth=auth, timeout=5)
        session.put(f"{base}/text", data="fünf €", auth=auth, timeout=5)
    assert [s.method for s in seen] == ["GET", "POST", "PUT"]
    assert "%5B" in seen[0].path or "[" in seen[0].path  # sent as requests encoded it
    assert json.loads(seen[1].body) == {"name": "Ünïcode"}
    assert seen[2].body == "fünf €".encode()
    for s in seen:
        assert partners.verify(s.method, s.path, s.host, s.headers, s.body, now=_now()) == key_id(
            key.verify_key
        )


def _now() -> datetime:
    return datetime.now(UTC)


def test_httpx_signer_with_mock_transport(key: SigningKey, partners: Partners) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            sender = partners.verify(
                request.method,
                request.url.raw_path.decode(),
                request.headers["host"],
                request.headers,
                request.content,
                now=_now(),
            )
        except SignatureRefused as refused:
            return httpx.Response(401, json=refused.to_dict())
        return httpx.Response(200, json={"sender": sender})

    expected = {"sender": key_id(key.verify_key)}
    with httpx.Client(transport=httpx.MockTransport(handler), auth=HttpxSigner(key)) as client:
        assert client.get("https://node.example/a%2Fb?x=%20y").json() == expected
        assert client.post("https://node.example:8443/objects", json={"a": 1}).json() == expected
        assert client.put("https://node.example/raw", content=b"\x00\xff").json() == expected
        unsigned = httpx.Client(transport=httpx.MockTransport(handler)).get("https://node.example/")
    assert unsigned.status_code == 401
    assert unsigned.json()["reason"] == "missing_header"


def test_httpx_signer_with_fastapi_test_client(key: SigningKey, partners: Partners) -> None:
    """A server must verify the raw path and query (scope), not Starlette's decoded path."""
    app = FastAPI()

    @app.api_route("/{rest:path}", methods=["GET", "POST"])
    async def echo(request: Request) -> dict[str, str]:
        raw = request.scope["raw_path"].decode()
        query = request.scope["query_string"].decode()
        target = raw + (f"?{query}" if query else "")
        sender = partners.verify(
            request.method,
            target,
            request.headers["host"],
            request.headers,
            await request.body(),
            now=_now(),
        )
        return {"sender": sender}

    with TestClient(app) as client:
        client.auth = HttpxSigner(key)
        assert client.post("/exchange/push?batch=1", content=b"payload").json()["sender"] == (
            key_id(key.verify_key)
        )
        assert client.get("/a%20b/").status_code == 200
