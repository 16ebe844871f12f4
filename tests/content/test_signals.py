"""The contract every content signal keeps, run over every registered signal, and the registry."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from cthub.content.signals import (
    ContentKind,
    MD5Signal,
    SignalExamples,
    SignalHash,
    SignalRegistry,
    SignalType,
    registry,
)
from cthub.content.signals.base import clean_hex, hamming, shown
from cthub.core.errors import InvalidInput, NotFound


def test_builtins_are_registered() -> None:
    assert registry.names() == ["md5", "pdq", "sha256", "vpdq"]
    assert {s.name for s in registry.for_content(ContentKind.IMAGE)} == {"md5", "pdq", "sha256"}
    assert {s.name for s in registry.for_content(ContentKind.VIDEO)} == {"md5", "sha256", "vpdq"}


@pytest.mark.parametrize("name", registry.names())
def test_signal_contract(name: str) -> None:
    signal = registry.get(name)
    assert signal.name == name
    assert signal.title
    assert isinstance(signal.content, ContentKind)
    assert signal.default_threshold >= 0
    examples = signal.examples()
    assert examples.hashes
    assert examples.invalid
    assert examples.files
    for value in examples.hashes:
        assert signal.normalise(value) == value, "examples are canonical"
        assert signal.normalise(f"  {value.upper()}\n") == value, "case and spaces are forgiven"
        assert signal.distance(value, value) == 0
        assert signal.matches(value, value)
    first, last = examples.hashes[0], examples.hashes[-1]
    assert signal.distance(first, last) >= 0
    for bad in examples.invalid:
        with pytest.raises(InvalidInput) as caught:
            signal.normalise(bad)
        assert shown(bad) in caught.value.render(), "the message names the value"
        assert signal.title.split()[0] in caught.value.render(), "and the signal"
        assert caught.value.hint
    for path, expected in examples.files:
        result = signal.hash_file(path)
        if expected is None:
            assert result is None, f"{name} should not apply to {path.name}"
            continue
        assert result is not None, f"{name} should apply to {path.name}"
        assert result.signal == name
        assert signal.normalise(result.value) == result.value
        assert signal.distance(result.value, expected) <= signal.default_threshold


@pytest.mark.parametrize("name", registry.names())
def test_unreadable_file_is_invalid_input_naming_it(name: str, tmp_path: Path) -> None:
    missing = tmp_path / "missing.bin"
    with pytest.raises(InvalidInput, match=r"missing\.bin: cannot read the file"):
        registry.get(name).hash_file(missing)
    with pytest.raises(InvalidInput, match=r"cannot read the file \(Is a directory\)"):
        registry.get(name).hash_file(tmp_path)


def test_registry_rejects_a_second_class_under_a_taken_name() -> None:
    reg = SignalRegistry()
    reg.register(MD5Signal)
    reg.register(MD5Signal)  # the same class again is harmless

    class Impostor(SignalType):
        name = "md5"
        title = "Not MD5"
        content = ContentKind.FILE
        default_threshold = 0

        def normalise(self, text: str) -> str:
            return text

        def hash_file(self, path: Path) -> SignalHash | None:
            return None

        def distance(self, a: str, b: str) -> int:
            return 0

        def examples(self) -> SignalExamples:
            return SignalExamples((), ())

    with pytest.raises(ValueError, match="taken"):
        reg.register(Impostor)


def test_unknown_signal_is_not_found_with_the_names() -> None:
    with pytest.raises(NotFound) as caught:
        registry.get("tmk")
    assert "tmk" in caught.value.render()
    assert "pdq" in (caught.value.render_hint() or "")


def test_exact_signals_stream_any_file(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"cthub" * 600_000)  # 3 MB: several read chunks
    md5, sha = registry.get("md5"), registry.get("sha256")
    md5_hash, sha_hash = md5.hash_file(big), sha.hash_file(big)
    assert md5_hash is not None
    assert sha_hash is not None
    data = big.read_bytes()
    assert md5_hash.value == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert sha_hash.value == hashlib.sha256(data).hexdigest()
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert sha.hash_file(empty) == SignalHash(
        "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert md5.distance("D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e") == 0
    assert md5.distance("d41d8cd98f00b204e9800998ecf8427e", "0" * 32) == 1


def test_helpers() -> None:
    assert clean_hex(" ABcd ", 4) == "abcd"
    assert clean_hex("abc", 4) is None
    assert clean_hex("ab-d", 4) is None
    assert hamming("ff", "0f") == 4
    assert shown("x" * 200).endswith("...'")
