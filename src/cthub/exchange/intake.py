"""What a package is made of: a file turned into STIX 2.1 objects.

A STIX bundle, a MISP event (JSON) or FollowTheMoney entities (JSON lines) go through their
``ExchangeFormat``; any other file, or each file of a zip archive (read with the zip-bomb
limits), becomes a STIX ``artifact`` with its SHA-256 and base64 payload. The strictest TLP
marking found in the content is returned with the objects, so a package is never shared under a
weaker label than its content carries.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

from cthub.core.errors import InvalidInput
from cthub.exchange.formats.archive import safe_unzip
from cthub.exchange.formats.base import Limits
from cthub.exchange.formats.registry import registry as formats
from cthub.exchange.tlp import Tlp

#: the namespace of artifact ids: the same file is the same artifact on every node
ARTIFACTS = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Content:
    kind: str
    format: str
    objects: list[dict[str, Any]]
    tlp: Tlp | None
    problems: list[str] = field(default_factory=list)


def detect(filename: str, data: bytes) -> str:
    """The format name of a file: by its suffix, then by a look at its JSON."""
    name = filename.lower()
    if name.endswith(".zip") or data[:4] == b"PK\x03\x04":
        return "files"
    if name.endswith((".jsonl", ".ndjson", ".ftm")):
        return "ftm"
    if name.endswith(".json") or data.lstrip()[:1] in (b"{", b"["):
        head = data[:4096]
        if b'"bundle"' in head and b'"type"' in head:
            return "stix"
        if b'"Event"' in head or b'"Attribute"' in head or b'"response"' in head:
            return "misp"
        return "stix"
    return "files"


def artifact(filename: str, data: bytes) -> dict[str, Any]:
    """A STIX 2.1 artifact SCO carrying the file (deterministic id from its SHA-256)."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(
            "{file} is {size} bytes; a file in a package may have at most {limit}.",
            hint="Share a reference or a hash instead of the file itself.",
            file=filename[:200],
            size=len(data),
            limit=MAX_FILE_BYTES,
        )
    digest = hashlib.sha256(data).hexdigest()
    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return {
        "type": "artifact",
        "spec_version": "2.1",
        "id": f"artifact--{uuid.uuid5(ARTIFACTS, digest)}",
        "mime_type": mime,
        "payload_bin": base64.b64encode(data).decode(),
        "hashes": {"SHA-256": digest},
        "x_cthub_filename": filename.rsplit("/", 1)[-1][:200],
    }


def read(
    filename: str, data: bytes, fmt: str | None = None, limits: Limits | None = None
) -> Content:
    """Turn a file into a package's objects; bad content raises ``InvalidInput`` naming it."""
    name = fmt or detect(filename, data)
    if not data:
        raise InvalidInput("{file} is empty.", hint="Choose the file to share.", file=filename)
    if name == "files":
        if data[:4] == b"PK\x03\x04":
            objects = [artifact(m.name, m.data) for m in safe_unzip(data)]
        else:
            objects = [artifact(filename, data)]
        return Content("files", "files", objects, None)
    parsed = formats.get(name).parse(data, source=filename, limits=limits or Limits())
    kind = "ftm" if name == "ftm" else "stix"
    return Content(kind, name, list(parsed.objects), parsed.tlp, [str(p) for p in parsed.problems])


def sha256_of(objects: list[dict[str, Any]]) -> str:
    h = hashlib.sha256()
    for obj in objects:
        h.update(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS))
    return h.hexdigest()


__all__ = ["Content", "artifact", "detect", "read", "sha256_of"]
