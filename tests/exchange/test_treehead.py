"""Signed tree heads: the canonical signed bytes, Ed25519 signatures, JSON and key ids."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey, VerifyKey

from cthub.exchange.treehead import (
    TreeHead,
    key_id,
    sign_tree_head,
    signed_bytes,
    verify_tree_head,
)

# RFC 8032 section 7.1, test 1: a fixed Ed25519 key pair.
SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
KEY = SigningKey(SEED)
KID = key_id(KEY.verify_key)
ROOT = hashlib.sha256(b"root").digest()


def head(size: int = 42, timestamp: int = 1_700_000_000_123) -> TreeHead:
    return sign_tree_head(KEY, size, ROOT, timestamp, KID)


def test_key_id_is_sha256_of_the_raw_public_key() -> None:
    assert bytes(KEY.verify_key) == PUBLIC
    assert hashlib.sha256(PUBLIC).hexdigest()[:16] == KID
    assert len(KID) == 16
    assert key_id(SigningKey.generate().verify_key) != KID


def test_signed_bytes_are_the_documented_layout() -> None:
    data = signed_bytes(0x0102030405060708, ROOT, 0x1112131415161718)
    assert data == b"\x01" + bytes(range(1, 9)) + bytes(range(0x11, 0x19)) + ROOT
    assert len(data) == 49


def test_a_signed_head_verifies_with_plain_ed25519() -> None:
    """A partner without cthub can check a head with any Ed25519 library and the layout."""
    h = head()
    VerifyKey(PUBLIC).verify(signed_bytes(h.size, h.root, h.timestamp), h.signature)
    assert verify_tree_head(h, KEY.verify_key)
    # Ed25519 is deterministic: the same head signs to the same bytes.
    assert head().signature == h.signature


@pytest.mark.parametrize(
    "change",
    [
        {"size": 43},
        {"timestamp": 1_700_000_000_124},
        {"root": hashlib.sha256(b"other").digest()},
        {"signature": bytes(64)},
    ],
)
def test_any_changed_field_fails_verification(change: dict[str, Any]) -> None:
    assert not verify_tree_head(dataclasses.replace(head(), **change), KEY.verify_key)


def test_another_key_or_key_id_fails_verification() -> None:
    other = SigningKey.generate()
    assert not verify_tree_head(head(), other.verify_key)
    relabelled = dataclasses.replace(head(), key_id="0" * 16)
    assert not verify_tree_head(relabelled, KEY.verify_key)
    forged = sign_tree_head(other, 42, ROOT, 1, KID)
    assert not verify_tree_head(forged, KEY.verify_key)


def test_json_is_stable_and_round_trips() -> None:
    h = head()
    data = h.to_json()
    assert set(data) == {"size", "root", "timestamp", "signature", "key_id"}
    assert data["root"] == ROOT.hex()
    assert data["size"] == 42
    assert data["timestamp"] == 1_700_000_000_123
    assert TreeHead.from_json(json.loads(json.dumps(data))) == h


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
)
def test_any_head_round_trips_and_verifies(size: int, timestamp: int, root: bytes) -> None:
    h = sign_tree_head(KEY, size, root, timestamp, KID)
    again = TreeHead.from_json(h.to_json())
    assert again == h
    assert verify_tree_head(again, KEY.verify_key)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("size", -1),
        ("size", "42"),
        ("size", True),
        ("size", 2**64),
        ("size", None),
        ("root", "zz"),
        ("root", "abcd"),
        ("root", 5),
        ("timestamp", 1.5),
        ("timestamp", -3),
        ("signature", "not base64!"),
        ("signature", "AAAA"),
        ("key_id", "ABCDEF0123456789"),
        ("key_id", "abc"),
        ("key_id", 7),
    ],
)
def test_from_json_names_the_bad_field(field: str, value: object) -> None:
    data = head().to_json()
    data[field] = value
    with pytest.raises(ValueError, match=field) as caught:
        TreeHead.from_json(data)
    assert caught.value.field == field  # type: ignore[attr-defined]


def test_from_json_rejects_missing_fields_and_non_objects() -> None:
    data = head().to_json()
    del data["signature"]
    with pytest.raises(ValueError, match="signature"):
        TreeHead.from_json(data)
    with pytest.raises(ValueError, match="tree_head"):
        TreeHead.from_json([1, 2])


def test_construction_and_signing_check_fields() -> None:
    with pytest.raises(ValueError, match="root"):
        sign_tree_head(KEY, 1, b"short", 0, KID)
    with pytest.raises(ValueError, match="key_id"):
        sign_tree_head(KEY, 1, ROOT, 0, "nope")
    with pytest.raises(ValueError, match="signature"):
        TreeHead(1, ROOT, 0, b"x", KID)
