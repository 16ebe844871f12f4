"""``hash_file`` / ``hash_files``: one row per file, whatever the file, and the batch goes on."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from cthub.content.hashing import ROW_FIELDS, FileHashes, hash_file, hash_files
from cthub.content.signals import PDQSignal
from cthub.core.errors import CthubError, InvalidInput

FIXTURES = Path(__file__).parents[1] / "fixtures" / "content"
BAD = FIXTURES / "bad"
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def _digests(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    return hashlib.md5(data, usedforsecurity=False).hexdigest(), hashlib.sha256(data).hexdigest()


def test_an_image_gets_every_hash() -> None:
    path = FIXTURES / "pdq-reference/dih/bridge-1-original.jpg"
    row = hash_file(path)
    assert (row.md5, row.sha256) == _digests(path)
    assert row.pdq == "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    assert row.quality == 100
    assert row.error == ""
    assert row.problem is None
    assert list(row.row()) == list(ROW_FIELDS)
    assert row.row()["path"] == str(path)


def test_a_low_quality_image_is_hashed_with_its_quality() -> None:
    row = hash_file(FIXTURES / "pdq-reference/labelme-subset/q0003.jpg")
    assert row.pdq
    assert row.quality == 3
    assert row.error == ""


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.jpg", "empty.jpg: the file is empty."),
        ("text.jpg", "text.jpg: not an image"),
        ("junk.bin", "junk.bin: not an image"),
        ("truncated.jpg", "truncated.jpg: the image is truncated or corrupt"),
        ("bomb.png", "bomb.png: the image declares more than"),
        ("bomb.jpg", "bomb.jpg: the image declares more than"),
    ],
)
def test_bad_files_keep_their_exact_hashes_and_say_what_is_wrong(name: str, message: str) -> None:
    path = BAD / name
    row = hash_file(path)
    assert (row.md5, row.sha256) == _digests(path)
    assert row.pdq == ""
    assert row.quality is None
    assert message in row.error
    assert str(path) in row.error
    assert isinstance(row.problem, InvalidInput)
    assert row.problem.render() == row.error


def test_unreadable_paths_get_no_hashes(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.jpg", tmp_path):
        row = hash_file(path)
        assert (row.md5, row.sha256, row.pdq) == ("", "", "")
        assert row.error.startswith(f"{path}: cannot read the file")


def test_the_batch_never_stops(tmp_path: Path) -> None:
    good = FIXTURES / "exif/upright.jpg"
    paths = [good, BAD / "empty.jpg", tmp_path / "gone.png", BAD / "truncated.jpg", str(good)]
    rows = list(hash_files(paths))
    assert [r.path for r in rows] == [str(p) for p in paths]
    assert [bool(r.error) for r in rows] == [False, True, True, True, False]
    assert rows[1].md5 == EMPTY_MD5
    assert rows[0] == rows[4]


def test_an_unexpected_failure_is_logged_and_reported(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(self: PDQSignal, path: Path) -> None:
        raise RuntimeError("decoder bug")

    monkeypatch.setattr(PDQSignal, "hash_file", explode)
    good = FIXTURES / "exif/upright.jpg"
    with caplog.at_level(logging.ERROR, logger="cthub.content.hashing"):
        rows = list(hash_files([good, good]))
    assert len(rows) == 2
    assert rows[0].error == f"{good}: hashing failed unexpectedly (RuntimeError)."
    assert isinstance(rows[0].problem, CthubError)
    assert "decoder bug" in caplog.text


def test_limits_come_from_the_signal_passed() -> None:
    row = hash_file(FIXTURES / "exif/upright.jpg", pdq=PDQSignal(max_pixels=1000))
    assert row.md5
    assert "over the limit of 1000 pixels" in row.error
    assert FileHashes("x").row() == {
        "path": "x",
        "md5": "",
        "sha256": "",
        "pdq": "",
        "quality": None,
        "error": "",
    }
