"""Ed25519 node keys: generate, store, load and name them.

A cthub node signs every request it sends to a partner with one Ed25519 key. The private key
lives in a PEM PKCS#8 file (so ``openssl pkey -in node.key -text`` reads it) that only the
node's user can read. Partners hand us their public key in whatever form their tooling
produces, so ``load_public_key`` accepts PEM SubjectPublicKeyInfo, an OpenSSH
``ssh-ed25519 AAAA...`` line, or the 32 raw bytes written as base64 or hex.

A key is named by ``key_id``: the first 16 hex characters of SHA-256 over the raw 32-byte
public key. The same definition is used for signed tree heads, so one id names one key
everywhere.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import stat
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.signing import SigningKey, VerifyKey

from cthub.core.errors import Conflict, InvalidInput, NotFound

log = logging.getLogger(__name__)

ACCEPTED_FORMATS = (
    "PEM SubjectPublicKeyInfo ('-----BEGIN PUBLIC KEY-----'), an OpenSSH line "
    "('ssh-ed25519 AAAA...'), or the 32-byte key as base64 or hex"
)


def generate_key() -> SigningKey:
    """A fresh random Ed25519 signing key (from the OS random source)."""
    return SigningKey.generate()


def key_id(verify_key: VerifyKey) -> str:
    """First 16 hex characters of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(bytes(verify_key)).hexdigest()[:16]


def private_key_pem(key: SigningKey) -> bytes:
    """The key as unencrypted PEM PKCS#8, the form OpenSSL and ``cryptography`` read."""
    private = Ed25519PrivateKey.from_private_bytes(bytes(key))
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def save_private_key(key: SigningKey, path: Path | str, *, overwrite: bool = False) -> Path:
    """Write ``key`` to ``path`` as PEM PKCS#8 with mode 0600 and return the path.

    An existing file is a ``Conflict`` unless ``overwrite`` is true: replacing a node key
    silently would cut the node off from every partner that trusts the old one. The file is
    created with 0600 from the start (never written world-readable, then tightened), and an
    overwrite goes through a temporary file and an atomic rename.
    """
    target = Path(path)
    data = private_key_pem(key)
    if not overwrite:
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise Conflict(
                "The key file {path} already exists.",
                hint="Choose another path, or overwrite it explicitly if you mean to replace "
                "this node's key.",
                path=str(target),
            ) from None
        _write_all(fd, data, target)
        return target
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    _write_all(fd, data, temporary)
    os.replace(temporary, target)
    return target


def _write_all(fd: int, data: bytes, path: Path) -> None:
    """Write and sync ``data``; on failure remove ``path`` so no half-written key remains."""
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)  # the umask only removes bits; make it exact
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def key_file_warning(path: Path | str) -> str | None:
    """Why the key file's permissions are unsafe (group or others may access it), or None."""
    mode = stat.S_IMODE(Path(path).stat().st_mode)
    if mode & 0o077:
        return f"key file {path} has mode {mode:04o}; it should be 0600 (chmod 600 {path})"
    return None


def load_private_key(path: Path | str) -> SigningKey:
    """Read a node key written by ``save_private_key`` or ``openssl genpkey -algorithm ed25519``.

    A missing file is ``NotFound`` and unreadable content is ``InvalidInput``, both naming the
    file. Loose permissions are logged as a warning, not refused: an operator who copied the
    key with the wrong mode should be told, not locked out mid-exchange.
    """
    target = Path(path)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise NotFound(
            "There is no node key file at {path}.",
            hint="Check the path, or generate a node key first.",
            path=str(target),
        ) from None
    warning = key_file_warning(target)
    if warning:
        log.warning(warning)
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise InvalidInput(
            "The key file {path} is not an unencrypted PEM PKCS#8 private key.",
            hint="Expected '-----BEGIN PRIVATE KEY-----' holding an Ed25519 key.",
            path=str(target),
        ) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise InvalidInput(
            "The key file {path} holds a private key that is not Ed25519.",
            hint="cthub node keys are Ed25519; generate one with cthub or with "
            "'openssl genpkey -algorithm ed25519'.",
            path=str(target),
        )
    return SigningKey(private.private_bytes_raw())


def public_key_text(verify_key: VerifyKey) -> str:
    """The public key as PEM SubjectPublicKeyInfo, the form to hand to partners."""
    public = Ed25519PublicKey.from_public_bytes(bytes(verify_key))
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


def load_public_key(data: bytes, source: str) -> VerifyKey:
    """Parse a partner's Ed25519 public key; ``source`` names the file in any error.

    Accepted: PEM SubjectPublicKeyInfo, an OpenSSH ``ssh-ed25519`` line (comment allowed), or
    the 32 raw bytes as hex (64 digits) or base64. Anything else, including a well-formed key
    of another algorithm, is ``InvalidInput`` naming ``source`` and the accepted formats.
    """
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        raw = _from_pem(text, source)
    elif text.startswith(b"ssh-"):
        raw = _from_openssh(text, source)
    else:
        raw = _from_encoded_bytes(text)
    if raw is None:
        raise InvalidInput(
            "{source} is not an Ed25519 public key.",
            hint="Accepted formats: {formats}.",
            source=source,
            formats=ACCEPTED_FORMATS,
        )
    return VerifyKey(raw)


def _from_pem(text: bytes, source: str) -> bytes | None:
    try:
        public = serialization.load_pem_public_key(text)
    except (ValueError, TypeError):
        return None
    return _raw_ed25519(public, source)


def _from_openssh(text: bytes, source: str) -> bytes | None:
    try:
        public = serialization.load_ssh_public_key(text)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return _raw_ed25519(public, source)


def _raw_ed25519(public: object, source: str) -> bytes:
    if not isinstance(public, Ed25519PublicKey):
        raise InvalidInput(
            "{source} holds a public key of another algorithm ({algorithm}), not Ed25519.",
            hint="Ask the partner for their cthub node key; accepted formats: {formats}.",
            source=source,
            algorithm=_algorithm_name(public),
            formats=ACCEPTED_FORMATS,
        )
    return public.public_bytes_raw()


def _algorithm_name(public: object) -> str:
    kinds = (
        (rsa.RSAPublicKey, "RSA"),
        (ec.EllipticCurvePublicKey, "ECDSA"),
        (dsa.DSAPublicKey, "DSA"),
    )
    for kind, name in kinds:
        if isinstance(public, kind):
            return name
    return type(public).__name__


def _from_encoded_bytes(text: bytes) -> bytes | None:
    compact = b"".join(text.split())
    if len(compact) == 64:
        try:
            return bytes.fromhex(compact.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            pass
    padded = compact + b"=" * (-len(compact) % 4)
    for alphabet in (None, b"-_"):  # standard, then URL-safe base64
        try:
            raw = base64.b64decode(padded, altchars=alphabet, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(raw) == 32:
            return raw
    return None
