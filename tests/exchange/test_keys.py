"""Node keys: file handling, the public key formats partners send, and the key id."""

from __future__ import annotations

import base64
import logging
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.signing import SigningKey, VerifyKey

from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.exchange.keys import (
    generate_key,
    key_id,
    load_private_key,
    load_public_key,
    public_key_text,
    save_private_key,
)

# RFC 8032 section 7.1, test 1
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_key_round_trip_with_mode_0600(tmp_path: Path) -> None:
    key = generate_key()
    path = save_private_key(key, tmp_path / "node.key")
    assert _mode(path) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert bytes(load_private_key(path)) == bytes(key)


def test_private_key_mode_is_0600_even_with_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = save_private_key(generate_key(), tmp_path / "node.key")
        again = save_private_key(generate_key(), path, overwrite=True)
    finally:
        os.umask(old)
    assert _mode(path) == 0o600
    assert _mode(again) == 0o600


def test_save_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    first, second = generate_key(), generate_key()
    path = save_private_key(first, tmp_path / "node.key")
    with pytest.raises(Conflict) as refused:
        save_private_key(second, path)
    assert str(path) in str(refused.value)
    assert bytes(load_private_key(path)) == bytes(first)
    save_private_key(second, path, overwrite=True)
    assert bytes(load_private_key(path)) == bytes(second)
    assert [p.name for p in tmp_path.iterdir()] == ["node.key"]  # no temporary left behind


def test_missing_private_key_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as missing:
        load_private_key(tmp_path / "absent.key")
    assert "absent.key" in str(missing.value)


def test_loose_permissions_warn_but_load(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    key = generate_key()
    path = save_private_key(key, tmp_path / "node.key")
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="cthub.exchange.keys"):
        assert bytes(load_private_key(path)) == bytes(key)
    assert "0644" in caplog.text
    assert "chmod 600" in caplog.text


def test_private_key_from_other_tools_loads(tmp_path: Path) -> None:
    """A key written as plain PKCS#8 PEM by cryptography (as by openssl genpkey) loads."""
    private = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET)
    path = tmp_path / "foreign.key"
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    assert bytes(load_private_key(path).verify_key) == RFC8032_PUBLIC


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a key at all", "not an unencrypted PEM PKCS#8"),
        (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not an unencrypted"),
        (
            ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            "not Ed25519",
        ),
    ],
)
def test_bad_private_key_file_names_the_file(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(InvalidInput) as refused:
        load_private_key(path)
    assert str(path) in str(refused.value)
    assert expected in str(refused.value)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_reads_the_private_key_and_agrees_on_the_public_key(tmp_path: Path) -> None:
    key = SigningKey(RFC8032_SECRET)
    path = save_private_key(key, tmp_path / "node.key")
    public_pem = subprocess.run(
        ["openssl", "pkey", "-in", str(path), "-pubout"],
        check=True,
        capture_output=True,
        timeout=10,
    ).stdout
    assert public_pem.decode("ascii") == public_key_text(key.verify_key)
    assert bytes(load_public_key(public_pem, "openssl")) == RFC8032_PUBLIC


def _public_key_forms(raw: bytes) -> dict[str, bytes]:
    public = Ed25519PrivateKey.from_private_bytes(RFC8032_SECRET).public_key()
    openssh = public.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return {
        "pem": public_key_text(VerifyKey(raw)).encode("ascii"),
        "openssh": openssh + b" partner@example.org\n",
        "base64": base64.b64encode(raw) + b"\n",
        "base64 unpadded": base64.b64encode(raw).rstrip(b"="),
        "base64 url-safe": base64.urlsafe_b64encode(raw),
        "hex": raw.hex().encode("ascii"),
        "hex upper with spaces": b" ".join(
            raw.hex().upper().encode()[i : i + 8] for i in range(0, 64, 8)
        ),
    }


@pytest.mark.parametrize("form", list(_public_key_forms(RFC8032_PUBLIC)))
def test_public_key_formats_load_to_the_same_key(form: str) -> None:
    data = _public_key_forms(RFC8032_PUBLIC)[form]
    assert bytes(load_public_key(data, "partner.pub")) == RFC8032_PUBLIC


def test_public_key_text_is_pem_spki() -> None:
    text = public_key_text(VerifyKey(RFC8032_PUBLIC))
    assert text.startswith("-----BEGIN PUBLIC KEY-----\n")
    loaded = serialization.load_pem_public_key(text.encode("ascii"))
    assert isinstance(loaded.public_bytes_raw(), bytes)  # type: ignore[union-attr]


def _other_algorithm_pem() -> bytes:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello partner",
        base64.b64encode(b"x" * 31),  # 31 bytes: one short
        b"ab" * 31,  # 62 hex digits
        b"-----BEGIN PUBLIC KEY-----\nbroken\n-----END PUBLIC KEY-----\n",
        b"ssh-ed25519 AAAAbroken partner",
        b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 partner",
    ],
)
def test_bad_public_key_names_the_file_and_the_formats(data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        load_public_key(data, "partners/acme.pub")
    assert "partners/acme.pub" in str(refused.value)
    hint = refused.value.render_hint() or ""
    assert "PEM SubjectPublicKeyInfo" in hint
    assert "ssh-ed25519" in hint
    assert "base64 or hex" in hint


def test_public_key_of_another_algorithm_says_so() -> None:
    with pytest.raises(InvalidInput) as refused:
        load_public_key(_other_algorithm_pem(), "acme.pub")
    assert "acme.pub" in str(refused.value)
    assert "not Ed25519" in str(refused.value)
    assert "(ECDSA)" in str(refused.value)


def test_key_id_is_sha256_prefix_of_the_raw_public_key() -> None:
    """Fixed vector: sha256(RFC 8032 test 1 public key)[:16 hex]; shared with tree heads."""
    assert key_id(VerifyKey(RFC8032_PUBLIC)) == "21fe31dfa154a261"
    assert key_id(generate_key().verify_key) != key_id(VerifyKey(RFC8032_PUBLIC))


def test_key_id_matches_the_tree_head_definition() -> None:
    from cthub.exchange import treehead

    for verify_key in (VerifyKey(RFC8032_PUBLIC), generate_key().verify_key):
        assert key_id(verify_key) == treehead.key_id(verify_key)
