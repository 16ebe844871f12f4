"""Signed tree heads (STH): the log's Ed25519-signed statement of its size and root.

A partner keeps every tree head it is given; two validly signed heads that disagree are proof,
checkable by anyone holding the public key, that the log showed different histories.

The signature covers exactly 49 bytes, big-endian, in this order::

    version    1 byte   TREE_HEAD_VERSION (1)
    size       8 bytes  unsigned, the number of entries
    timestamp  8 bytes  unsigned, milliseconds since the Unix epoch (UTC)
    root       32 bytes the RFC 6962 Merkle tree hash of the first ``size`` entries

A fixed binary layout, not JSON, so that no serialiser's choices (key order, spacing, number
formats) can make two parties disagree on what was signed. ``key_id`` is not signed: it only
says which key to try, and ``verify_tree_head`` rejects a head whose ``key_id`` is not the
verifying key's.

In JSON (``to_json``) the root is lowercase hex and the signature standard base64 with padding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from cthub.core.errors import InvalidInput
from cthub.core.i18n import N_

TREE_HEAD_VERSION = 1
ROOT_SIZE = 32
SIGNATURE_SIZE = 64
KEY_ID_LENGTH = 16
U64_MAX = 2**64 - 1
_LAYOUT = struct.Struct(">BQQ")


BAD_FIELD = N_("The tree head field {field} is missing or malformed.")
BAD_FIELD_HINT = N_("Fetch the tree head again from the log; it may have been damaged.")


class TreeHeadFormatError(InvalidInput, ValueError):
    """A field that is missing or malformed in a tree head (or in JSON holding one, with the
    caller's ``message``); ``field`` names it."""

    def __init__(self, field: str, message: str = BAD_FIELD, hint: str = BAD_FIELD_HINT) -> None:
        super().__init__(message, hint=hint, field=field)
        self.field = field


@dataclass(frozen=True)
class TreeHead:
    """One signed tree head. Construction checks every field, so any ``TreeHead`` encodes."""

    size: int
    root: bytes
    timestamp: int
    signature: bytes
    key_id: str

    def __post_init__(self) -> None:
        for name in ("size", "timestamp"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= U64_MAX:
                raise TreeHeadFormatError(name)
        if not isinstance(self.root, bytes) or len(self.root) != ROOT_SIZE:
            raise TreeHeadFormatError("root")
        if not isinstance(self.signature, bytes) or len(self.signature) != SIGNATURE_SIZE:
            raise TreeHeadFormatError("signature")
        if not _is_key_id(self.key_id):
            raise TreeHeadFormatError("key_id")

    def signed_bytes(self) -> bytes:
        """The canonical bytes the signature covers (see the module docstring)."""
        return signed_bytes(self.size, self.root, self.timestamp)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with stable field names and encodings."""
        return {
            "size": self.size,
            "root": self.root.hex(),
            "timestamp": self.timestamp,
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "key_id": self.key_id,
        }

    @classmethod
    def from_json(cls, data: Any) -> TreeHead:
        """Parse ``to_json`` output; raise ``TreeHeadFormatError`` (a ``ValueError``) naming
        the first bad field."""
        if not isinstance(data, dict):
            raise TreeHeadFormatError("tree_head")
        return cls(
            size=_field(data, "size", int),
            root=_hex(_field(data, "root", str), "root"),
            timestamp=_field(data, "timestamp", int),
            signature=_base64(_field(data, "signature", str), "signature"),
            key_id=_field(data, "key_id", str),
        )


def signed_bytes(size: int, root: bytes, timestamp: int) -> bytes:
    """version (1) || size (u64 BE) || timestamp (u64 BE) || root (32 bytes)."""
    return _LAYOUT.pack(TREE_HEAD_VERSION, size, timestamp) + root


def key_id(verify_key: VerifyKey) -> str:
    """The first 16 hex characters of SHA-256 over the raw 32-byte public key."""
    return hashlib.sha256(bytes(verify_key)).hexdigest()[:KEY_ID_LENGTH]


def sign_tree_head(
    signing_key: SigningKey, size: int, root: bytes, timestamp: int, key_id: str
) -> TreeHead:
    """Sign (size, root, timestamp). ``key_id`` is normally ``key_id(signing_key.verify_key)``."""
    unsigned = TreeHead(size, root, timestamp, bytes(SIGNATURE_SIZE), key_id)
    signature = signing_key.sign(unsigned.signed_bytes()).signature
    return TreeHead(size, root, timestamp, signature, key_id)


def verify_tree_head(head: TreeHead, verify_key: VerifyKey) -> bool:
    """Whether ``head`` is signed by ``verify_key`` and names that key in ``key_id``."""
    if head.key_id != key_id(verify_key):
        return False
    try:
        verify_key.verify(head.signed_bytes(), head.signature)
    except BadSignatureError:
        return False
    return True


def _field(data: dict[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if type(value) is not kind:
        raise TreeHeadFormatError(name)
    return value


def _hex(text: str, name: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise TreeHeadFormatError(name) from None


def _base64(text: str, name: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise TreeHeadFormatError(name) from None


def _is_key_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) == KEY_ID_LENGTH
        and all(c in "0123456789abcdef" for c in value)
    )
