"""Each organisation's Ed25519 exchange key: it signs the organisation's requests to partner
nodes and the tree heads of its disclosure log.

The private key is a PKCS#8 PEM file under ``<data_dir>/exchange/keys/org-<id>.pem`` (mode
0600), made on first use; the public key is what partners register (``cthub exchange key``
prints it). Keys are cached per process and path.
"""

from __future__ import annotations

import threading
from pathlib import Path

from nacl.signing import SigningKey

from cthub.core.config import Settings
from cthub.exchange import signing

_lock = threading.Lock()
_cache: dict[Path, SigningKey] = {}


def key_path(settings: Settings, org_id: int) -> Path:
    return settings.data_dir / "exchange" / "keys" / f"org-{org_id}.pem"


def org_key(settings: Settings, org_id: int) -> SigningKey:
    """The organisation's signing key, generated and saved the first time it is needed."""
    path = key_path(settings, org_id)
    with _lock:
        held = _cache.get(path)
        if held is not None:
            return held
        if path.exists():
            key = signing.load_private_key(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            key = signing.generate_key()
            signing.save_private_key(key, path)
        _cache[path] = key
        return key


def org_key_id(settings: Settings, org_id: int) -> str:
    return signing.key_id(org_key(settings, org_id).verify_key)


def org_public_key(settings: Settings, org_id: int) -> str:
    return signing.public_key_text(org_key(settings, org_id).verify_key)


__all__ = ["key_path", "org_key", "org_key_id", "org_public_key"]
